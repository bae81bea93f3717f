import { describe, expect, it } from 'vitest';
import type { InboundEmail } from '../../data/inbound';
import { setLocale } from '../../i18n';
import { firstPage, outcomeBadge, parseState, quarantineHref, reasonText, sender, settle, withPage } from './inbound';

const mail = (id: number, changes: Partial<InboundEmail> = {}): InboundEmail => ({
  id,
  source: 'imap',
  from_address: `sender${id}@example.com`,
  from_name: '',
  subject: `Mail ${id}`,
  received_at: '2030-01-15T10:00:00Z',
  outcome: 'quarantined',
  reason: 'staff_spoof',
  ticket_id: null,
  message_id: null,
  size_bytes: 2048,
  ...changes,
});

describe('the address', () => {
  it('asks for the quarantine unless it says all', () => {
    expect(parseState(new URLSearchParams(''))).toBe('quarantined');
    expect(parseState(new URLSearchParams('state=all'))).toBe('all');
    expect(parseState(new URLSearchParams('state=bogus'))).toBe('quarantined');
    expect(quarantineHref('all')).toBe('/quarantine?state=all');
    expect(quarantineHref('quarantined')).toBe('/quarantine');
  });
});

describe('a mail in words', () => {
  it('says why it was held back, a reason unknown here as given, none as nothing', () => {
    setLocale('en');
    expect(reasonText('dmarc_fail')).toBe('Failed the sender’s domain check (DMARC)');
    expect(reasonText('staff_spoof')).toBe('Claims to come from a staff address, unverified');
    expect(reasonText('greylisted')).toBe('Other reason: greylisted');
    expect(reasonText('constructor')).toBe('Other reason: constructor');
    expect(reasonText(null)).toBeNull();
    setLocale('fr');
    expect(reasonText('bounce')).toBe('Avis de non-remise');
    setLocale('en');
  });

  it('tells held back, let in and dropped apart', () => {
    expect(outcomeBadge('quarantined')).toBe('badge badge--warn');
    expect(outcomeBadge('created')).toBe('badge badge--ok');
    expect(outcomeBadge('released')).toBe('badge badge--ok');
    expect(outcomeBadge('discarded')).toBe('badge');
  });

  it('names the sender with their name when it says more than the address', () => {
    expect(sender({ from_name: 'Léa Martin', from_address: 'lea@example.com' })).toBe('Léa Martin <lea@example.com>');
    expect(sender({ from_name: ' ', from_address: 'lea@example.com' })).toBe('lea@example.com');
    expect(sender({ from_name: 'lea@example.com', from_address: 'lea@example.com' })).toBe('lea@example.com');
  });
});

describe('the list', () => {
  it('goes on from next_before, without a mail twice', () => {
    const shown = firstPage({ items: [mail(9), mail(8)], next_before: 8 });
    expect(shown.before).toBe(8);
    const more = withPage(shown, { items: [mail(8), mail(7)], next_before: null });
    expect(more.items.map((m) => m.id)).toEqual([9, 8, 7]);
    expect(more.before).toBeNull();
    expect(firstPage({ items: [] }).before).toBeNull();
  });

  it('shows a release or a discard in place', () => {
    const shown = firstPage({ items: [mail(2), mail(1)], next_before: null });
    const released = settle(shown, 2, { outcome: 'released', ticket_id: 40, message_id: null });
    expect(released.items[0]).toMatchObject({ id: 2, outcome: 'released', ticket_id: 40, reason: 'staff_spoof' });
    expect(released.items[1]).toBe(shown.items[1]);
    expect(settle(released, 1, { outcome: 'discarded' }).items.map((m) => m.outcome)).toEqual(['released', 'discarded']);
  });
});
