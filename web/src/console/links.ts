/**
 * Linked tickets as plain functions: what a linked ticket is to this one in words, the order
 * the panel lists them in, which children a resolution may take along, what was typed to name
 * the other ticket (its number, or its id), the server's refusals, and what a split sends.
 */

import { ApiProblem } from '../api/problem';
import type { TicketStatus } from '../api/schemas';
import type { LinkKind, TicketLink } from '../data/links';
import type { MessageKey } from '../i18n';
import { ticketNumber } from './rules';

/** The kinds the form offers, the most common first. */
export const LINK_KINDS = ['related', 'parent', 'child'] as const satisfies readonly LinkKind[];

/** What the other ticket is to this one, as its row says it. */
export const KIND_LABEL: Record<LinkKind, MessageKey> = {
  parent: 'links.kind.parent',
  child: 'links.kind.child',
  related: 'links.kind.related',
};

/** The same, as the form's choice says it. */
export const KIND_CHOICE: Record<LinkKind, MessageKey> = {
  related: 'links.add.kind_related',
  parent: 'links.add.kind_parent',
  child: 'links.add.kind_child',
};

const ORDER: Record<LinkKind, number> = { parent: 0, child: 1, related: 2 };

/** The parents first, then the children, then the related tickets; each group in the server's order. */
export function sortLinks<L extends Pick<TicketLink, 'kind'>>(links: readonly L[]): L[] {
  return links
    .map((link, index) => [link, index] as const)
    .sort(([a, i], [b, j]) => ORDER[a.kind] - ORDER[b.kind] || i - j)
    .map(([link]) => link);
}

const DONE: readonly TicketStatus[] = ['resolved', 'closed'];

/** The children not resolved yet: those a resolution may take along. */
export function openChildren<L extends Pick<TicketLink, 'kind' | 'status'>>(links: readonly L[] | undefined): L[] {
  return (links ?? []).filter((link) => link.kind === 'child' && !DONE.includes(link.status));
}

/** The other ticket as typed: its number (`TKT-128`, any case, as `ticketNumber` reads it), or its id
 * (digits, `#` before them allowed); `null` when it is neither. */
export type TicketRef = { id: number } | { number: string };

export function parseTicketRef(typed: string): TicketRef | null {
  const text = typed.trim();
  const digits = /^#?(\d{1,15})$/.exec(text);
  if (digits) {
    const id = Number(digits[1]);
    return id > 0 ? { id } : null;
  }
  const number = ticketNumber(text);
  return number ? { number } : null;
}

/** What the field says when the server found no such ticket among those the caller sees;
 * `null` for another refusal (its field errors are said beside the fields, the rest in an alert). */
export function linkRefusal(error: unknown): MessageKey | null {
  return error instanceof ApiProblem && error.status === 404 ? 'links.add.not_found' : null;
}

/** The subject a split sends: what was typed, trimmed, unless it is the ticket's own (the server
 * takes that one by default); `null` when nothing is typed. */
export function splitSubject(typed: string, current: string): string | undefined | null {
  const subject = typed.trim();
  if (!subject) return null;
  return subject === current.trim() ? undefined : subject;
}
