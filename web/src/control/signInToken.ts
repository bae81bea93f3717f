/**
 * The sign-in token a sign-up answered, kept in this page's memory only (never in the address,
 * the history or storage) from the sign-up form to the provisioning page, which takes it once.
 * A reload of the provisioning page has none, and ends on the sign-in page as before.
 */

let pending: { slug: string; token: string } | null = null;

export function keepSignInToken(slug: string, token: string): void {
  pending = { slug, token };
}

/** The token kept for `slug`, which is then forgotten here. */
export function takeSignInToken(slug: string): string | null {
  const kept = pending;
  pending = null;
  return kept?.slug === slug ? kept.token : null;
}
