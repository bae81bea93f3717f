/**
 * The priority, which staff may always override (the rules set it at creation, a response
 * breach raises it).
 */

import { useEffect, useId } from 'preact/hooks';
import { updateTicket } from '../../data/tickets';
import type { Priority, TicketDetail } from '../../api/schemas';
import { t } from '../../i18n';
import { useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { PRIORITIES } from '../queue/views';
import { Property } from './Property';

export function PriorityControl({ ticket, onChanged, onAnnounce }: { ticket: TicketDetail; onChanged: () => Promise<void>; onAnnounce: (text: string) => void }) {
  const form = useFields({ priority: ticket.priority });
  const chosen = form.values.priority;
  const submission = useSubmit();
  const id = useId();
  // A change made elsewhere shows up, unless this person is choosing another value right now.
  useEffect(() => form.setValues({ priority: ticket.priority }), [ticket.priority]);
  const labelId = `${id}-title`;
  return (
    <Property id={labelId} label={t('console.priority.label')}>
      {ticket.status === 'closed' ? (
        <p class="property-value">
          <strong>{t(`priority.${ticket.priority}`)}</strong>
        </p>
      ) : (
        <form
          class="property-inline"
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
          <select id={id} name="priority" value={chosen} aria-labelledby={labelId} onChange={(e) => form.set('priority')(e.currentTarget.value as Priority)}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`priority.${p}`)}
              </option>
            ))}
          </select>
          <button type="submit" class="button button--secondary" disabled={submission.busy || chosen === ticket.priority}>
            {t('console.priority.submit')}
          </button>
        </form>
      )}
      <ErrorAlert error={submission.error} />
    </Property>
  );
}
