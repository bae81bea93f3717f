/**
 * Customer organisations as the console reads them: the admin form (its name, the domains its
 * customers-to-be join it by, what colleagues share, notes) checked before the server, which stays
 * the authority, and what a change sends; the server's refusals by field, a domain refused beside
 * the row it was typed in; a member's role in words; and the choices a ticket's organisation may
 * move to (another of its requester's, or none); an organisation a rule or an SLA policy names, in
 * words.
 */

import { ApiProblem } from '../api/problem';
import { CHOICES_MAX, type CustomerOrganization, type NewOrganization, type Organization, type OrganizationChange, type OrganizationChoices, type OrganizationRole } from '../data/organizations';
import { formatNumber, t, type MessageKey } from '../i18n';

export const NAME_MAX = 200;
export const NOTES_MAX = 10_000;
export const DOMAINS_MAX = 20;
/** The longest domain name the DNS allows. */
const DOMAIN_MAX = 253;

export const ROLES = ['member', 'manager'] as const satisfies readonly OrganizationRole[];

export const ROLE_LABEL: Record<OrganizationRole, MessageKey> = {
  member: 'organizations.role.member',
  manager: 'organizations.role.manager',
};

/** A row of the domains' list, with a key of its own (rows come and go). */
export interface DomainRow {
  id: number;
  value: string;
}

let rows = 0;
export const domainRow = (value = ''): DomainRow => ({ id: ++rows, value });

export interface OrganizationFormValues {
  name: string;
  domains: DomainRow[];
  sharedTickets: boolean;
  sharedComments: boolean;
  notes: string;
}

/** A domain row's error: `domain.{index}`. */
export type DomainError = `domain.${number}`;
export type OrganizationFormError = 'name' | 'domains' | 'notes' | 'form' | DomainError;

export const domainError = (index: number): DomainError => `domain.${index}`;

export function emptyOrganization(): OrganizationFormValues {
  return { name: '', domains: [domainRow()], sharedTickets: false, sharedComments: false, notes: '' };
}

export function organizationFormValues(organization: Organization): OrganizationFormValues {
  return {
    name: organization.name,
    // One empty row to type in when it holds none.
    domains: organization.domains.length ? organization.domains.map((domain) => domainRow(domain)) : [domainRow()],
    sharedTickets: organization.shared_tickets,
    sharedComments: organization.shared_comments,
    notes: organization.notes,
  };
}

const chars = (value: string) => [...value].length;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A domain as typed, as the server holds it (trimmed, lower case, an internationalised name in
 * its `xn--` form); `''` for a row left empty; or why it is not a domain. Whether a public mail
 * provider's domain may be held is the server's to say. */
export function normaliseDomain(typed: string): { domain: string } | { error: MessageKey } {
  const value = typed.trim().toLowerCase().replace(/\.$/, '');
  if (!value) return { domain: '' };
  if (value.includes('@')) return { error: 'organizations.form.domain_address' };
  if (/[\s*/\\:?#[\]]/.test(value)) return { error: 'organizations.form.domain_invalid' };
  let ascii = value;
  // The browser's own conversion of an internationalised name (UTS #46), as the server makes it.
  if (/[^\x00-\x7f]/.test(value)) {
    try {
      ascii = new URL(`http://${value}/`).hostname;
    } catch {
      return { error: 'organizations.form.domain_invalid' };
    }
  }
  const labels = ascii.split('.');
  if (labels.length < 2 || ascii.length > DOMAIN_MAX || !labels.every((label) => LABEL.test(label))) return { error: 'organizations.form.domain_invalid' };
  return { domain: ascii };
}

/** The errors to show, or the whole organisation to send (the same request makes one, and is
 * what a change is worked out from: `organizationChange`). Rows left empty are not sent, and a
 * domain typed twice is sent once. */
export function checkOrganizationForm(form: OrganizationFormValues): { errors: Partial<Record<OrganizationFormError, MessageKey>>; request: NewOrganization | null } {
  const errors: Partial<Record<OrganizationFormError, MessageKey>> = {};
  const name = form.name.trim();
  if (!name) errors.name = 'organizations.form.name_required';
  else if (chars(name) > NAME_MAX) errors.name = 'organizations.form.name_long';
  if (chars(form.notes) > NOTES_MAX) errors.notes = 'organizations.form.notes_long';
  const domains: string[] = [];
  form.domains.forEach((row, index) => {
    const found = normaliseDomain(row.value);
    if ('error' in found) errors[domainError(index)] = found.error;
    else if (found.domain && !domains.includes(found.domain)) domains.push(found.domain);
  });
  if (domains.length > DOMAINS_MAX) errors.domains = 'organizations.form.domains_many';
  if (Object.keys(errors).length) return { errors, request: null };
  return {
    errors,
    request: { name, domains, shared_tickets: form.sharedTickets, shared_comments: form.sharedComments, notes: form.notes },
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((value) => right.has(value));
};

/** Only what differs from the organisation as it stands (`{}` when nothing does), so that a
 * colleague's change to another field is not undone. */
export function organizationChange(organization: Organization, request: NewOrganization): OrganizationChange {
  const change: OrganizationChange = {};
  if (request.name !== organization.name) change.name = request.name;
  const domains = request.domains ?? [];
  if (!sameSet(domains, organization.domains)) change.domains = domains;
  if ((request.shared_tickets ?? false) !== organization.shared_tickets) change.shared_tickets = request.shared_tickets ?? false;
  if ((request.shared_comments ?? false) !== organization.shared_comments) change.shared_comments = request.shared_comments ?? false;
  if ((request.notes ?? '') !== organization.notes) change.notes = request.notes ?? '';
  return change;
}

/** What is said beside a field: a sentence of the app's (with its values), or the server's own
 * words when the app has none for it. */
export type Said = { key: MessageKey; params?: Record<string, string> } | { text: string };

/** The row where `domain` (as the server names it) was typed, if any. */
function rowNamed(message: string, rows: readonly DomainRow[]): { index: number; domain: string } | null {
  const words = message.split(/[\s"'“”«»‘’,;:()]+/).filter(Boolean);
  for (const [index, row] of rows.entries()) {
    const found = normaliseDomain(row.value);
    const domain = 'domain' in found ? found.domain : '';
    const typed = row.value.trim();
    if ((domain && words.includes(domain)) || (typed && words.includes(typed))) return { index, domain: domain || typed };
  }
  return null;
}

/** The server's refusal of the form, by the form's fields: the name taken, a domain another
 * organisation holds (`domain_taken`, the field's message naming it) or one that cannot be held
 * (a public mail provider's: the form's own checks have let every other shape through), beside
 * the row it was typed in; what names no field the form has goes with the whole form. `{}` for a
 * refusal that is not about the fields (the network, a lost session). */
export function organizationRefusal(error: unknown, domains: readonly DomainRow[]): Partial<Record<OrganizationFormError, Said>> {
  const found: Partial<Record<OrganizationFormError, Said>> = {};
  if (!(error instanceof ApiProblem)) return found;
  if (error.code === 'organization_name_taken') {
    found.name = { key: 'organizations.form.name_taken' };
    return found;
  }
  if (error.code !== 'domain_taken' && error.code !== 'validation_failed') return found;
  const taken = error.code === 'domain_taken';
  for (const e of error.errors) {
    const field = e.field.split(/[.[]/)[0];
    if (field === 'domains') {
      const row = rowNamed(e.message, domains);
      const key: MessageKey = taken ? 'organizations.form.domain_taken' : 'organizations.form.domain_public';
      if (row) found[domainError(row.index)] ??= { key, params: { domain: row.domain } };
      else found.domains ??= { text: e.message };
    } else if (field === 'name') found.name ??= { key: 'organizations.form.name_long' };
    else if (field === 'notes') found.notes ??= { key: 'organizations.form.notes_long' };
    else found.form ??= { text: e.message };
  }
  // A domain taken, the field unnamed: the problem's own sentence, with the form.
  if (taken && !Object.keys(found).length) found.domains = { text: error.message };
  return found;
}

/** Where a ticket's organisation may go: none, or one of its requester's organisations (each
 * named); the ticket's own stays among them when its requester has left it (`unknown`: not
 * among theirs, its name to be found elsewhere). */
export function ticketOrganizationChoices(current: string | null | undefined, organizations: readonly CustomerOrganization[]): { id: string; name: string | null }[] {
  const choices: { id: string; name: string | null }[] = organizations.map((o) => ({ id: o.id, name: o.name }));
  if (current && !organizations.some((o) => o.id === current)) choices.push({ id: current, name: null });
  return choices;
}

/** A customer's organisations in the order the panel lists them: the primary first, then by name. */
export function byPrimaryThenName<T extends { primary: boolean; name: string }>(organizations: readonly T[]): T[] {
  return [...organizations].sort((a, b) => Number(b.primary) - Number(a.primary) || a.name.localeCompare(b.name));
}

/** The list's address, with the words searched (`/organizations?q=acme`). */
export function listHref(q: string): string {
  const words = q.trim();
  return words ? `/organizations?${new URLSearchParams({ q: words }).toString()}` : '/organizations';
}

/** What the pages hand each other through the history entry: the organisation just made (its
 * page says so), the one just deleted (the list says so). */
export interface CreatedOrganization {
  createdOrganization: string;
}

export interface DeletedOrganization {
  deletedOrganization: string;
}

/** The name of the organisation whose page was opened right after it was made. */
export function createdOrganization(state: unknown): string | null {
  const name = (state as Partial<CreatedOrganization> | null)?.createdOrganization;
  return typeof name === 'string' ? name : null;
}

/** The name of the organisation deleted just before the list was shown. */
export function deletedOrganization(state: unknown): string | null {
  const name = (state as Partial<DeletedOrganization> | null)?.deletedOrganization;
  return typeof name === 'string' ? name : null;
}

/** The server's refusal of a customer added to an organisation, for beside the customer field: a
 * member of the support team (a field error on `user_id`), or one in twenty organisations already.
 * Anything else (the network, a person gone) is not about the field: `null`, for an alert. */
export function memberRefusal(error: unknown): MessageKey | null {
  if (!(error instanceof ApiProblem)) return null;
  if (error.code === 'limit_reached') return 'organizations.members.limit';
  if (error.code === 'validation_failed' && error.errors.some((e) => e.field === 'user_id')) return 'organizations.members.staff';
  return null;
}

/** The words for an organisation a rule or an SLA policy names, among those the choosers read:
 * its name; "Loading…" while they load; when it is not among them, `null` if they are all there
 * (it was deleted since: the caller says so in its own words), else that it is beyond the ones
 * read. */
export function organizationLabel(id: string, choices: OrganizationChoices | undefined): string | null {
  if (!choices) return t('common.loading');
  const found = choices.organizations.find((o) => o.id === id);
  if (found) return found.name;
  return choices.complete ? null : t('organizations.choice.unlisted', { count: formatNumber(CHOICES_MAX) });
}

/** Said under a chooser that offers only the first of many organisations; `undefined` when it
 * offers them all (or while they load). */
export function partialChoicesHint(choices: OrganizationChoices | undefined): string | undefined {
  return choices && !choices.complete ? t('organizations.choice.partial', { count: formatNumber(CHOICES_MAX) }) : undefined;
}
