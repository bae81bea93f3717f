/**
 * Who has the ticket: take it, give it to someone of the team (any staff member may hand a
 * ticket over), or put it back in the queue. A ticket waiting for the customer or resolved keeps
 * someone on it, so it can be reassigned but not unassigned. An agent who gives a ticket away
 * no longer sees it; the page says so (`TicketPage`). The team is read when the person picker
 * opens, not with the page.
 */

import { useId, useState } from 'preact/hooks';
import { assignTicket } from '../../data/tickets';
import type { TicketDetail } from '../../api/schemas';
import { t } from '../../i18n';
import { useMember } from '../../tenant/member';
import { useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Loading } from '../../ui/status';
import { useFreshPeople, usePeople, type People } from '../people';
import { Property } from './Property';

export function AssigneeControl({ ticket, onChanged, onAnnounce }: { ticket: TicketDetail; onChanged: () => Promise<void>; onAnnounce: (text: string) => void }) {
  const { member } = useMember();
  const people = usePeople();
  const submission = useSubmit();
  const [choosing, setChoosing] = useState(false);
  const id = useId();
  const closed = ticket.status === 'closed';
  // Inside the ticket's page, `people` knows the ticket's assignee even off the team list.
  const current = ticket.assigned_to ? people.find(ticket.assigned_to) : undefined;
  const canUnassign = ticket.assigned_to !== null && ticket.assigned_to !== undefined && (ticket.status === 'in_progress' || ticket.status === 'open');

  const assign = (to: string | null) =>
    void submission.run(async () => {
      try {
        await assignTicket(ticket.id, to);
        const name = to === member.id ? t('console.thread.you') : (people.find(to)?.name ?? t('console.someone'));
        onAnnounce(to ? t('console.assign.done', { name }) : t('console.assign.undone'));
        setChoosing(false);
        // "Assign to me" goes once done: focus stays in the panel.
        document.getElementById(`${id}-title`)?.focus();
      } finally {
        await onChanged();
      }
    });

  return (
    <Property id={`${id}-title`} label={t('console.assign.title')}>
      <p class="property-value">
        {ticket.assigned_to
          ? ticket.assigned_to === member.id
            ? t('console.assign.you')
            : t('console.assign.to', { name: current?.name ?? t('console.someone') })
          : t('console.assign.nobody')}
      </p>
      {closed ? null : (
        <div class="actions">
          {ticket.assigned_to !== member.id ? (
            <button type="button" class="button" disabled={submission.busy} onClick={() => assign(member.id)}>
              {t('console.assign.me')}
            </button>
          ) : null}
          {canUnassign ? (
            <button type="button" class="button button--secondary" disabled={submission.busy} onClick={() => assign(null)}>
              {t('console.assign.unassign')}
            </button>
          ) : null}
        </div>
      )}
      {closed ? null : choosing ? (
        <AssignTo ticket={ticket} id={id} busy={submission.busy} onAssign={assign} />
      ) : (
        <button type="button" class="button button--secondary" aria-expanded="false" onClick={() => setChoosing(true)}>
          {t('console.assign.open')}
        </button>
      )}
      <ErrorAlert error={submission.error} overrides={{ conflict: 'console.assign.keeps' }} />
    </Property>
  );
}

/** The person picker, reading the team as it opens: someone who just joined can be given it. */
function AssignTo({ ticket, id, busy, onAssign }: { ticket: TicketDetail; id: string; busy: boolean; onAssign: (to: string) => void }) {
  const { member } = useMember();
  const people: People = useFreshPeople();
  const form = useFields({ assignee: '' });
  const chosen = form.values.assignee;
  const others = people.staff.filter((p) => p.id !== ticket.assigned_to);
  if (!people.staffRead) return <Loading />;
  if (!others.some((p) => p.id !== member.id)) return <p class="property-value">{t('console.assign.nobody_else')}</p>;
  return (
    <form
      class="property-inline assign-to"
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen) onAssign(chosen);
      }}
    >
      <label for={id}>{t('console.assign.someone')}</label>
      <select id={id} name="assignee" value={chosen} autoFocus onFocus={people.refresh} onChange={(e) => form.set('assignee')(e.currentTarget.value)}>
        <option value="">{t('console.assign.choose')}</option>
        {others.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <button type="submit" class="button button--secondary" disabled={busy || !chosen}>
        {t('console.assign.submit')}
      </button>
    </form>
  );
}
