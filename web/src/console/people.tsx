//! Names for the user ids tickets carry. Everyone on the staff reads the support team
//! (`GET /v1/staff`); owners and admins also read the members list, customers included. On a
//! ticket's page, the ticket names its own customer and assignee, so even an agent knows who it
//! is about. A name that is not known shows as the person's part (customer, staff) instead.

import { createContext, type ComponentChildren } from 'preact';
import { useContext, useMemo } from 'preact/hooks';
import { api } from '../api';
import type { TicketDetail } from '../api/schemas';
import { displayName, useMember } from '../tenant/member';
import { useLoad } from '../ui/hooks';
import { isAdmin } from './roles';

export interface Person {
  id: string;
  name: string;
  /** Unknown for an assignee named by a ticket only. */
  email?: string;
  role?: string;
}

export interface People {
  /** Staff a ticket can be assigned to (just the caller while the team is not known). */
  staff: Person[];
  find(id: string | null | undefined): Person | undefined;
}

/** Enough for any organisation's staff and a good share of its customers, in a few calls. */
const MAX_PAGES = 10;

const PeopleContext = createContext<People>({ staff: [], find: () => undefined });

export function usePeople(): People {
  return useContext(PeopleContext);
}

export function PeopleProvider({ children }: { children: ComponentChildren }) {
  const { member, slug } = useMember();
  const admin = isAdmin(member.role);
  const team = useLoad(async (signal) => (await allStaff(signal)).map(staffPerson), [slug]);
  const members = useLoad(async (signal) => (admin ? (await allMembers(slug, signal)).map(toPerson) : []), [admin, slug]);
  const value = useMemo<People>(() => {
    const me: Person = { id: member.id, name: displayName(member), email: member.email, role: member.role };
    const everyone = new Map<string, Person>([[me.id, me]]);
    for (const person of members.data ?? []) everyone.set(person.id, person);
    // The team list is the tenant plane's own (active staff only), so it wins over the members
    // list, which the control plane keeps.
    for (const person of team.data ?? []) everyone.set(person.id, person);
    const staff = team.data
      ? [...team.data]
      : admin
        ? [...everyone.values()].filter((p) => p.role !== 'customer')
        : [me];
    if (!staff.some((p) => p.id === me.id)) staff.push(me);
    staff.sort((a, b) => a.name.localeCompare(b.name));
    return { staff, find: (id) => (id ? everyone.get(id) : undefined) };
  }, [team.data, members.data, member, admin]);
  return <PeopleContext.Provider value={value}>{children}</PeopleContext.Provider>;
}

/** The people of the console, plus those a ticket names (its customer, its assignee). */
export function TicketPeople({ ticket, children }: { ticket: TicketDetail; children: ComponentChildren }) {
  const people = usePeople();
  const { customer, assignee } = ticket;
  const value = useMemo<People>(() => {
    const named = new Map<string, Person>();
    if (customer) named.set(customer.id, { id: customer.id, name: displayName(customer), email: customer.email, role: 'customer' });
    if (assignee) named.set(assignee.id, { id: assignee.id, name: fullName(assignee) ?? '' });
    return {
      staff: people.staff,
      find: (id) => {
        const known = people.find(id);
        if (known || !id) return known;
        const person = named.get(id);
        return person?.name ? person : undefined;
      },
    };
  }, [people, customer, assignee]);
  return <PeopleContext.Provider value={value}>{children}</PeopleContext.Provider>;
}

/** First and last name, or nothing when both are empty (an erased person). */
export function fullName(person: { firstname: string; lastname: string }): string | undefined {
  return `${person.firstname} ${person.lastname}`.trim() || undefined;
}

/** Every page of a list, up to the bound. */
async function pages<T>(page: (cursor: string | undefined) => Promise<{ data: T[]; next_cursor?: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n += 1) {
    const answer = await page(cursor);
    items.push(...answer.data);
    if (!answer.next_cursor) break;
    cursor = answer.next_cursor;
  }
  return items;
}

export type StaffMember = Awaited<ReturnType<typeof staffPage>>['data'][number];

function staffPage(cursor: string | undefined, signal: AbortSignal) {
  return api('GET', '/v1/staff', { query: { limit: 100, cursor }, signal });
}

/** The active support team (owners, admins, agents), a hundred at a time, up to a bound. */
export function allStaff(signal: AbortSignal): Promise<StaffMember[]> {
  return pages((cursor) => staffPage(cursor, signal));
}

function staffPerson(m: StaffMember): Person {
  return { id: m.id, name: displayName(m), email: m.email, role: m.role };
}

export type MemberView = Awaited<ReturnType<typeof membersPage>>['data'][number];

function membersPage(slug: string, cursor: string | undefined, signal: AbortSignal) {
  return api('GET', '/v1/tenants/{slug}/members', { path: { slug }, query: { limit: 100, cursor }, signal });
}

/** The organisation's members, a hundred at a time, up to a bound. */
export function allMembers(slug: string, signal: AbortSignal): Promise<MemberView[]> {
  return pages((cursor) => membersPage(slug, cursor, signal));
}

function toPerson(m: MemberView): Person {
  return { id: m.user_id, name: displayName(m), email: m.email, role: m.role };
}
