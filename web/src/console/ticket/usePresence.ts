/**
 * A ticket page's presence: it says it is here while open (and whether the reply is being
 * typed), that it left when it closes (the tab too, with a request kept alive past the page),
 * and lists the colleagues the live stream says are here.
 */

import { useEffect, useMemo, useState } from 'preact/hooks';
import { liveStream, presenceOn } from '../../data/live';
import { leavePresence, sendPresence } from '../../data/presence';
import { PresenceBeacon, applyPresence, nextExpiry, present, type Present } from './presence';

export function usePresence(ticketId: number): { others: Present[]; beacon: PresenceBeacon } {
  // Presence is a courtesy: a failed call is left to the next heartbeat.
  const beacon = useMemo(() => new PresenceBeacon((typing) => void sendPresence(ticketId, typing).catch(() => undefined)), [ticketId]);
  const [others, setOthers] = useState<Present[]>([]);

  useEffect(() => {
    beacon.start();
    const gone = () => {
      beacon.stop();
      void leavePresence(ticketId, true).catch(() => undefined);
    };
    // Back from the browser's page cache: here again.
    const back = (event: PageTransitionEvent) => event.persisted && beacon.start();
    window.addEventListener('pagehide', gone);
    window.addEventListener('pageshow', back);
    return () => {
      window.removeEventListener('pagehide', gone);
      window.removeEventListener('pageshow', back);
      beacon.stop();
      void leavePresence(ticketId).catch(() => undefined);
    };
  }, [beacon, ticketId]);

  useEffect(() => {
    const follows = presenceOn(ticketId);
    setOthers([]);
    return liveStream.subscribe((event) => {
      if (!follows(event)) return;
      const now = Date.now();
      setOthers((list) => applyPresence(present(list, now), event, now));
    });
  }, [ticketId]);

  // Whoever stops sending frames is forgotten when their time is up.
  const expiry = nextExpiry(others);
  useEffect(() => {
    if (expiry === null) return;
    const timer = setTimeout(() => setOthers((list) => present(list, Date.now())), Math.max(0, expiry - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [expiry]);

  return { others, beacon };
}
