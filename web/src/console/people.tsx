//! Names for the user ids tickets carry. The tenant plane gives ids only; owners and admins can
//! read the staff (workload) and the members list, agents know only themselves. A name that is
//! not known shows as the person's part (customer, staff) instead.

import { createContext, type ComponentChildren } from 'preact';
import { useContext, useMemo } from 'preact/hooks';
import { api } from '../api';
import { displayName, useMember } from '../tenant/member';
import { useLoad } from '../ui/hooks';
import { isAdmin } from './roles';

export interface Person {
  id: string;
  name: string;
  email: string;
  role: string;
}

export interface People {
  /** Staff a ticket can be assigned to (just the caller for an agent). */
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
  const loaded = useLoad(async (signal) => (admin ? (await allMembers(slug, signal)).map(toPerson) : []), [admin, slug]);
  const value = useMemo<People>(() => {
    const me: Person = { id: member.id, name: displayName(member), email: member.email, role: member.role };
    const everyone = new Map<string, Person>([[me.id, me]]);
    for (const person of loaded.data ?? []) everyone.set(person.id, person);
    const staff = admin ? [...everyone.values()].filter((p) => p.role !== 'customer') : [me];
    staff.sort((a, b) => a.name.localeCompare(b.name));
    return { staff, find: (id) => (id ? everyone.get(id) : undefined) };
  }, [loaded.data, member, admin]);
  return <PeopleContext.Provider value={value}>{children}</PeopleContext.Provider>;
}

export type MemberView = Awaited<ReturnType<typeof membersPage>>['data'][number];

function membersPage(slug: string, cursor: string | undefined, signal: AbortSignal) {
  return api('GET', '/v1/tenants/{slug}/members', { path: { slug }, query: { limit: 100, cursor }, signal });
}

/** The organisation's members, a hundred at a time, up to a bound. */
export async function allMembers(slug: string, signal: AbortSignal): Promise<MemberView[]> {
  const members: MemberView[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await membersPage(slug, cursor, signal);
    members.push(...answer.data);
    if (!answer.next_cursor) break;
    cursor = answer.next_cursor;
  }
  return members;
}

function toPerson(m: MemberView): Person {
  return { id: m.user_id, name: displayName(m), email: m.email, role: m.role };
}
