/**
 * A ticket's participants: the addresses copied on its conversation (`cc`), who receive its
 * public replies by email, and the staff who follow it (`follower`); and leaving a conversation
 * from the link its mail carries.
 */

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type Participant = ResponseBody<'GET', '/v1/tickets/{id}/participants'>[number];
export type ParticipantKind = Participant['kind'];
export type NewParticipant = JsonBody<'POST', '/v1/tickets/{id}/participants'>;
/** What leaving a conversation answers: whose address left which ticket. */
export type LeftConversation = ResponseBody<'POST', '/v1/participants/leave'>;

export function listParticipants(ticketId: number, signal?: AbortSignal): Promise<Participant[]> {
  return api('GET', '/v1/tickets/{id}/participants', { path: { id: ticketId }, signal });
}

/** The participant added, or the one already holding that address (the server changes nothing then). */
export function addParticipant(ticketId: number, participant: NewParticipant): Promise<Participant> {
  return api('POST', '/v1/tickets/{id}/participants', { path: { id: ticketId }, body: participant });
}

export function removeParticipant(ticketId: number, participantId: number) {
  return api('DELETE', '/v1/tickets/{id}/participants/{pid}', { path: { id: ticketId, pid: participantId } });
}

/** The token comes from a mail's link; no session needed. */
export function leaveConversation(token: string): Promise<LeftConversation> {
  return api('POST', '/v1/participants/leave', { query: { token }, auth: false });
}
