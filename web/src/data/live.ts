/**
 * The tab's one live stream (`stream.ts`), bound to the session, and how views follow it:
 * `useLive(..., { follows })` in `resource.ts` loads again on the frames a view cares about,
 * and polls only while the stream is down. The signed-in app opens it (`useLiveStream`).
 */

import { useEffect, useState } from 'preact/hooks';
import type { PathFor } from '../api/types';
import { session } from '../session';
import { LiveStream, type LiveEvent, type LiveMode, type PresenceEvent } from './stream';

export type { LiveEvent, LiveMode, PresenceEvent } from './stream';

/** The contract's path (a build fails if it goes). */
const STREAM_PATH: PathFor<'GET'> = '/v1/stream';

export const liveStream = new LiveStream({ fetch: (input, init) => fetch(input, init), auth: session, path: STREAM_PATH });
// Every renewal of the access token: the stream moves to the new one.
session.subscribe((state) => {
  if (state.status === 'signed_in') liveStream.renewed();
});
// Back online, or shown again: a stream waiting for its next try is tried at once. Hidden for
// long, the tab closes its stream until it is shown again (`stream.ts`).
if (typeof window !== 'undefined') {
  window.addEventListener('online', () => liveStream.retryNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') liveStream.shown();
    else liveStream.hidden();
  });
}

/** While the stream is up, views poll this rarely, in case a frame was lost on the way. */
export const SAFETY_INTERVAL_MS = 120_000;

/** Opens the stream for the signed-in person `userId`, and closes it when they leave. */
export function useLiveStream(userId: string): void {
  useEffect(() => {
    liveStream.start();
    return () => liveStream.stop();
  }, [userId]);
}

/** The stream's mode, re-rendering the caller when it changes. */
export function useLiveMode(): LiveMode {
  const [mode, setMode] = useState(liveStream.mode);
  useEffect(() => {
    setMode(liveStream.mode);
    return liveStream.onMode(setMode);
  }, []);
  return mode;
}

/** Frames that change one ticket (a message moves its `updated_at`, and may move its status). */
export const ticketChanged =
  (id: number) =>
  (event: LiveEvent): boolean =>
    (event.type === 'ticket.updated' || event.type === 'message.added') && event.ticketId === id;

/** Frames that change one of some tickets (the ones a ticket is linked to, say). */
export const someTicketChanged =
  (ids: ReadonlySet<number>) =>
  (event: LiveEvent): boolean =>
    event.type === 'ticket.updated' && event.ticketId !== null && ids.has(event.ticketId);

/** Frames that may change a list of tickets: one created, or one changed. */
export const ticketListChanged = (event: LiveEvent): boolean => event.type === 'ticket.created' || event.type === 'ticket.updated';

/** Frames that change a ticket's thread. */
export const threadChanged =
  (id: number) =>
  (event: LiveEvent): boolean =>
    event.type === 'message.added' && event.ticketId === id;

export const notificationArrived = (event: LiveEvent): boolean => event.type === 'notification';

/** Colleagues' presence on one ticket's page. */
export const presenceOn =
  (id: number) =>
  (event: LiveEvent): event is PresenceEvent =>
    event.type === 'presence' && event.ticketId === id;
