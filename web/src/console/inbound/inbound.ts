/**
 * The quarantine page's logic: which list the address asks for, a mail's reason and outcome in
 * words, and the list kept as pages (newest first) that "load more" extends and that a release or
 * a discard changes in place.
 */

import { t, type MessageKey } from '../../i18n';
import type { InboundEmail, InboundOutcome, InboundPage, InboundState } from '../../data/inbound';

/** `/quarantine` holds the quarantined mail; `/quarantine?state=all` everything received. */
export function parseState(query: URLSearchParams): InboundState {
  return query.get('state') === 'all' ? 'all' : 'quarantined';
}

export function quarantineHref(state: InboundState): string {
  return state === 'all' ? '/quarantine?state=all' : '/quarantine';
}

const REASON: Record<string, MessageKey> = {
  dmarc_fail: 'inbound.reason.dmarc_fail',
  staff_spoof: 'inbound.reason.staff_spoof',
  auto_reply: 'inbound.reason.auto_reply',
  bounce: 'inbound.reason.bounce',
  own_mail: 'inbound.reason.own_mail',
  unknown_sender: 'inbound.reason.unknown_sender',
};

/** Why a mail was held back or ignored, in words; a reason this page does not know, as given;
 * `null` when there is none. */
export function reasonText(reason: string | null | undefined): string | null {
  if (!reason) return null;
  const known = Object.hasOwn(REASON, reason) ? REASON[reason] : undefined;
  return known ? t(known) : t('inbound.reason.other', { reason });
}

export const OUTCOME_LABEL: Record<InboundOutcome, MessageKey> = {
  created: 'inbound.outcome.created',
  appended: 'inbound.outcome.appended',
  duplicate: 'inbound.outcome.duplicate',
  quarantined: 'inbound.outcome.quarantined',
  ignored: 'inbound.outcome.ignored',
  released: 'inbound.outcome.released',
  discarded: 'inbound.outcome.discarded',
};

/** The badge of an outcome: let in, held back, or dropped. */
export function outcomeBadge(outcome: InboundOutcome): string {
  if (outcome === 'quarantined') return 'badge badge--warn';
  if (outcome === 'ignored' || outcome === 'discarded' || outcome === 'duplicate') return 'badge';
  return 'badge badge--ok';
}

/** The list as shown: the mail loaded (newest first) and the `before` of the next page. */
export interface InboundList {
  items: InboundEmail[];
  before: number | null;
}

export function firstPage(page: InboundPage): InboundList {
  return { items: page.items, before: page.next_before ?? null };
}

/** The next page appended, without a mail twice (mail arrived meanwhile shifts nothing: pages go
 * by id, but a page asked for twice must not double the list). */
export function withPage(shown: InboundList, page: InboundPage): InboundList {
  const held = new Set(shown.items.map((m) => m.id));
  return { items: [...shown.items, ...page.items.filter((m) => !held.has(m.id))], before: page.next_before ?? null };
}

/** What a release or a discard made of a mail, shown in place (the list is not read again, so
 * the mail stays where it was, with what it became). */
export type Settled = Pick<InboundEmail, 'outcome'> & Partial<Pick<InboundEmail, 'ticket_id' | 'message_id'>>;

export function settle(shown: InboundList, id: number, change: Settled): InboundList {
  return { ...shown, items: shown.items.map((m) => (m.id === id ? { ...m, ...change } : m)) };
}

/** The sender as people read it: "Name <address>", or the address alone. */
export function sender(mail: Pick<InboundEmail, 'from_name' | 'from_address'>): string {
  const name = mail.from_name.trim();
  return name && name !== mail.from_address ? `${name} <${mail.from_address}>` : mail.from_address;
}
