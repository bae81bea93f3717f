/**
 * What a customer's organisations change on the portal: the organisations whose tickets they may
 * list beside their own (a manager's, or one sharing its tickets), which of those the address
 * chose (`/?organization_id=...`), and, on a ticket, whether it is a colleague's and what they may
 * do on it. The server decides what they see and refuses the rest; the portal offers only what
 * it allows: a colleague's ticket is read, and answered only while its organisation shares
 * replies (`shared_comments`); rating it, moving its status and copying people stay its
 * requester's.
 */

import type { OrganizationMembership } from '../data/organizations';

/** The organisations whose tickets the caller sees beyond their own: they manage it, or it shares
 * its tickets. A member of one that does not share sees only their own tickets there: no tab. */
export function sharedOrganizations(memberships: readonly OrganizationMembership[]): OrganizationMembership[] {
  return memberships.filter((m) => m.role === 'manager' || m.shared_tickets);
}

/** The organisation the address names (`organization_id`), when it is one of `shown`. */
export function chosenOrganization(query: URLSearchParams, shown: readonly OrganizationMembership[]): OrganizationMembership | null {
  const id = query.get('organization_id')?.toLowerCase();
  return (id && shown.find((m) => m.id === id)) || null;
}

/** The address of the list of an organisation's tickets, or of the caller's own (`null`). */
export function ticketsHref(organization: string | null): string {
  return organization ? `/?${new URLSearchParams({ organization_id: organization }).toString()}` : '/';
}

/** A ticket as the caller stands to it: their own, or a colleague's (with the organisation it is
 * in, when the caller belongs to it, and whether they may write on it). */
export type TicketStanding =
  | { kind: 'own' }
  | { kind: 'colleague'; organization: OrganizationMembership | null; mayWrite: boolean };

export function ticketStanding(ticket: { user_id: string; organization_id?: string | null }, me: string, memberships: readonly OrganizationMembership[] | undefined): TicketStanding {
  if (ticket.user_id === me) return { kind: 'own' };
  const organization = (ticket.organization_id && memberships?.find((m) => m.id === ticket.organization_id)) || null;
  return { kind: 'colleague', organization, mayWrite: organization?.shared_comments === true };
}
