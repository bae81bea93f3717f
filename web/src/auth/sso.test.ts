import { describe, expect, it } from 'vitest';
import { SSO_ERRORS, fragmentValue, ssoErrorMessage } from './sso';

describe('ssoErrorMessage', () => {
  it('words every refusal the callback sends, and any other code as a failure', () => {
    const codes = [
      'sso_state_invalid',
      'sso_provider_refused',
      'sso_code_refused',
      'sso_token_invalid',
      'sso_no_email',
      'sso_email_unverified',
      'sso_domain_not_allowed',
      'sso_not_a_member',
      'sso_account_disabled',
      'sso_no_access',
      'sso_provider_unreachable',
    ];
    expect(Object.keys(SSO_ERRORS).sort()).toEqual([...codes].sort());
    for (const code of codes) expect(ssoErrorMessage(code)).toBe(SSO_ERRORS[code as keyof typeof SSO_ERRORS]);
    expect(new Set(codes.map(ssoErrorMessage)).size).toBe(codes.length);
    expect(ssoErrorMessage('sso_something_new')).toBe('auth.sso.error.other');
    expect(ssoErrorMessage('toString')).toBe('auth.sso.error.other');
    expect(ssoErrorMessage(null)).toBeNull();
    expect(ssoErrorMessage('')).toBeNull();
  });
});

describe('fragmentValue', () => {
  it('reads one pair of the fragment, with or without its #', () => {
    expect(fragmentValue('#mfa_token=abc-DEF_123', 'mfa_token')).toBe('abc-DEF_123');
    expect(fragmentValue('trial=eyJ9&x=1', 'trial')).toBe('eyJ9');
    expect(fragmentValue('#mfa_token=', 'mfa_token')).toBeNull();
    expect(fragmentValue('#composer', 'mfa_token')).toBeNull();
    expect(fragmentValue('', 'trial')).toBeNull();
  });
});
