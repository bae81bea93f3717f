/**
 * Single sign-on with the organisation's OpenID Provider: whether the sign-in page offers it
 * (public), the owner's settings (read, set, removed), and the addresses the browser is sent to
 * (a navigation, not a call: the provider's pages are shown on the way).
 */

import { ApiProblem, api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

/** What the sign-in page learns: single sign-on is set, and whether staff must use it. */
export type SsoOffer = ResponseBody<'GET', '/v1/auth/sso/{slug}'>;
/** The settings as the server shows them (never the client secret), with the addresses to
 * register at the provider. */
export type SsoSettings = ResponseBody<'GET', '/v1/tenants/{slug}/sso'>;
/** What the owner sends; the client secret left out keeps the stored one. */
export type SsoDraft = JsonBody<'PUT', '/v1/tenants/{slug}/sso'>;

const isNotFound = (error: unknown) => error instanceof ApiProblem && error.status === 404;

/** The organisation's offer, or `null` when it has no single sign-on (or is unknown). */
export async function getSsoOffer(slug: string, signal?: AbortSignal): Promise<SsoOffer | null> {
  try {
    const offer = await api('GET', '/v1/auth/sso/{slug}', { path: { slug }, auth: false, signal });
    return offer.enabled ? offer : null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** The settings, or `null` when none are set (owners only). */
export async function getSsoSettings(slug: string, signal?: AbortSignal): Promise<SsoSettings | null> {
  try {
    return await api('GET', '/v1/tenants/{slug}/sso', { path: { slug }, signal });
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

export function saveSsoSettings(slug: string, draft: SsoDraft): Promise<SsoSettings> {
  return api('PUT', '/v1/tenants/{slug}/sso', { path: { slug }, body: draft });
}

export async function removeSsoSettings(slug: string): Promise<void> {
  await api('DELETE', '/v1/tenants/{slug}/sso', { path: { slug } });
}

/** Where "Sign in with your organisation" leads (the server sends the browser on to the
 * provider); `trial`: the owner's test sign-in, which comes back to the settings page with a
 * report instead of signing in. */
export function ssoStartAddress(slug: string, trial = false): string {
  return `/v1/auth/sso/${encodeURIComponent(slug)}/start${trial ? '?trial=true' : ''}`;
}
