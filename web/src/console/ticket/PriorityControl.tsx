//! The priority, which staff may always override (the rules set it at creation, a response
//! breach raises it).

import { useEffect, useId } from 'preact/hooks';
import { updateTicket } from '../../data/tickets';
import type { Priority, TicketDetail } from '../../api/schemas';
import { t } from '../../i18n';
import { useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { PRIORITIES } from '../queue/views';

export function PriorityControl({ ticket, onChanged, onAnnounce }: { ticket: TicketDetail; onChanged: () => Promise<void>; onAnnounce: (text: string) => void }) {
  const form = useFields({ priority: ticket.priority });
  const chosen = form.values.priority;
  const submission = useSubmit();
  const id = useId();
  // A change made elsewhere shows up, unless this person is choosing another value right now.
  useEffect(() => form.setValues({ priority: ticket.priority }), [ticket.priority]);
  if (ticket.status === 'closed') return null;
  return (
    <form
      class="form form--inline control-inline"
      onSubmit={(e) => {
        e.preventDefault();
        void submission.run(async () => {
          try {
            await updateTicket(ticket.id, { priority: chosen });
            onAnnounce(t('console.priority.changed', { priority: t(`priority.${chosen}`) }));
          } finally {
            await onChanged();
          }
        });
      }}
    >
      <div class="field">
        <label for={id}>{t('console.priority.label')}</label>
        <select id={id} name="priority" value={chosen} onChange={(e) => form.set('priority')(e.currentTarget.value as Priority)}>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {t(`priority.${p}`)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="button button--secondary" disabled={submission.busy || chosen === ticket.priority}>
        {t('console.priority.submit')}
      </button>
      <ErrorAlert error={submission.error} />
    </form>
  );
}
