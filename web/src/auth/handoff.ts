/**
 * What one page passes to the sign-in page (a pending second-factor challenge, a notice), kept
 * in memory: never in the URL, history or storage.
 */

import type { MfaChallenge } from '../api/schemas';

export interface Handoff {
  notice?: 'registered' | 'joined' | 'signed_out' | 'password_reset' | 'sign_in_link_refused' | 'sign_in_link_unavailable';
  email?: string;
  challenge?: MfaChallenge;
}

let pending: Handoff | null = null;

export function handOff(value: Handoff): void {
  pending = value;
}

export function takeHandoff(): Handoff | null {
  const value = pending;
  pending = null;
  return value;
}
