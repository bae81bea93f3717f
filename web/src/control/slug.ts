/**
 * Tenant slugs as the server accepts them: 3 to 63 of `a-z`, `0-9` and `-`, no hyphen at
 * either end. The reserved names are the server's to refuse.
 */

const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/;

export function isValidSlug(value: string): boolean {
  return SLUG.test(value);
}

/** A slug proposed from an organisation's name: "Café Déco & Co" -> "cafe-deco-co". */
export function suggestSlug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}
