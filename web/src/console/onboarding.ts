/**
 * The onboarding checklist as the console shows it: its steps in order, which are left, whether
 * it shows at all, where each step is done, and the portal's address to share.
 */

import type { Onboarding, OnboardingStep } from '../data/onboarding';

/** The steps in the order they are shown. */
export const STEPS = ['invite_agents', 'connect_mail', 'share_portal', 'publish_article'] as const satisfies readonly OnboardingStep[];

/** The console's page where a step is done; the portal is shared from the checklist itself. */
export const STEP_PAGE: Record<Exclude<OnboardingStep, 'share_portal'>, string> = {
  invite_agents: '/admin/team',
  connect_mail: '/admin/mailbox',
  publish_article: '/help-center',
};

/** The steps not done yet, in order. */
export function stepsLeft(onboarding: Onboarding): OnboardingStep[] {
  return STEPS.filter((step) => !onboarding.steps[step]);
}

/** Shown until every step is done or it is dismissed. */
export function showsChecklist(onboarding: Onboarding): boolean {
  return !onboarding.dismissed && stepsLeft(onboarding).length > 0;
}

/** The portal's home: customers who are not signed in are asked there to sign in or register. */
const PORTAL_PATH = '/';

/** The customer portal's address: the organisation's web address (`origin`: this host's
 * `location.origin`) and the portal's path. */
export function portalAddress(origin: string): string {
  return `${origin.replace(/\/+$/, '')}${PORTAL_PATH}`;
}
