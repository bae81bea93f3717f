/**
 * The organisation's onboarding checklist (owners and admins): four steps, each done or not, read
 * by the server from what was done; one of them (the portal shared) and the checklist's
 * dismissal are said by an admin.
 */

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type Onboarding = ResponseBody<'GET', '/v1/onboarding'>;
export type OnboardingStep = keyof Onboarding['steps'];
export type OnboardingChange = JsonBody<'PATCH', '/v1/onboarding'>;

export function getOnboarding(signal?: AbortSignal): Promise<Onboarding> {
  return api('GET', '/v1/onboarding', { signal });
}

/** Says the portal is shared, or dismisses the checklist; answers the checklist as it now is. */
export function changeOnboarding(change: OnboardingChange): Promise<Onboarding> {
  return api('PATCH', '/v1/onboarding', { body: change });
}
