/**
 * Who else is on a ticket's page: the console says it is there (and whether its person is
 * typing a reply) with `PUT /v1/tickets/{id}/presence`, and that it left with `DELETE`; the
 * live stream brings the others' `presence` frames (`stream.ts`).
 */

import { api } from '../api';

export async function sendPresence(ticketId: number, typing: boolean): Promise<void> {
  await api('PUT', '/v1/tickets/{id}/presence', { path: { id: ticketId }, body: { typing } });
}

/** `keepalive`: sent even when the tab is closing. */
export async function leavePresence(ticketId: number, keepalive = false): Promise<void> {
  await api('DELETE', '/v1/tickets/{id}/presence', { path: { id: ticketId }, keepalive });
}
