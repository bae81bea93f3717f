/**
 * Accepting an invitation with an account that already exists. Such an account belongs to other
 * organisations, so it signs in to one of them for a moment: the token proves who accepts, then
 * that session is closed and the person signs in here.
 */

import { client } from '../api';
import type { MfaChallenge, TokenResponse } from '../api/schemas';
import type { SecondFactor } from '../session';

export type ForeignLogin = { kind: 'tokens'; tokens: TokenResponse } | { kind: 'mfa'; challenge: MfaChallenge };

export async function loginElsewhere(tenant: string, email: string, password: string): Promise<ForeignLogin> {
  const answer = await client.call('POST', '/v1/auth/login', { auth: false, body: { tenant, email, password } });
  return 'mfa_required' in answer ? { kind: 'mfa', challenge: answer } : { kind: 'tokens', tokens: answer };
}

export function verifyElsewhere(mfaToken: string, factor: SecondFactor): Promise<TokenResponse> {
  return client.call('POST', '/v1/auth/mfa/verify', { auth: false, body: { mfa_token: mfaToken, ...factor } });
}

/** Accepts with the other organisation's token, then ends that session whatever happened. */
export async function acceptWith(token: string, tokens: TokenResponse): Promise<void> {
  try {
    await client.call('POST', '/v1/invitations/{token}/accept', { path: { token }, bearer: tokens.access_token });
  } finally {
    await client.call('POST', '/v1/auth/logout', { body: {}, bearer: tokens.access_token }).catch(() => undefined);
  }
}
