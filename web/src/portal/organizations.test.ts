import { describe, expect, it } from 'vitest';
import type { OrganizationMembership } from '../data/organizations';
import { chosenOrganization, sharedOrganizations, ticketStanding, ticketsHref } from './organizations';

const me = 'c0000000-0000-4000-8000-000000000001';
const colleague = 'c0000000-0000-4000-8000-000000000002';

const membership = (over: Partial<OrganizationMembership>): OrganizationMembership => ({
  id: 'd0000000-0000-4000-8000-000000000001',
  name: 'Acme',
  role: 'member',
  primary: true,
  shared_tickets: false,
  shared_comments: false,
  ...over,
});

const managed = membership({ id: 'd0000000-0000-4000-8000-00000000000a', name: 'Acme', role: 'manager' });
const sharing = membership({ id: 'd0000000-0000-4000-8000-00000000000b', name: 'Beta', shared_tickets: true, shared_comments: true });
const closed = membership({ id: 'd0000000-0000-4000-8000-00000000000c', name: 'Gamma' });

describe('the tabs of My tickets', () => {
  it('offers the organisations the caller manages or that share their tickets, never one that does not', () => {
    expect(sharedOrganizations([managed, sharing, closed]).map((m) => m.name)).toEqual(['Acme', 'Beta']);
    expect(sharedOrganizations([closed])).toEqual([]);
  });

  it('reads the organisation chosen from the address, only among those offered', () => {
    const shown = [managed, sharing];
    expect(chosenOrganization(new URLSearchParams({ organization_id: sharing.id.toUpperCase() }), shown)).toBe(sharing);
    expect(chosenOrganization(new URLSearchParams({ organization_id: closed.id }), shown)).toBeNull();
    expect(chosenOrganization(new URLSearchParams(), shown)).toBeNull();
  });

  it('writes the address of each tab', () => {
    expect(ticketsHref(null)).toBe('/');
    expect(ticketsHref(managed.id)).toBe(`/?organization_id=${managed.id}`);
  });
});

describe('a ticket as the caller stands to it', () => {
  it('is their own whatever its organisation', () => {
    expect(ticketStanding({ user_id: me, organization_id: managed.id }, me, [managed])).toEqual({ kind: 'own' });
  });

  it('is a colleague’s, answered only while its organisation shares replies', () => {
    expect(ticketStanding({ user_id: colleague, organization_id: sharing.id }, me, [managed, sharing])).toEqual({ kind: 'colleague', organization: sharing, mayWrite: true });
    expect(ticketStanding({ user_id: colleague, organization_id: managed.id }, me, [managed, sharing])).toEqual({ kind: 'colleague', organization: managed, mayWrite: false });
  });

  it('offers no writing while the memberships are not known, or for an organisation not among them', () => {
    expect(ticketStanding({ user_id: colleague, organization_id: sharing.id }, me, undefined)).toEqual({ kind: 'colleague', organization: null, mayWrite: false });
    expect(ticketStanding({ user_id: colleague, organization_id: null }, me, [sharing])).toEqual({ kind: 'colleague', organization: null, mayWrite: false });
  });
});
