//! The ticket's history: every change, who made it and when, oldest first.

import { useId } from 'preact/hooks';
import type { Priority, TicketStatus } from '../../api/schemas';
import { formatDateTime, t } from '../../i18n';
import { useMember } from '../../tenant/member';
import { EmptyState, ErrorAlert, Loading } from '../../ui/status';
import { STATUS_LABEL } from '../badges';
import { usePeople, type People } from '../people';
import { PRIORITIES } from '../queue/views';
import type { HistoryEntry, useHistory } from './data';

export function HistoryPanel({ history }: { history: ReturnType<typeof useHistory> }) {
  const id = useId();
  const people = usePeople();
  const { member } = useMember();
  const entries = history.data ?? [];
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{t('console.history.title')}</h2>
      {history.error ? <ErrorAlert error={history.error} onRetry={history.reload} /> : null}
      {history.loading && !history.data ? <Loading /> : null}
      {history.data && entries.length === 0 ? <EmptyState title={t('console.history.empty')} /> : null}
      {entries.length ? (
        <ol class="timeline">
          {entries.map((entry) => (
            <li key={entry.id}>
              <time dateTime={entry.created_at}>{formatDateTime(entry.created_at)}</time>
              <p>
                <strong>{actorName(entry, people, member.id)}</strong> {describeEntry(entry, people)}
              </p>
              {entry.reason ? <p class="hint">{t('console.history.reason', { reason: entry.reason })}</p> : null}
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}

function actorName(entry: HistoryEntry, people: People, me: string): string {
  if (entry.actor_kind === 'system') return t('console.history.system');
  if (entry.actor_id === me) return t('console.thread.you');
  const person = people.find(entry.actor_id);
  if (person) return person.name;
  return entry.actor_kind === 'customer' ? t('console.thread.customer') : t('console.thread.staff');
}

const priorityName = (value: unknown) => (PRIORITIES.includes(value as Priority) ? t(`priority.${value as Priority}`) : String(value));

const status = (value: unknown) => (typeof value === 'string' && value in STATUS_LABEL ? t(STATUS_LABEL[value as TicketStatus]) : String(value));

/** One entry as a sentence; the fields it changed come from `changes` (`{field: [old, new]}`). */
function describeEntry(entry: HistoryEntry, people: People): string {
  const changes = (entry.changes ?? {}) as Record<string, unknown>;
  const pair = (field: string): [unknown, unknown] | null => {
    const value = changes[field];
    return Array.isArray(value) && value.length === 2 ? [value[0], value[1]] : null;
  };
  switch (entry.action) {
    case 'created':
      return t('console.history.created');
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
      return t('console.history.updated', { fields: Object.keys(changes).join(', ') });
    }
    case 'sla_breached':
      return changes.sla_type === 'response' ? t('console.history.breach_response') : t('console.history.breach_resolution');
  }
}
