import { describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import type { HistoryEntry } from '../../data/tickets';
import type { FieldDefinition } from '../../data/fields';
import { actorName, describeEntry, fieldsSentence, linkSentence, participantsSentence, tagsSentence } from './history';
import { fieldDefinition } from '../../tickets/fields.fixture';

const me = 'b3f0c2a4-0000-4000-8000-000000000001';
const inès = 'b3f0c2a4-0000-4000-8000-000000000002';
const people = { find: (id: string | null | undefined) => (id === inès ? { id, name: 'Inès Moreau', email: 'i@example.org', role: 'agent' } : undefined) };
// `changes` is a free-form object in the contract.
const entry = ({ changes = {}, ...over }: Partial<Omit<HistoryEntry, 'changes'>> & { changes?: Record<string, unknown> }): HistoryEntry => ({
  id: 1,
  actor_kind: 'agent',
  actor_id: me,
  actor: { id: me, type: 'user' },
  action: 'created',
  created_at: '2030-01-01T00:00:00Z',
  ...over,
  changes: changes as HistoryEntry['changes'],
});

describe('history sentences', () => {
  it('name the actor', () => {
    setLocale('en');
    expect(actorName(entry({}), people, me)).toBe('You');
    expect(actorName(entry({ actor_id: inès }), people, me)).toBe('Inès Moreau');
    expect(actorName(entry({ actor_kind: 'customer', actor_id: 'x' }), people, me)).toBe('Customer');
    expect(actorName(entry({ actor_kind: 'system', actor_id: null }), people, me)).toBe('Helpdeskly');
    expect(actorName(entry({ actor_id: 'k', actor: { id: 'k', name: 'CRM sync', type: 'integration' } }), people, me)).toBe('CRM sync (integration)');
    expect(actorName(entry({ actor_kind: 'system', actor_id: null, actor: { id: null, name: 'routing', type: 'system' } }), people, me)).toBe('Automatic assignment');
    // A rule's change, and one of a rule deleted since.
    const rule = 'c0ffee00-0000-4000-8000-0000000000e1';
    const byRule = (name: string | null) => entry({ actor_kind: 'system', actor_id: null, actor: { id: rule, name, type: 'rule' } });
    expect(actorName(byRule('Route billing'), people, me)).toBe('Rule “Route billing”');
    expect(actorName(byRule(null), people, me)).toBe('A rule deleted since');
    setLocale('fr');
    expect(actorName(byRule('Route billing'), people, me)).toBe('Règle « Route billing »');
    expect(actorName(entry({ actor_kind: 'system', actor_id: null, actor: { id: null, name: 'routing', type: 'system' } }), people, me)).toBe('Attribution automatique');
    setLocale('en');
  });

  it('say which team a ticket moved to, or left', () => {
    setLocale('en');
    const billing = 'c0ffee00-0000-4000-8000-000000000001';
    const teamName = (id: string) => (id === billing ? 'Billing' : undefined);
    expect(describeEntry(entry({ action: 'updated', changes: { team_id: [null, billing] } }), people, teamName)).toBe('moved it to the team “Billing”.');
    expect(describeEntry(entry({ action: 'updated', changes: { team_id: [billing, null] } }), people, teamName)).toBe('took it out of the team “Billing”.');
    expect(describeEntry(entry({ action: 'updated', changes: { team_id: [null, 'gone'] } }), people, teamName)).toBe('moved it to a team deleted since.');
    expect(describeEntry(entry({ action: 'updated', changes: { team_id: ['gone', null] } }), people)).toBe('took it out of its team.');
  });

  it('say which customer organisation a ticket moved to, or that it left its own', () => {
    setLocale('en');
    const acme = 'd0000000-0000-4000-8000-000000000001';
    const organizationName = (id: string) => (id === acme ? 'Acme' : undefined);
    const moved = (before: string | null, after: string | null) => describeEntry(entry({ action: 'updated', changes: { organization_id: [before, after] } }), people, undefined, [], organizationName);
    expect(moved(null, acme)).toBe('moved it to the customer organisation “Acme”.');
    expect(moved(acme, null)).toBe('took it out of its customer organisation.');
    expect(moved(acme, 'gone')).toBe('moved it to a customer organisation.');
    setLocale('fr');
    expect(moved(null, acme)).toBe('l’a placé dans l’organisation cliente « Acme ».');
    setLocale('en');
  });

  it('say which tags were added and which taken off, in English and in French', () => {
    setLocale('en');
    const tags = (before: unknown, after: unknown) => describeEntry(entry({ action: 'updated', changes: { tags: [before, after] } }), people);
    expect(tags(['refund'], ['carrier-late', 'refund', 'urgent'])).toBe('added the tags “carrier-late”, “urgent”.');
    expect(tags(['refund', 'urgent'], ['refund'])).toBe('removed the tag “urgent”.');
    expect(tags([], ['vip:gold'])).toBe('added the tag “vip:gold”.');
    expect(tags(['a', 'b'], [])).toBe('removed the tags “a”, “b”.');
    expect(tags(['a', 'c'], ['a', 'b'])).toBe('added the tag “b” and removed the tag “c”.');
    expect(describeEntry(entry({ action: 'created', changes: { priority: [null, 'medium'], tags: [null, ['refund', 'urgent']] } }), people)).toBe('opened the ticket with the tags “refund”, “urgent”.');
    expect(describeEntry(entry({ action: 'created', changes: { priority: [null, 'medium'] } }), people)).toBe('opened the ticket.');
    // Nothing told apart (never recorded so), or tags beside other fields: the plain sentence.
    expect(tagsSentence(['a'], ['a'])).toBeNull();
    expect(describeEntry(entry({ action: 'updated', changes: { tags: [['a'], ['a']] } }), people)).toBe('changed tags.');
    expect(describeEntry(entry({ action: 'updated', changes: { subject: ['x', 'y'], tags: [[], ['a']] } }), people)).toBe('changed subject, tags.');
    setLocale('fr');
    expect(tags(['refund'], ['carrier-late', 'refund', 'urgent'])).toBe('a ajouté les étiquettes « carrier-late », « urgent ».');
    expect(tags(['refund', 'urgent'], ['refund'])).toBe('a retiré l’étiquette « urgent ».');
    expect(tags(['a', 'c'], ['a', 'b'])).toBe('a ajouté l’étiquette « b » et a retiré l’étiquette « c ».');
    expect(describeEntry(entry({ action: 'created', changes: { tags: [null, ['refund']] } }), people)).toBe('a ouvert le ticket avec l’étiquette « refund ».');
    setLocale('en');
  });

  it('say what changed', () => {
    setLocale('en');
    expect(describeEntry(entry({ action: 'assigned', changes: { assigned_to: [null, inès] }, from_status: 'open', to_status: 'in_progress' }), people)).toBe(
      'assigned it to Inès Moreau, which moved it from “Open” to “In progress”.',
    );
    expect(describeEntry(entry({ action: 'assigned', changes: { assigned_to: [inès, null] }, from_status: 'in_progress', to_status: 'in_progress' }), people)).toBe('unassigned it.');
    expect(describeEntry(entry({ action: 'updated', changes: { priority: ['medium', 'urgent'] } }), people)).toBe('changed the priority from “Medium” to “Urgent”.');
    expect(describeEntry(entry({ action: 'updated', changes: { subject: ['a', 'b'] } }), people)).toBe('changed subject.');
    expect(describeEntry(entry({ action: 'sla_breached', changes: { sla_type: 'response' } }), people)).toBe('recorded that the first-reply target was missed.');
    expect(describeEntry(entry({ action: 'status_changed', from_status: 'in_progress', to_status: 'resolved' }), people)).toBe('moved it from “In progress” to “Resolved”.');
  });

  it('say what fields were set to, or that they were cleared, by their labels', () => {
    const definition = (key: string, type: FieldDefinition['type'], en: string, fr: string | null, options: FieldDefinition['options'] = []) => fieldDefinition({ key, label: { en, fr }, type, options });
    const fields = [
      definition('order_ref', 'text', 'Order reference', 'Référence de commande'),
      definition('warranty', 'checkbox', 'Warranty checked', 'Garantie vérifiée'),
      definition('colour', 'dropdown', 'Colour', null, [{ value: 'red', label: { en: 'Red', fr: 'Rouge' } }]),
    ];
    const changed = (before: unknown, after: unknown) => describeEntry(entry({ action: 'updated', changes: { fields: [before, after] } }), people, undefined, fields);
    setLocale('en');
    expect(changed({}, { order_ref: 'A-123' })).toBe('set “Order reference” to “A-123”.');
    expect(changed({ warranty: false, colour: 'red' }, { warranty: true, colour: null })).toBe('set “Warranty checked” to “Yes” and cleared “Colour”.');
    expect(changed({ size: 'L' }, {})).toBe('cleared “size”.');
    expect(changed({}, { order_ref: 'x'.repeat(200) })).toBe(`set “Order reference” to “${'x'.repeat(79)}…”.`);
    expect(fieldsSentence({}, {}, fields)).toBeNull();
    expect(describeEntry(entry({ action: 'updated', changes: { fields: [{}, { a: 1 }], tags: [[], ['b']] } }), people)).toBe('changed fields, tags.');
    setLocale('fr');
    expect(changed({}, { colour: 'red', warranty: true })).toBe('a mis « Colour » à « Rouge » et a mis « Garantie vérifiée » à « Oui ».');
    setLocale('en');
  });
});

describe('participants, links and splits in the history', () => {
  const updated = (changes: Record<string, unknown>) => describeEntry(entry({ action: 'updated', changes }), people);

  it('say who was put in copy or made a follower, and who no longer is', () => {
    setLocale('en');
    expect(updated({ cc: [[], ['zoe@example.org']] })).toBe('put “zoe@example.org” in copy.');
    expect(updated({ cc: [['zoe@example.org', 'marc@example.org'], ['zoe@example.org']] })).toBe('took “marc@example.org” out of copy.');
    expect(updated({ followers: [['a@example.org'], ['a@example.org', 'b@example.org', 'c@example.org']] })).toBe('added the followers “b@example.org”, “c@example.org”.');
    expect(participantsSentence('followers', ['a@example.org'], [])).toBe('removed the follower “a@example.org”.');
    expect(participantsSentence('cc', ['a@example.org'], ['b@example.org'])).toBe('put “b@example.org” in copy and took “a@example.org” out of copy.');
    expect(participantsSentence('cc', ['a@example.org'], ['a@example.org'])).toBeNull();
    setLocale('fr');
    expect(updated({ cc: [[], ['zoe@example.org']] })).toBe('a mis « zoe@example.org » en copie.');
    expect(updated({ followers: [['a@example.org'], []] })).toBe('a retiré l’abonné « a@example.org ».');
    setLocale('en');
  });

  it('say which ticket was linked, as what, or unlinked; and where a message was split off to', () => {
    setLocale('en');
    const other = (kind: string) => ({ ticket_id: 7, ticket_number: 'TKT-0000AB12', kind });
    expect(updated({ link: [null, other('child')] })).toBe('linked TKT-0000AB12 as a child of this ticket.');
    expect(updated({ link: [null, other('parent')] })).toBe('linked TKT-0000AB12 as the parent of this ticket.');
    expect(updated({ link: [null, other('related')] })).toBe('linked the related ticket TKT-0000AB12.');
    expect(updated({ link: [other('child'), null] })).toBe('removed the link to TKT-0000AB12.');
    expect(linkSentence(null, null)).toBeNull();
    expect(updated({ split: [42, 'TKT-0000CD34'] })).toBe('split a message off into the new ticket TKT-0000CD34.');
    setLocale('fr');
    expect(updated({ link: [null, other('child')] })).toBe('a lié TKT-0000AB12 comme enfant de ce ticket.');
    expect(updated({ split: [42, 'TKT-0000CD34'] })).toBe('a scindé un message vers le nouveau ticket TKT-0000CD34.');
    setLocale('en');
  });
});
