import { describe, expect, it } from 'vitest';
import { initials } from './UserMenu';

describe('the account menu badge', () => {
  it('shows the first letters of the first and last words', () => {
    expect(initials('Camille Durand')).toBe('CD');
    expect(initials('  élodie  de la Fontaine ')).toBe('ÉF');
    expect(initials('camille@example.org')).toBe('C');
    expect(initials('')).toBe('?');
  });
});
