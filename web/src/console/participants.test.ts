import { describe, expect, it } from 'vitest';
import { addressSuggestions, knownName } from './participants';
import type { Person } from './people';

const people: Person[] = [
  { id: '1', name: 'Inès Moreau', email: 'ines@example.org', role: 'agent' },
  { id: '2', name: 'Nadia Roux', email: 'nadia@example.org', role: 'admin' },
  { id: '3', name: 'Léa Martin', email: 'lea.martin@client.example', role: 'customer' },
  { id: '4', name: 'Marc Durand', email: 'marc@client.example', role: 'customer' },
  { id: '5', name: 'Someone assigned', role: 'agent' },
  { id: '6', name: 'zoe@client.example', email: 'zoe@client.example', role: 'customer' },
];

const emails = (list: { email: string }[]) => list.map((s) => s.email);

describe('address suggestions', () => {
  it('match names and addresses without case or accents, those starting with it first', () => {
    expect(emails(addressSuggestions(people, 'ines', { kind: 'cc', exclude: [] }))).toEqual(['ines@example.org']);
    expect(emails(addressSuggestions(people, 'LEA', { kind: 'cc', exclude: [] }))).toEqual(['lea.martin@client.example']);
    expect(emails(addressSuggestions(people, 'client', { kind: 'cc', exclude: [] }))).toEqual(['lea.martin@client.example', 'marc@client.example', 'zoe@client.example']);
    expect(emails(addressSuggestions(people, 'mar', { kind: 'cc', exclude: [] }))).toEqual(['marc@client.example', 'lea.martin@client.example']);
    expect(emails(addressSuggestions(people, 'roux nadia', { kind: 'cc', exclude: [] }))).toEqual(['nadia@example.org']);
  });

  it('leave out those on the ticket already and its customer, and anyone without an address', () => {
    const all = emails(addressSuggestions(people, '', { kind: 'cc', exclude: ['LEA.martin@client.example', 'ines@example.org'] }));
    expect(all).toEqual(['marc@client.example', 'nadia@example.org', 'zoe@client.example']);
  });

  it('offer only the staff for a follower', () => {
    expect(emails(addressSuggestions(people, '', { kind: 'follower', exclude: [] }))).toEqual(['ines@example.org', 'nadia@example.org']);
  });

  it('stop at the limit', () => {
    expect(addressSuggestions(people, '', { kind: 'cc', exclude: [], limit: 2 })).toHaveLength(2);
  });

  it('give the name an address is known by, not the address itself', () => {
    expect(knownName(people, ' NADIA@example.org')).toBe('Nadia Roux');
    expect(knownName(people, 'zoe@client.example')).toBeUndefined();
    expect(knownName(people, 'nobody@example.org')).toBeUndefined();
  });
});
