/**
 * A history entry as a sentence (its actor, then what changed), from the fields the server
 * records: `changes` is `{field: [old, new]}`, or the missed target for an SLA breach. What a
 * team's routing did is told as done by "Automatic assignment", what a rule did by the rule
 * ("Rule “Route billing”"). A change of tags says which were added and which taken off
 * (`changes.tags` is `[before, after]`, whole lists); a change of fields, what each field
 * changed was set to or that it was cleared (`changes.fields` is `[before, after]`, objects of
 * the keys that changed), each field by its label. Who was put in copy or made a follower, and
 * who no longer is (`changes.cc`, `changes.followers`: the addresses before and after); a link
 * added or taken off (`changes.link`: `[null, other]` or `[other, null]`, naming the other ticket
 * and what it is to this one); a message split off (`changes.split`: `[message, new number]`); a
 * move between customer organisations (`changes.organization_id`), the organisation by its name.
 */

import type { Priority, TicketStatus } from '../../api/schemas';
import type { FieldDefinition } from '../../data/fields';
import { t, tn } from '../../i18n';
import { STATUS_LABEL } from '../../tickets/badges';
import { listOf, nameOfKey, valueText } from '../../tickets/fields';
import type { People } from '../people';
import { PRIORITIES } from '../queue/views';
import type { HistoryEntry } from '../../data/tickets';
import type { LinkKind } from '../../data/links';
import { quotedTags, tagDiff } from '../tags';

/** The system actor of what routing did (`{type: "system", name: "routing"}`). */
const ROUTING = 'routing';

export function actorName(entry: HistoryEntry, people: Pick<People, 'find'>, me: string): string {
  // A rule's name is null once it is deleted.
  if (entry.actor?.type === 'rule') return entry.actor.name ? t('rules.history.actor', { name: entry.actor.name }) : t('rules.history.actor_deleted');
  if (entry.actor?.type === 'system' && entry.actor.name === ROUTING) return t('teams.history.routing');
  if (entry.actor_kind === 'system') return t('console.history.system');
  if (entry.actor_id === me) return t('console.thread.you');
  // An API key acts as an integration, named as its key is.
  if (entry.actor?.type === 'integration') return t('console.history.integration', { name: entry.actor.name ?? t('console.history.integration_unnamed') });
  const person = people.find(entry.actor_id);
  if (person) return person.name;
  return entry.actor_kind === 'customer' ? t('console.thread.customer') : t('console.thread.staff');
}

const priorityName = (value: unknown) => (PRIORITIES.includes(value as Priority) ? t(`priority.${value as Priority}`) : String(value));

const status = (value: unknown) => (typeof value === 'string' && value in STATUS_LABEL ? t(STATUS_LABEL[value as TicketStatus]) : String(value));

/** One entry as a sentence; the fields it changed come from `changes` (`{field: [old, new]}`);
 * `teamName` names a team by its id (none for a team deleted since); `fields` are the ticket
 * fields' definitions, which name them and their values; `organizationName` names a customer
 * organisation by its id (none for one deleted since, or not known yet). */
export function describeEntry(
  entry: HistoryEntry,
  people: Pick<People, 'find'>,
  teamName: (id: string) => string | undefined = () => undefined,
  fields: readonly FieldDefinition[] = [],
  organizationName: (id: string) => string | undefined = () => undefined,
): string {
  const changes = (entry.changes ?? {}) as Record<string, unknown>;
  const pair = (field: string): [unknown, unknown] | null => {
    const value = changes[field];
    return Array.isArray(value) && value.length === 2 ? [value[0], value[1]] : null;
  };
  switch (entry.action) {
    case 'created': {
      // Tags given as it was opened: `[null, [...]]`.
      const { added } = tagDiff(null, pair('tags')?.[1]);
      return added.length ? tn('tags.history.created', added.length, { tags: quotedTags(added) }) : t('console.history.created');
    }
    case 'status_changed':
      return t('console.history.status', { from: status(entry.from_status), to: status(entry.to_status) });
    case 'assigned': {
      const assigned = pair('assigned_to');
      const to = assigned?.[1];
      const moved = entry.to_status && entry.from_status !== entry.to_status ? { from: status(entry.from_status), to: status(entry.to_status) } : null;
      if (typeof to !== 'string') return moved ? t('console.history.unassigned_moved', moved) : t('console.history.unassigned');
      const name = people.find(to)?.name ?? t('console.someone');
      return moved ? t('console.history.assigned_moved', { name, ...moved }) : t('console.history.assigned', { name });
    }
    case 'updated': {
      const priority = pair('priority');
      if (priority) return t('console.history.priority', { from: priorityName(priority[0]), to: priorityName(priority[1]) });
      const team = pair('team_id');
      if (team && Object.keys(changes).length === 1) {
        const [from, to] = team;
        if (typeof to === 'string') {
          const name = teamName(to);
          return name ? t('teams.history.moved', { team: name }) : t('teams.history.moved_unknown');
        }
        const name = typeof from === 'string' ? teamName(from) : undefined;
        return name ? t('teams.history.removed', { team: name }) : t('teams.history.removed_unknown');
      }
      const organization = pair('organization_id');
      if (organization && Object.keys(changes).length === 1) {
        const to = organization[1];
        if (typeof to !== 'string') return t('organizations.history.removed');
        const name = organizationName(to);
        return name ? t('organizations.history.moved', { name }) : t('organizations.history.moved_unknown');
      }
      const tags = pair('tags');
      if (tags && Object.keys(changes).length === 1) {
        const sentence = tagsSentence(tags[0], tags[1]);
        if (sentence) return sentence;
      }
      const values = pair('fields');
      if (values && Object.keys(changes).length === 1) {
        const sentence = fieldsSentence(values[0], values[1], fields);
        if (sentence) return sentence;
      }
      for (const kind of ['cc', 'followers'] as const) {
        const people = pair(kind);
        if (people && Object.keys(changes).length === 1) {
          const sentence = participantsSentence(kind, people[0], people[1]);
          if (sentence) return sentence;
        }
      }
      const link = pair('link');
      if (link && Object.keys(changes).length === 1) {
        const sentence = linkSentence(link[0], link[1]);
        if (sentence) return sentence;
      }
      const split = pair('split');
      if (split && Object.keys(changes).length === 1 && typeof split[1] === 'string') return t('links.history.split', { number: split[1] });
      return t('console.history.updated', { fields: Object.keys(changes).join(', ') });
    }
    case 'sla_breached':
      return changes.sla_type === 'response' ? t('console.history.breach_response') : t('console.history.breach_resolution');
  }
}

/** "added the tags “a”, “b”." and/or "removed the tag “c”.", from the tags before and after;
 * `null` when nothing differs. */
export function tagsSentence(before: unknown, after: unknown): string | null {
  const { added, removed } = tagDiff(before, after);
  const adding = added.length ? tn('tags.history.added', added.length, { tags: quotedTags(added) }) : null;
  const removing = removed.length ? tn('tags.history.removed', removed.length, { tags: quotedTags(removed) }) : null;
  if (adding && removing) return t('tags.history.both', { added: adding, removed: removing });
  const change = adding ?? removing;
  return change ? t('tags.history.one', { change }) : null;
}

/** "put “a” in copy." or "added the follower “b” and removed the follower “c”.", from the
 * addresses before and after; `null` when nothing differs. */
export function participantsSentence(kind: 'cc' | 'followers', before: unknown, after: unknown): string | null {
  const { added, removed } = tagDiff(before, after);
  const quoted = (emails: string[]) => emails.map((email) => t('participants.quoted', { email })).join(', ');
  const adding = added.length ? tn(kind === 'cc' ? 'participants.history.cc_added' : 'participants.history.followers_added', added.length, { emails: quoted(added) }) : null;
  const removing = removed.length ? tn(kind === 'cc' ? 'participants.history.cc_removed' : 'participants.history.followers_removed', removed.length, { emails: quoted(removed) }) : null;
  if (adding && removing) return t('participants.history.both', { added: adding, removed: removing });
  const change = adding ?? removing;
  return change ? t('participants.history.one', { change }) : null;
}

const LINKED: Record<LinkKind, 'links.history.added_parent' | 'links.history.added_child' | 'links.history.added_related'> = {
  parent: 'links.history.added_parent',
  child: 'links.history.added_child',
  related: 'links.history.added_related',
};

/** "linked TKT-… as a child of this ticket." or "removed the link to TKT-….", from the link
 * before and after (the other ticket's number and what it is to this one); `null` when neither
 * names a ticket. */
export function linkSentence(before: unknown, after: unknown): string | null {
  const other = (value: unknown) => {
    const { ticket_number: number, kind } = record(value);
    return typeof number === 'string' ? { number, kind: typeof kind === 'string' && kind in LINKED ? (kind as LinkKind) : 'related' } : null;
  };
  const added = other(after);
  if (added) return t(LINKED[added.kind], { number: added.number });
  const removed = other(before);
  return removed ? t('links.history.removed', { number: removed.number }) : null;
}

const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** "set “Order reference” to “A-123” and cleared “Size”.", from the fields' values before and
 * after (the keys that changed); `null` when nothing differs. A field deleted since is named by
 * its key. */
export function fieldsSentence(before: unknown, after: unknown, fields: readonly FieldDefinition[]): string | null {
  const was = record(before);
  const now = record(after);
  const keys = [...new Set([...Object.keys(now), ...Object.keys(was)])];
  const parts = keys.flatMap((key) => {
    const value = now[key];
    const field = t('fields.quoted', { field: nameOfKey(key, fields) });
    if (value === null || value === undefined) return key in was && was[key] !== null ? [t('fields.history.cleared', { field })] : [];
    const text = shorten(valueText(fields.find((f) => f.key === key), value));
    return [t('fields.history.set', { field, value: t('fields.quoted_value', { value: text }) })];
  });
  return parts.length ? t('fields.history.changed', { changes: listOf(parts) }) : null;
}

/** A long text cut at `max` characters, on one line. */
function shorten(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('').trimEnd()}…` : line;
}
