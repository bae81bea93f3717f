//! Whether the signed-in account's address still waits for confirmation: the sign-in's profile
//! says so with `email_verified` (false until the person follows the link mailed at
//! registration); a profile without the field is taken as confirmed.

export function emailUnconfirmed(user: object): boolean {
  return 'email_verified' in user && user.email_verified === false;
}
