/**
 * The portal and the console, each a file of its own: customers do not fetch the console's
 * code, nor the staff the portal's. The area a person last used in this browser is remembered,
 * a hint and never a permission (`GET /v1/me` decides), so that a returning person's area is
 * fetched while the page starts rather than after the session is restored.
 */

import type { Role } from '../api/schemas';
import type { Area } from './area';

export type AreaKind = 'portal' | 'console';

const LOADERS: Record<AreaKind, () => Promise<{ kind: AreaKind; area: Area }>> = {
  portal: () => import('../portal').then((module) => ({ kind: 'portal', area: module.portalArea })),
  console: () => import('../console').then((module) => ({ kind: 'console', area: module.consoleArea })),
};
const HINT_KEY = 'helpdeskly.area';

export const areaOf = (role: Role): AreaKind => (role === 'customer' ? 'portal' : 'console');

export function loadArea(kind: AreaKind): Promise<{ kind: AreaKind; area: Area }> {
  return LOADERS[kind]();
}

/** Remembers the area a signed-in person was shown here. */
export function rememberArea(kind: AreaKind): void {
  try {
    localStorage.setItem(HINT_KEY, kind);
  } catch {
    // Storage may be unavailable (private mode): the area is then fetched after the session.
  }
}

/** Starts fetching the area last shown here, if any; a failure is met again, and said, when the
 * area is drawn. */
export function prefetchRememberedArea(): void {
  let kind: string | null = null;
  try {
    kind = localStorage.getItem(HINT_KEY);
  } catch {
    return;
  }
  if (kind === 'portal' || kind === 'console') void loadArea(kind).catch(() => undefined);
}
