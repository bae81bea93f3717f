/**
 * Addresses suggested while adding a participant to a ticket: the people the console knows (the
 * team, and for owners and admins the members, customers included) whose name or address holds
 * what is typed, without case or accents; those on the ticket already, and its customer, left
 * out; only the staff for a follower. Any address may still be typed.
 */

import type { ParticipantKind } from '../data/participants';
import { sameAddress } from '../participants/participants';
import { fold } from './macros';
import type { Person } from './people';

/** How many addresses one list suggests. */
export const SUGGESTED = 10;

export interface Suggestion {
  email: string;
  /** What the list shows beside the address: the person's name. */
  name: string;
}

/** The suggestions for what is typed: those whose address or name starts with it first, then
 * those holding every word of it; each group by name. */
export function addressSuggestions(
  people: readonly Person[],
  typed: string,
  options: { kind: ParticipantKind; exclude: readonly string[]; limit?: number },
): Suggestion[] {
  const query = fold(typed).trim();
  const words = query.split(/\s+/).filter(Boolean);
  const seen = new Set<string>();
  const ranked: [number, Suggestion][] = [];
  for (const person of people) {
    const email = person.email?.trim();
    if (!email || seen.has(email.toLowerCase())) continue;
    if (options.exclude.some((address) => sameAddress(address, email))) continue;
    if (options.kind === 'follower' && (person.role === undefined || person.role === 'customer')) continue;
    const name = fold(person.name);
    const address = fold(email);
    const text = `${name} ${address}`;
    if (!words.every((w) => text.includes(w))) continue;
    seen.add(email.toLowerCase());
    const rank = !query || address.startsWith(query) || name.startsWith(query) ? 0 : 1;
    ranked.push([rank, { email, name: person.name }]);
  }
  return ranked
    .sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name))
    .slice(0, options.limit ?? SUGGESTED)
    .map(([, suggestion]) => suggestion);
}

/** The name the organisation knows an address by, when it knows one (not just the address). */
export function knownName(people: readonly Person[], email: string): string | undefined {
  const name = people.find((person) => person.email !== undefined && sameAddress(person.email, email))?.name.trim();
  return name && !sameAddress(name, email) ? name : undefined;
}
