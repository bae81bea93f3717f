import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import { fieldsRefused } from '../api/problem.fixture';
import type { Organization } from '../data/organizations';
import { setLocale } from '../i18n';
import {
  byPrimaryThenName,
  checkOrganizationForm,
  createdOrganization,
  deletedOrganization,
  domainRow,
  emptyOrganization,
  listHref,
  memberRefusal,
  normaliseDomain,
  organizationChange,
  organizationFormValues,
  organizationLabel,
  organizationRefusal,
  partialChoicesHint,
  ticketOrganizationChoices,
  type OrganizationFormValues,
} from './organizations';

const acme = (over: Partial<Organization> = {}): Organization => ({
  id: 'a0000000-0000-4000-8000-000000000001',
  name: 'Acme Industries',
  domains: ['acme.com', 'acme.fr'],
  shared_tickets: false,
  shared_comments: false,
  notes: 'Contrat premium.',
  external_ids: {},
  member_count: 3,
  created_at: '2030-01-01T00:00:00Z',
  updated_at: '2030-01-02T00:00:00Z',
  ...over,
});

const form = (over: Partial<OrganizationFormValues> = {}): OrganizationFormValues => ({ ...emptyOrganization(), name: 'Acme', ...over });
const rows = (...values: string[]) => values.map((value) => domainRow(value));

describe('normaliseDomain', () => {
  it('holds a domain as the server does: trimmed, lower case, an internationalised name in its xn-- form', () => {
    expect(normaliseDomain('  Acme.COM ')).toEqual({ domain: 'acme.com' });
    expect(normaliseDomain('eu.acme.com.')).toEqual({ domain: 'eu.acme.com' });
    expect(normaliseDomain('bücher.de')).toEqual({ domain: 'xn--bcher-kva.de' });
    expect(normaliseDomain('   ')).toEqual({ domain: '' });
  });

  it('says why what is typed is not a domain', () => {
    expect(normaliseDomain('lea@acme.com')).toEqual({ error: 'organizations.form.domain_address' });
    for (const typed of ['*.acme.com', 'acme', 'acme .com', 'https://acme.com', '-acme.com', 'ac_me.com', `${'a'.repeat(64)}.com`]) {
      expect(normaliseDomain(typed), typed).toEqual({ error: 'organizations.form.domain_invalid' });
    }
  });

  it('leaves a public mail provider’s domain to the server', () => {
    expect(normaliseDomain('gmail.com')).toEqual({ domain: 'gmail.com' });
  });
});

describe('the organisation form', () => {
  it('asks for a name, before anything is sent', () => {
    expect(checkOrganizationForm(emptyOrganization())).toEqual({ errors: { name: 'organizations.form.name_required' }, request: null });
    expect(checkOrganizationForm(form({ name: 'x'.repeat(201) })).errors.name).toBe('organizations.form.name_long');
    expect(checkOrganizationForm(form({ notes: 'é'.repeat(10_001) })).errors.notes).toBe('organizations.form.notes_long');
  });

  it('flags each domain beside its row', () => {
    const found = checkOrganizationForm(form({ domains: rows('acme.com', 'lea@acme.com', '', 'acme') }));
    expect(found).toEqual({ errors: { 'domain.1': 'organizations.form.domain_address', 'domain.3': 'organizations.form.domain_invalid' }, request: null });
  });

  it('refuses more than twenty domains', () => {
    const many = rows(...Array.from({ length: 21 }, (_, n) => `site${n}.example`));
    expect(checkOrganizationForm(form({ domains: many })).errors.domains).toBe('organizations.form.domains_many');
  });

  it('sends the whole organisation: the name trimmed, empty rows left out, each domain once', () => {
    const values = form({ name: '  Acme ', domains: rows('ACME.com', '', 'acme.com', 'acme.fr'), sharedTickets: true, notes: 'VIP' });
    expect(checkOrganizationForm(values)).toEqual({
      errors: {},
      request: { name: 'Acme', domains: ['acme.com', 'acme.fr'], shared_tickets: true, shared_comments: false, notes: 'VIP' },
    });
  });

  it('starts from an organisation as it stands, with one row to type in when it holds no domain', () => {
    const values = organizationFormValues(acme({ shared_comments: true }));
    expect([values.name, values.domains.map((r) => r.value), values.sharedTickets, values.sharedComments, values.notes]).toEqual([
      'Acme Industries',
      ['acme.com', 'acme.fr'],
      false,
      true,
      'Contrat premium.',
    ]);
    expect(organizationFormValues(acme({ domains: [] })).domains.map((r) => r.value)).toEqual(['']);
    // Every row has a key of its own.
    expect(new Set(values.domains.map((r) => r.id)).size).toBe(2);
  });
});

describe('organizationChange', () => {
  it('holds only what differs, the domains as a set', () => {
    const same = checkOrganizationForm({ ...organizationFormValues(acme()), domains: rows('acme.fr', 'ACME.com') }).request!;
    expect(organizationChange(acme(), same)).toEqual({});
    const changed = checkOrganizationForm({ ...organizationFormValues(acme()), name: 'Acme SA', domains: rows('acme.com'), sharedTickets: true, notes: '' }).request!;
    expect(organizationChange(acme(), changed)).toEqual({ name: 'Acme SA', domains: ['acme.com'], shared_tickets: true, notes: '' });
  });
});

describe('organizationRefusal', () => {
  const typed = rows('acme.com', 'Gmail.com');

  it('says the name taken beside the name', () => {
    expect(organizationRefusal(new ApiProblem({ status: 409, code: 'organization_name_taken' }), typed)).toEqual({ name: { key: 'organizations.form.name_taken' } });
  });

  it('says a public mail provider’s domain beside the row it was typed in', () => {
    const refused = fieldsRefused([{ field: 'domains', message: "gmail.com is a public mail provider's: anyone may have an address there" }]);
    expect(organizationRefusal(refused, typed)).toEqual({ 'domain.1': { key: 'organizations.form.domain_public', params: { domain: 'gmail.com' } } });
  });

  it('says a domain another organisation holds beside its row, naming it', () => {
    const taken = new ApiProblem({
      status: 409,
      code: 'domain_taken',
      detail: 'another organisation holds acme.com',
      errors: [{ field: 'domains', message: 'acme.com is held by another organisation' }],
    });
    expect(organizationRefusal(taken, typed)).toEqual({ 'domain.0': { key: 'organizations.form.domain_taken', params: { domain: 'acme.com' } } });
    // No row holds it any more: the server's words, beside the list.
    expect(organizationRefusal(taken, rows('acme.fr'))).toEqual({ domains: { text: 'acme.com is held by another organisation' } });
  });

  it('puts what names no field of the form with the whole form, and leaves other refusals to an alert', () => {
    expect(organizationRefusal(fieldsRefused([{ field: 'external_ids', message: 'too many' }]), typed)).toEqual({ form: { text: 'too many' } });
    expect(organizationRefusal(fieldsRefused([{ field: 'notes', message: 'too long' }]), typed)).toEqual({ notes: { key: 'organizations.form.notes_long' } });
    expect(organizationRefusal(new ApiProblem({ status: 0, code: 'network_error' }), typed)).toEqual({});
    expect(organizationRefusal(new Error('boom'), typed)).toEqual({});
  });
});

describe('memberRefusal', () => {
  it('says a staff member or a twenty-first organisation beside the customer field', () => {
    expect(memberRefusal(fieldsRefused([{ field: 'user_id', message: 'a member of the staff' }]))).toBe('organizations.members.staff');
    expect(memberRefusal(new ApiProblem({ status: 422, code: 'limit_reached' }))).toBe('organizations.members.limit');
    expect(memberRefusal(new ApiProblem({ status: 404, code: 'not_found' }))).toBeNull();
  });
});

describe('the ticket’s organisation', () => {
  const theirs = [
    { id: 'b1', name: 'Zeta', role: 'member' as const, primary: false },
    { id: 'b2', name: 'Acme', role: 'manager' as const, primary: false },
    { id: 'b3', name: 'Mid', role: 'member' as const, primary: true },
  ];

  it('may move to another of its requester’s organisations; one they left stays, unnamed', () => {
    expect(ticketOrganizationChoices('b2', theirs)).toEqual([
      { id: 'b1', name: 'Zeta' },
      { id: 'b2', name: 'Acme' },
      { id: 'b3', name: 'Mid' },
    ]);
    expect(ticketOrganizationChoices('gone', theirs).at(-1)).toEqual({ id: 'gone', name: null });
    expect(ticketOrganizationChoices(null, [])).toEqual([]);
  });

  it('lists the customer’s organisations with the primary first, then by name', () => {
    expect(byPrimaryThenName(theirs).map((o) => o.name)).toEqual(['Mid', 'Acme', 'Zeta']);
  });
});

describe('the pages’ addresses and what they hand each other', () => {
  it('keeps the words searched in the address', () => {
    expect(listHref('')).toBe('/organizations');
    expect(listHref(' acme & co ')).toBe('/organizations?q=acme+%26+co');
  });

  it('reads the name of the organisation just made or just deleted', () => {
    expect(createdOrganization({ createdOrganization: 'Acme' })).toBe('Acme');
    expect(deletedOrganization({ deletedOrganization: 'Acme' })).toBe('Acme');
    expect(createdOrganization(null)).toBeNull();
    expect(deletedOrganization({ createdOrganization: 'Acme' })).toBeNull();
  });
});

describe('an organisation a rule or a policy names', () => {
  const read = { organizations: [{ id: 'a1', name: 'Acme Industries' }], complete: true };

  it('is named; loading until the organisations are read; gone (null) when they all were and it is not among them', () => {
    setLocale('en');
    expect(organizationLabel('a1', read)).toBe('Acme Industries');
    expect(organizationLabel('a1', undefined)).toBe('Loading…');
    expect(organizationLabel('a2', read)).toBeNull();
  });

  it('is beyond the ones read when only the first of many were, which the chooser says', () => {
    setLocale('en');
    const partial = { ...read, complete: false };
    expect(organizationLabel('a2', partial)).toBe('A customer organisation beyond the first 1,000');
    expect(organizationLabel('a1', partial)).toBe('Acme Industries');
    expect(partialChoicesHint(partial)).toBe('Only the first 1,000 customer organisations, by name, are offered here.');
    expect(partialChoicesHint(read)).toBeUndefined();
    expect(partialChoicesHint(undefined)).toBeUndefined();
  });
});
