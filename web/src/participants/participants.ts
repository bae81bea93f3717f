/**
 * A ticket's participants as plain functions, for the console and the portal alike: who one is
 * in words, what an addition did, whether the signed-in person follows the ticket, the form's
 * checks before sending, and what is sent. The server decides who may be added: it keeps
 * addresses lower-case, refuses its own address, the ticket's customer and a follower who is not
 * on the staff (field errors, said beside the form's fields), and the 21st participant.
 */

import type { NewParticipant, Participant, ParticipantKind } from '../data/participants';
import type { MessageKey } from '../i18n';

export const NAME_MAX = 255;
export const EMAIL_MAX = 254;

export const PARTICIPANT_KINDS = ['cc', 'follower'] as const satisfies readonly ParticipantKind[];

/** A kind as a badge says it. */
export const KIND_LABEL: Record<ParticipantKind, MessageKey> = {
  cc: 'participants.kind.cc',
  follower: 'participants.kind.follower',
};

/** An address as the server keeps it: trimmed, lower-case. */
export function normaliseAddress(value: string): string {
  return value.trim().toLowerCase();
}

export function sameAddress(a: string, b: string): boolean {
  return normaliseAddress(a) === normaliseAddress(b);
}

/** The name a participant goes by: their name, else their address. */
export function participantName(participant: Pick<Participant, 'name' | 'email'>): string {
  return participant.name.trim() || participant.email;
}

/** The participant that is `me` (by account, or by address), if any. */
export function ownParticipation(participants: readonly Participant[], me: { id: string; email: string }): Participant | undefined {
  return participants.find((p) => p.user_id === me.id || sameAddress(p.email, me.email));
}

/** Whether `me` follows the ticket. */
export function isFollowing(participants: readonly Participant[], me: { id: string; email: string }): boolean {
  return ownParticipation(participants, me)?.kind === 'follower';
}

/** Whether adding changed the ticket (`added`) or the address was on it already (`already`: the
 * server answers with the participant it holds), by what the ticket held before. */
export function addOutcome(answer: Pick<Participant, 'id' | 'email'>, before: readonly Pick<Participant, 'id' | 'email'>[]): 'added' | 'already' {
  return before.some((p) => p.id === answer.id || sameAddress(p.email, answer.email)) ? 'already' : 'added';
}

/** The form as typed. */
export interface ParticipantValues {
  email: string;
  name: string;
  kind: ParticipantKind;
}

/** The form's checks before sending: an address, well formed, not on the ticket yet (said beside
 * it); a name not too long. */
export function checkParticipant(values: ParticipantValues, participants: readonly Pick<Participant, 'email'>[]): Partial<Record<'email' | 'name', MessageKey>> {
  const errors: Partial<Record<'email' | 'name', MessageKey>> = {};
  const email = values.email.trim();
  if (!email) errors.email = 'participants.add.email_required';
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || [...email].length > EMAIL_MAX) errors.email = 'validation.email';
  else if (participants.some((p) => sameAddress(p.email, email))) errors.email = 'participants.add.already_there';
  if ([...values.name.trim()].length > NAME_MAX) errors.name = 'validation.too_long';
  return errors;
}

/** What is sent: the address trimmed, the name when there is one (else `knownName`, the name the
 * organisation knows the address by). */
export function participantBody(values: ParticipantValues, knownName?: string): NewParticipant {
  const name = values.name.trim() || knownName?.trim() || '';
  return { email: values.email.trim(), kind: values.kind, ...(name ? { name } : {}) };
}

/** After the item `id` of `ids` is taken off: the one that takes its place, or the one before,
 * or `undefined` when none is left (focus goes there). */
export function neighbour<T>(ids: readonly T[], id: T): T | undefined {
  const at = ids.indexOf(id);
  if (at < 0) return undefined;
  return ids[at + 1] ?? ids[at - 1];
}
