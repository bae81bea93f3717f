/** The signed-in person as this tenant knows them (`GET /v1/me`), for the pages below. */

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Member } from '../api/schemas';

export interface MemberContextValue {
  member: Member;
  slug: string;
  /** The organisation's name, as the session names it (its slug when it does not). */
  organisation: string;
}

export const MemberContext = createContext<MemberContextValue | null>(null);

export function useMember(): MemberContextValue {
  const value = useContext(MemberContext);
  if (!value) throw new Error('useMember outside a signed-in area');
  return value;
}

export function displayName(person: { firstname: string; lastname: string; email: string }): string {
  return `${person.firstname} ${person.lastname}`.trim() || person.email;
}
