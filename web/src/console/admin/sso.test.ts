import { describe, expect, it } from 'vitest';
import type { SsoSettings } from '../../data/sso';
import { checkSsoForm, decodeTrialReport, roleRow, roleValueError, ssoFormValues, ssoServerErrors, type SsoFormValues } from './sso';
import { fieldsRefused } from '../../api/problem.fixture';

/** What the form sends for the settings held (`saved`): the same settings, openid left implicit. */
const sent: Omit<SsoSettings, 'redirect_uri' | 'backchannel_logout_uri' | 'updated_at'> = {
  issuer: 'https://login.acme.example',
  client_id: 'helpdeskly',
  scopes: ['email', 'profile', 'groups'],
  allowed_domains: ['acme.example', 'acme.fr'],
  role_claim: 'groups',
  role_map: { leads: 'admin', support: 'agent' },
  default_role: 'customer',
  auto_create: true,
  required_for_staff: false,
};

const saved: SsoSettings = {
  ...sent,
  scopes: ['openid', ...sent.scopes],
  redirect_uri: 'https://acme.helpdeskly.example/v1/auth/sso/callback',
  backchannel_logout_uri: 'https://acme.helpdeskly.example/v1/auth/sso/backchannel-logout',
  updated_at: '2030-01-02T03:04:05Z',
};

const blank = (): SsoFormValues => ({ ...ssoFormValues(null), issuer: 'https://login.acme.example', client_id: 'helpdeskly', client_secret: 's3cret' });

/** Base64url of a JSON value's UTF-8, without padding, as the callback writes it. */
function encode(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

describe('the form', () => {
  it('starts from the settings held, the secret never, openid left implicit', () => {
    const form = ssoFormValues(saved);
    expect(form).toMatchObject({ issuer: saved.issuer, client_id: 'helpdeskly', client_secret: '', scopes: 'email profile groups', allowed_domains: 'acme.example, acme.fr', role_claim: 'groups' });
    expect(form.role_map.map(({ value, role }) => [value, role])).toEqual([['leads', 'admin'], ['support', 'agent']]);
    expect(ssoFormValues(null)).toMatchObject({ scopes: 'email profile', default_role: 'customer', auto_create: false, required_for_staff: false, role_map: [] });
  });

  it('sends what the server reads: lists split, the role map as an object, an empty secret left out', () => {
    const form = { ...ssoFormValues(saved), scopes: 'email, profile  groups', allowed_domains: 'Acme.example\nacme.fr,', client_secret: '' };
    const { errors, request } = checkSsoForm(form, true);
    expect(errors).toEqual({});
    expect(request).toEqual(sent);
    const fresh = checkSsoForm({ ...blank(), scopes: ' ', role_claim: ' ' }, false).request!;
    expect(fresh.client_secret).toBe('s3cret');
    expect('scopes' in fresh).toBe(false);
    expect(fresh.role_claim).toBeNull();
  });

  it('flags what the server would refuse before sending', () => {
    const empty = checkSsoForm(ssoFormValues(null), false);
    expect(empty.request).toBeNull();
    expect(empty.errors).toEqual({ issuer: 'sso.form.issuer_required', client_id: 'sso.form.client_id_required', client_secret: 'sso.form.client_secret_required' });
    for (const issuer of ['login.acme.example', 'ftp://acme.example', 'https://acme.example/?x=1', 'https://acme.example/#top']) {
      expect(checkSsoForm({ ...blank(), issuer }, false).errors.issuer, issuer).toBe('sso.form.issuer_invalid');
    }
    // A local provider over http is the server's to refuse or accept.
    expect(checkSsoForm({ ...blank(), issuer: 'http://127.0.0.1:4000' }, false).errors).toEqual({});
    expect(checkSsoForm({ ...blank(), scopes: 'email pro file!' }, false).errors).toEqual({ scopes: 'sso.form.scopes_invalid' });
    expect(checkSsoForm({ ...blank(), allowed_domains: 'acme.example, localhost' }, false).errors).toEqual({ allowed_domains: 'sso.form.domains_invalid' });
  });

  it('checks each row of the role map, and asks for the claim they read', () => {
    const rows = [roleRow('support'), roleRow(' '), roleRow('support', 'admin')];
    const { errors } = checkSsoForm({ ...blank(), role_map: rows }, false);
    expect(errors).toEqual({
      [roleValueError(rows[1]!)]: 'sso.form.role_value_required',
      [roleValueError(rows[2]!)]: 'sso.form.role_value_twice',
      role_claim: 'sso.form.role_claim_required',
    });
  });

  it('places the server refusals beside their fields, the rest on the form', () => {
    const problem = fieldsRefused([
      { field: 'issuer', message: 'the discovery document names another issuer' },
      { field: 'role_map', message: 'maps values of at most 256 characters to admin or agent' },
      { field: 'role_map', message: 'a second one' },
      { field: 'required_for_staff', message: 'turn on two-factor authentication first' },
      { field: 'something_else', message: 'odd' },
    ]);
    expect(ssoServerErrors(problem)).toEqual({
      issuer: 'the discovery document names another issuer',
      role_map: 'maps values of at most 256 characters to admin or agent',
      required_for_staff: 'turn on two-factor authentication first',
      form: 'odd',
    });
    expect(ssoServerErrors(new Error('no'))).toEqual({});
  });
});

describe('decodeTrialReport', () => {
  const report = {
    subject: 'agent-1',
    email: 'zoé@acme.example',
    email_verified: true,
    name: 'Zoé Martin',
    amr: ['pwd'],
    role_claim_values: ['support'],
    role: 'agent',
    refused: null,
  };

  it('reads the base64url JSON of the fragment, accents and all', () => {
    expect(decodeTrialReport(encode(report))).toEqual(report);
    const refused = { ...report, email_verified: false, refused: 'sso_email_unverified', role: 'customer', role_claim_values: [] };
    expect(decodeTrialReport(encode(refused))).toEqual(refused);
    // What the provider did not send is null, or missing.
    const sparse = { subject: 's', email: null, email_verified: null, name: null, role: 'customer' };
    expect(decodeTrialReport(encode(sparse))).toEqual({ ...sparse, amr: [], role_claim_values: [], refused: null });
  });

  it('shows nothing rather than something wrong', () => {
    expect(decodeTrialReport('not base64 at all!')).toBeNull();
    expect(decodeTrialReport(encode('a string'))).toBeNull();
    expect(decodeTrialReport(encode({ ...report, role: 'owner' }))).toBeNull();
    expect(decodeTrialReport(encode({ ...report, subject: 7 }))).toBeNull();
    expect(decodeTrialReport(encode({ ...report, amr: 'pwd' }))).toBeNull();
    expect(decodeTrialReport(btoa('\xff\xfe{'))).toBeNull();
  });
});
