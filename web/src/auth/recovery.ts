/** The rules of the password-reset pages that do not depend on the page. */

import { ApiProblem } from '../api/problem';

/**
 * Whether a failed "forgot password" request still gets the neutral confirmation: every refusal
 * does, so that the page says the same whatever the account (only a malformed address is shown
 * beside its field). What never reached a decision (the network, the server failing, too many
 * requests) is said as it is, since nothing was sent and trying again may help.
 */
export function neutralAnswer(error: unknown): boolean {
  if (!(error instanceof ApiProblem)) return false;
  if (error.status === 0 || error.status >= 500 || error.status === 429) return false;
  return error.code !== 'validation_failed';
}

/** A reset or verification link that cannot work any more (used, expired, forged, missing). */
export function isInvalidLink(error: unknown): boolean {
  return error instanceof ApiProblem && error.code === 'invalid_token';
}

/** The token of a link, or null when the address holds none worth sending. */
export function linkToken(query: URLSearchParams): string | null {
  const token = query.get('token')?.trim();
  return token ? token : null;
}
