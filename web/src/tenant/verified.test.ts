import { describe, expect, it } from 'vitest';
import { emailUnconfirmed } from './verified';

describe('emailUnconfirmed', () => {
  it('is true only when the profile says the address is not confirmed', () => {
    expect(emailUnconfirmed({ email_verified: false })).toBe(true);
    expect(emailUnconfirmed({ email_verified: true })).toBe(false);
  });
});
