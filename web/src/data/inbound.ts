/**
 * Email in: the organisation's mailbox fetched over IMAP (owners and admins; its password is
 * sent with each save and never read back), the mail received (by the mailbox, or posted by a
 * mail server with an `inbound:email` key), its quarantine, and the original of a message.
 */

import { ApiProblem, api, download } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';
import { saveBlob } from './files';

/** The mailbox and the state of its fetch (`last_fetch_at`, `last_error`, the IMAP UIDs). */
export type Mailbox = ResponseBody<'GET', '/v1/channels/email'>;
export type MailboxSettings = JsonBody<'PUT', '/v1/channels/email'>;

export type InboundPage = ResponseBody<'GET', '/v1/inbound/emails'>;
/** A received mail as listed: who sent it, what became of it (`outcome`) and why (`reason`). */
export type InboundEmail = InboundPage['items'][number];
export type InboundOutcome = InboundEmail['outcome'];
/** Which mail a list holds: the quarantined ones, or all that was received. */
export type InboundState = 'quarantined' | 'all';
/** What a released mail became. */
export type Released = ResponseBody<'POST', '/v1/inbound/emails/{id}/release'>;

export const INBOUND_PAGE_SIZE = 50;

/** The mailbox, or `null` when the organisation has none (the API's 404). */
export async function getMailbox(signal?: AbortSignal): Promise<Mailbox | null> {
  try {
    return await api('GET', '/v1/channels/email', { signal });
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404 && error.code === 'not_found') return null;
    throw error;
  }
}

export function saveMailbox(settings: MailboxSettings): Promise<Mailbox> {
  return api('PUT', '/v1/channels/email', { body: settings });
}

export async function removeMailbox(): Promise<void> {
  await api('DELETE', '/v1/channels/email');
}

/** A page of received mail, newest first; `before` is the previous page's `next_before`. */
export function listInbound(state: InboundState, before: number | undefined, signal?: AbortSignal): Promise<InboundPage> {
  return api('GET', '/v1/inbound/emails', { query: { state, limit: INBOUND_PAGE_SIZE, before }, signal });
}

/** Lets a quarantined mail in, as if trusted (`conflict` when it is no longer in quarantine). */
export function releaseInbound(id: number): Promise<Released> {
  return api('POST', '/v1/inbound/emails/{id}/release', { path: { id } });
}

export async function discardInbound(id: number): Promise<void> {
  await api('POST', '/v1/inbound/emails/{id}/discard', { path: { id } });
}

/** Saves the message as it was received (`.eml`), fetched with the session's token. */
export async function downloadOriginal(id: number): Promise<void> {
  const file = await download('/v1/inbound/emails/{id}/raw', 'message/rfc822', { path: { id } });
  saveBlob(file.blob, file.filename ?? `message-${id}.eml`);
}
