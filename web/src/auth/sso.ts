/**
 * What a return from the organisation's provider leaves on the sign-in page: a refusal in the
 * query (`?sso_error=CODE`, said in words), or, when the person's second factor is still to be
 * proven, the challenge token in the fragment (`#mfa_token=...`), which no server sees and
 * which is taken out of the address as soon as it is read.
 */

import type { MessageKey } from '../i18n';

/** The refusals the callback can send back, each with its sentence. */
export const SSO_ERRORS = {
  sso_state_invalid: 'auth.sso.error.state_invalid',
  sso_provider_refused: 'auth.sso.error.provider_refused',
  sso_code_refused: 'auth.sso.error.code_refused',
  sso_token_invalid: 'auth.sso.error.token_invalid',
  sso_no_email: 'auth.sso.error.no_email',
  sso_email_unverified: 'auth.sso.error.email_unverified',
  sso_domain_not_allowed: 'auth.sso.error.domain_not_allowed',
  sso_not_a_member: 'auth.sso.error.not_a_member',
  sso_account_disabled: 'auth.sso.error.account_disabled',
  sso_no_access: 'auth.sso.error.no_access',
  sso_provider_unreachable: 'auth.sso.error.provider_unreachable',
} as const satisfies Record<string, MessageKey>;

export type SsoErrorCode = keyof typeof SSO_ERRORS;

/** The sentence for a refusal's code; one the app does not know still reads as a failure.
 * `null` without a code. */
export function ssoErrorMessage(code: string | null): MessageKey | null {
  if (code === null || code === '') return null;
  return Object.hasOwn(SSO_ERRORS, code) ? SSO_ERRORS[code as SsoErrorCode] : 'auth.sso.error.other';
}

/** The value of `name` in a fragment of `key=value` pairs (`#mfa_token=abc`), or `null`. */
export function fragmentValue(hash: string, name: string): string | null {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get(name);
  return value ? value : null;
}

/** Reads `name` from the page's fragment, then takes the fragment out of the address (and of
 * the history entry), so that a token or report is not left behind. */
export function takeFragmentValue(name: string): string | null {
  if (typeof window === 'undefined') return null;
  const value = fragmentValue(window.location.hash, name);
  if (value !== null) history.replaceState(history.state, '', window.location.pathname + window.location.search);
  return value;
}
