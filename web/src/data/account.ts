/**
 * The signed-in person's account: who they are (on either plane), registering, joining by
 * invitation, and two-factor authentication. (Signing in, refreshing and signing out belong to
 * the session, `src/session`.) Also: forgetting one's password, and confirming one's email address.
 */

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type Me = ResponseBody<'GET', '/v1/me'>;
export type Account = ResponseBody<'GET', '/v1/auth/me'>;
export type Registration = JsonBody<'POST', '/v1/auth/register'>;
export type Newcomer = NonNullable<JsonBody<'POST', '/v1/invitations/{token}/accept'>>;
export type TwoFactorOff = JsonBody<'POST', '/v1/auth/2fa/disable'>;

/** The caller as a member of this organisation (tenant plane). */
export function getMe(signal?: AbortSignal): Promise<Me> {
  return api('GET', '/v1/me', { signal });
}

/** The caller's account (control plane): email, second factor. */
export function getAccount(signal?: AbortSignal): Promise<Account> {
  return api('GET', '/v1/auth/me', { signal });
}

export function register(registration: Registration) {
  return api('POST', '/v1/auth/register', { auth: false, body: registration });
}

/** Accepts with the signed-in account. */
export function acceptInvitation(token: string) {
  return api('POST', '/v1/invitations/{token}/accept', { path: { token } });
}

/** Accepts as a new person, who signs in afterwards. */
export function joinByInvitation(token: string, newcomer: Newcomer) {
  return api('POST', '/v1/invitations/{token}/accept', { path: { token }, auth: false, body: newcomer });
}

export function startTwoFactor(password: string) {
  return api('POST', '/v1/auth/2fa/setup', { body: { password } });
}

export function enableTwoFactor(code: string) {
  return api('POST', '/v1/auth/2fa/enable', { body: { code } });
}

/** Takes the password and a current code or a recovery code. */
export function disableTwoFactor(request: TwoFactorOff) {
  return api('POST', '/v1/auth/2fa/disable', { body: request });
}

/** Always answered the same, whether or not an account has that address. */
export function forgotPassword(request: JsonBody<'POST', '/v1/auth/password/forgot'>) {
  return api('POST', '/v1/auth/password/forgot', { body: request, auth: false });
}

export function resetPassword(token: string, newPassword: string) {
  return api('POST', '/v1/auth/password/reset', { body: { token, new_password: newPassword }, auth: false });
}

export function verifyEmail(token: string) {
  return api('POST', '/v1/auth/email/verify', { body: { token }, auth: false });
}
