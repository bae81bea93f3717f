/**
 * Whether the signed-in account's address still waits for confirmation: the sign-in's profile
 * says so with `email_verified` (false until the person follows the link mailed at
 * registration).
 */

import type { UserProfile } from '../api/schemas';

export function emailUnconfirmed(user: Pick<UserProfile, 'email_verified'>): boolean {
  return user.email_verified === false;
}
