//! Names for the user ids tickets carry. Everyone on the staff reads the support team
//! (`GET /v1/staff`); owners and admins also read the members list, customers included. On a
//! ticket's page, the ticket names its own customer and assignee, so even an agent knows who it
//! is about. A name that is not known shows as the person's part (customer, staff) instead.

import { createContext, type ComponentChildren } from 'preact';
import { useContext, useMemo } from 'preact/hooks';
import type { TicketDetail } from '../api/schemas';
import { displayName, useMember } from '../tenant/member';
import { allMembers, allStaff, type MemberView, type StaffMember } from '../data/people';
import { useResource } from '../data/resource';
import { isAdmin } from './roles';

export interface Person {
  id: string;
  name: string;
  /** Unknown for an assignee named by a ticket only. */
  email?: string;
  role?: string;
  /** Whether they take tickets now (staff, from the team list). */
  available?: boolean;
}

export interface People {
  /** Staff a ticket can be assigned to (just the caller while the team is not known). */
  staff: Person[];
  /** Everyone known by name and address: the team, and for owners and admins the members,
   * customers included (addresses suggested as a ticket's participants). */
  everyone: Person[];
  find(id: string | null | undefined): Person | undefined;
}

const PeopleContext = createContext<People>({ staff: [], everyone: [], find: () => undefined });

export function usePeople(): People {
  return useContext(PeopleContext);
}

export function PeopleProvider({ children }: { children: ComponentChildren }) {
  const { member, slug } = useMember();
  const admin = isAdmin(member.role);
  const team = useResource(`staff:${slug}`, async (signal) => (await allStaff(signal)).map(staffPerson));
  const members = useResource(`people:${slug}:${admin}`, async (signal) => (admin ? (await allMembers(slug, signal)).map(toPerson) : []));
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
    return { staff, everyone: [...everyone.values()], find: (id) => (id ? everyone.get(id) : undefined) };
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
      everyone: people.everyone,
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

function staffPerson(m: StaffMember): Person {
  return { id: m.id, name: displayName(m), email: m.email, role: m.role, available: m.available };
}

function toPerson(m: MemberView): Person {
  return { id: m.user_id, name: displayName(m), email: m.email, role: m.role };
}
