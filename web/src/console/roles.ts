/** Who may do what in the console (the server decides; this only hides what would be refused). */

import type { Role } from '../api/schemas';

/** Owners and admins: every ticket, the team, the settings and the dashboards. */
export function isAdmin(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

/** Owners alone: what the organisation's owners keep to themselves (single sign-on). */
export function isOwner(role: Role): boolean {
  return role === 'owner';
}
