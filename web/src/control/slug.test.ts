import { describe, expect, it } from 'vitest';
import { isValidSlug, suggestSlug } from './slug';

describe('slugs', () => {
  it('are proposed from names', () => {
    expect(suggestSlug('Café Déco & Co')).toBe('cafe-deco-co');
    expect(suggestSlug('  --Acme--  ')).toBe('acme');
    expect(suggestSlug('x'.repeat(80))).toHaveLength(63);
  });

  it('follow the server rules', () => {
    expect(isValidSlug('acme')).toBe(true);
    expect(isValidSlug('a-1')).toBe(true);
    expect(isValidSlug('ab')).toBe(false);
    expect(isValidSlug('-acme')).toBe(false);
    expect(isValidSlug('acme-')).toBe(false);
    expect(isValidSlug('Acme')).toBe(false);
    expect(isValidSlug('a'.repeat(64))).toBe(false);
  });
});
