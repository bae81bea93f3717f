/**
 * Names for the user ids tickets carry. Everyone on the staff reads the support team
 * (`GET /v1/staff`); owners and admins also read the members list, customers included. On a
 * ticket's page, the ticket names its own customer and assignee, so even an agent knows who it
 * is about. A name that is not known shows as the person's part (customer, staff) instead. The
 * lists are read again when a picker of people opens and when the tab comes back, so someone
 * who just joined can be chosen without a reload. Neither is read with every page: the team
 * when a page needs it (a name it does not know, a picker or a list of the staff), the members
 * when the addresses they hold are offered (or a name the team does not hold is asked for).
 */

import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TicketDetail } from '../api/schemas';
import { useLocation } from '../router/router';
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
  /** Whether `staff` holds the team list (not just what is known without it). */
  readonly staffRead: boolean;
  /** Reads the lists again (a picker of people opening): someone who just joined is in it. */
  refresh(): void;
}

const PeopleContext = createContext<People>({ staff: [], everyone: [], find: () => undefined, staffRead: true, refresh: () => undefined });

/** The tab coming back reads them again unless they were read this recently. */
const FOCUS_FRESH_MS = 30_000;

export function usePeople(): People {
  return useContext(PeopleContext);
}

/** The people, read again as the caller (a form with a picker of people) opens. */
export function useFreshPeople(): People {
  const people = usePeople();
  const { refresh } = people;
  // Once, as the picker opens.
  useEffect(() => refresh(), []);
  return people;
}

export function PeopleProvider({ children }: { children: ComponentChildren }) {
  const { member, slug } = useMember();
  const admin = isAdmin(member.role);
  // Which lists a page has needed so far (none until it asks).
  const [wanted, setWanted] = useState({ team: false, members: false });
  const want = useCallback((list: 'team' | 'members') => {
    // Asked while rendering: the state moves once that render is done.
    queueMicrotask(() => setWanted((w) => (w[list] ? w : { ...w, [list]: true })));
  }, []);
  const team = useResource(`staff:${slug}:${wanted.team}`, async (signal) => (wanted.team ? (await allStaff(signal)).map(staffPerson) : undefined));
  const members = useResource(`people:${slug}:${admin}:${wanted.members}`, async (signal) =>
    admin && wanted.members ? (await allMembers(slug, signal)).map(toPerson) : wanted.members ? [] : undefined,
  );
  // No frame tells of someone joining or leaving: the lists are read again when a picker opens
  // on a page they were not read on (a page opening with the console reads them once), and when
  // the tab comes back, at most every so often.
  const { path } = useLocation();
  const visit = useRef({ path, number: 0 });
  if (visit.current.path !== path) visit.current = { path, number: visit.current.number + 1 };
  const readOnVisit = useRef(0);
  const readAt = useRef(Date.now());
  const { refresh: refreshTeam } = team;
  const { refresh: refreshMembers } = members;
  const refresh = useCallback(
    (why: 'picker' | 'focus') => {
      if (why === 'picker' ? readOnVisit.current === visit.current.number : Date.now() - readAt.current < FOCUS_FRESH_MS) return;
      readOnVisit.current = visit.current.number;
      readAt.current = Date.now();
      void refreshTeam();
      if (admin) void refreshMembers();
    },
    [refreshTeam, refreshMembers, admin],
  );
  // Fresh from the last answer, and read on this page (a first load included).
  useEffect(() => {
    if (!team.data) return;
    readAt.current = Date.now();
    readOnVisit.current = visit.current.number;
  }, [team.data]);
  useEffect(() => {
    const back = () => {
      if (document.visibilityState === 'visible') refresh('focus');
    };
    window.addEventListener('focus', back);
    document.addEventListener('visibilitychange', back);
    return () => {
      window.removeEventListener('focus', back);
      document.removeEventListener('visibilitychange', back);
    };
  }, [refresh]);
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
    const all = [...everyone.values()];
    const teamRead = team.data !== undefined;
    return {
      get staff() {
        if (!teamRead) want('team');
        return staff;
      },
      get everyone() {
        if (!teamRead) want('team');
        if (admin && members.data === undefined) want('members');
        return all;
      },
      find: (id) => {
        if (!id) return undefined;
        const person = everyone.get(id);
        if (!person) {
          if (!teamRead) want('team');
          else if (admin && members.data === undefined) want('members');
        }
        return person;
      },
      staffRead: teamRead,
      refresh: () => refresh('picker'),
    };
  }, [team.data, members.data, member, admin, refresh, want]);
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
      // Read through, so that a page reads the lists only when it uses them.
      get staff() {
        return people.staff;
      },
      get everyone() {
        return people.everyone;
      },
      get staffRead() {
        return people.staffRead;
      },
      refresh: people.refresh,
      find: (id) => {
        // The ticket's own names first: they need no list.
        const person = id ? named.get(id) : undefined;
        return person?.name ? person : people.find(id);
      },
    };
  }, [people, customer, assignee]);
  return <PeopleContext.Provider value={value}>{children}</PeopleContext.Provider>;
}

/** First and last name, or nothing when both are empty (an erased person). */
export function fullName(person: { firstname: string; lastname: string }): string | undefined {
  return `${person.firstname} ${person.lastname}`.trim() || undefined;
}

/** The name of staff member `id` from the staff list, read now: for a sentence about someone no
 * list of this page holds yet (routing just gave them a ticket). */
export async function staffName(id: string): Promise<string | undefined> {
  const found = (await allStaff()).find((m) => m.id === id);
  return found ? displayName(found) : undefined;
}

function staffPerson(m: StaffMember): Person {
  return { id: m.id, name: displayName(m), email: m.email, role: m.role, available: m.available };
}

function toPerson(m: MemberView): Person {
  return { id: m.user_id, name: displayName(m), email: m.email, role: m.role };
}
