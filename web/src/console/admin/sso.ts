/**
 * The single sign-on page's logic: the form filled from the settings held (the client secret
 * never: the server does not show it), checked before the server (which stays the authority:
 * only it reads the provider's discovery document), the server's refusals placed beside their
 * fields, and the report of the owner's test sign-in read from the address's fragment.
 */

import { ApiProblem } from '../../api/problem';
import type { SsoDraft, SsoSettings } from '../../data/sso';
import type { MessageKey } from '../../i18n';

export type MappedRole = 'admin' | 'agent';
export type DefaultRole = 'agent' | 'customer';
export const MAPPED_ROLES: readonly MappedRole[] = ['agent', 'admin'];
export const DEFAULT_ROLES: readonly DefaultRole[] = ['customer', 'agent'];

/** One value of the role claim and the role it gives, a row of the form. */
export interface RoleRow {
  id: number;
  value: string;
  role: MappedRole;
}

export interface SsoFormValues {
  issuer: string;
  client_id: string;
  /** Empty: the stored secret is kept. */
  client_secret: string;
  /** Scopes besides `openid`, separated by spaces or commas; empty: `email profile`. */
  scopes: string;
  /** Domains separated by spaces, commas or lines; empty: any. */
  allowed_domains: string;
  role_claim: string;
  role_map: RoleRow[];
  default_role: DefaultRole;
  auto_create: boolean;
  required_for_staff: boolean;
}

/** The fields the server names in its refusals, as the form's. */
export type SsoField = 'issuer' | 'client_id' | 'client_secret' | 'scopes' | 'allowed_domains' | 'role_claim' | 'role_map' | 'default_role' | 'required_for_staff';
export const SSO_FIELDS: readonly SsoField[] = ['issuer', 'client_id', 'client_secret', 'scopes', 'allowed_domains', 'role_claim', 'role_map', 'default_role', 'required_for_staff'];

/** A row's value, by the row's id (`role_value.7`); the refusal of the whole form. */
export type SsoFormError = SsoField | `role_value.${number}` | 'form';

export const DEFAULT_SCOPES = 'email profile';
const SCOPE = /^[A-Za-z0-9_:.-]{1,64}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

let rows = 0;
export const roleRow = (value = '', role: MappedRole = 'agent'): RoleRow => ({ id: ++rows, value, role });
export const roleValueError = (row: RoleRow): SsoFormError => `role_value.${row.id}`;

const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** The form as the settings held fill it; a first setting asks for `email profile`, makes no
 * one, and gives those no value maps the customer's role. */
export function ssoFormValues(settings: SsoSettings | null): SsoFormValues {
  const mapped = Object.entries(settings?.role_map ?? {}).filter((entry): entry is [string, MappedRole] => entry[1] === 'admin' || entry[1] === 'agent');
  return {
    issuer: settings?.issuer ?? '',
    client_id: settings?.client_id ?? '',
    client_secret: '',
    scopes: settings ? settings.scopes.filter((s) => s !== 'openid').join(' ') : DEFAULT_SCOPES,
    allowed_domains: settings?.allowed_domains.join(', ') ?? '',
    role_claim: settings?.role_claim ?? '',
    role_map: mapped.map(([value, role]) => roleRow(value, role)),
    default_role: settings?.default_role === 'agent' ? 'agent' : 'customer',
    auto_create: settings?.auto_create ?? false,
    required_for_staff: settings?.required_for_staff ?? false,
  };
}

/** An address the browser reads as http(s) with a host, without query or fragment. */
function issuerProblem(value: string): MessageKey | null {
  if (!value) return 'sso.form.issuer_required';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'sso.form.issuer_invalid';
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname || url.search || url.hash) return 'sso.form.issuer_invalid';
  return null;
}

/** The form checked; `hasSecret`: a secret is stored already, so leaving it empty keeps it. */
export function checkSsoForm(form: SsoFormValues, hasSecret: boolean): { errors: Partial<Record<SsoFormError, MessageKey>>; request: SsoDraft | null } {
  const errors: Partial<Record<SsoFormError, MessageKey>> = {};
  const issuer = form.issuer.trim();
  const issuerWrong = issuerProblem(issuer);
  if (issuerWrong) errors.issuer = issuerWrong;
  const clientId = form.client_id.trim();
  if (!clientId) errors.client_id = 'sso.form.client_id_required';
  if (!hasSecret && !form.client_secret) errors.client_secret = 'sso.form.client_secret_required';
  const scopes = list(form.scopes);
  if (scopes.some((s) => !SCOPE.test(s))) errors.scopes = 'sso.form.scopes_invalid';
  const domains = list(form.allowed_domains.toLowerCase());
  if (domains.some((d) => !DOMAIN.test(d))) errors.allowed_domains = 'sso.form.domains_invalid';
  const roleClaim = form.role_claim.trim();
  const roleMap: Record<string, MappedRole> = {};
  for (const row of form.role_map) {
    const value = row.value.trim();
    if (!value) errors[roleValueError(row)] = 'sso.form.role_value_required';
    else if (Object.hasOwn(roleMap, value)) errors[roleValueError(row)] = 'sso.form.role_value_twice';
    else roleMap[value] = row.role;
  }
  if (form.role_map.length && !roleClaim) errors.role_claim = 'sso.form.role_claim_required';
  if (Object.keys(errors).length) return { errors, request: null };
  return {
    errors,
    request: {
      issuer,
      client_id: clientId,
      // A secret is taken as typed; left out, the stored one stays.
      ...(form.client_secret ? { client_secret: form.client_secret } : {}),
      ...(scopes.length ? { scopes } : {}),
      allowed_domains: domains,
      role_claim: roleClaim || null,
      role_map: roleMap,
      default_role: form.default_role,
      auto_create: form.auto_create,
      required_for_staff: form.required_for_staff,
    },
  };
}

/** The server's field refusals by the form's fields (`role_map.x` is the role map's); what names
 * no field of the form goes to the form as a whole. The first message of each is kept. */
export function ssoServerErrors(error: unknown): Partial<Record<SsoField | 'form', string>> {
  const found: Partial<Record<SsoField | 'form', string>> = {};
  if (!(error instanceof ApiProblem)) return found;
  for (const { field, message } of error.errors) {
    const base = field.split(/[.[]/)[0] ?? field;
    const known = (SSO_FIELDS as readonly string[]).includes(base) ? (base as SsoField) : 'form';
    found[known] ??= message;
  }
  return found;
}

/** What the provider sent for the owner's test sign-in and how it mapped (the callback's
 * `#trial=` fragment, base64url JSON). */
export interface TrialReport {
  subject: string;
  email: string | null;
  email_verified: boolean | null;
  name: string | null;
  amr: string[];
  role_claim_values: string[];
  role: 'admin' | 'agent' | 'customer';
  /** Why this person would be refused (a `sso_...` code), or `null`: they would be let in. */
  refused: string | null;
}

const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');
const optional = <T>(value: unknown, is: (v: unknown) => v is T): value is T | null | undefined => value === null || value === undefined || is(value);
const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

/** The report in the fragment, or `null` when it is not one (a mangled or forged address shows
 * nothing rather than something wrong). */
export function decodeTrialReport(encoded: string): TrialReport | null {
  let parsed: unknown;
  try {
    const base64 = encoded.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const r = parsed as Record<string, unknown>;
  if (!isString(r.subject) || !optional(r.email, isString) || !optional(r.email_verified, isBoolean) || !optional(r.name, isString)) return null;
  if (!optional(r.amr, strings) || !optional(r.role_claim_values, strings) || !optional(r.refused, isString)) return null;
  if (r.role !== 'admin' && r.role !== 'agent' && r.role !== 'customer') return null;
  return {
    subject: r.subject,
    email: r.email ?? null,
    email_verified: r.email_verified ?? null,
    name: r.name ?? null,
    amr: r.amr ?? [],
    role_claim_values: r.role_claim_values ?? [],
    role: r.role,
    refused: r.refused ?? null,
  };
}
