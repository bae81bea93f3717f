/**
 * The changes a customer may make on their ticket, and only those: confirming a resolution and
 * reopening, each offered when the server allows it.
 */

import type { TicketDetail } from '../api/schemas';
import { changeStatus } from '../data/tickets';
import { t } from '../i18n';
import { customerMoves } from '../tickets/moves';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';

export function TicketActions({ ticket, onChanged }: { ticket: TicketDetail; onChanged: () => void }) {
  const submission = useSubmit();
  const actions = customerMoves(ticket.allowed_statuses);
  if (!actions.length) return null;

  const change = (to: 'closed' | 'in_progress') =>
    void submission.run(async () => {
      try {
        await changeStatus(ticket.id, to);
      } finally {
        // On a refusal (someone else moved the ticket) the page shows where it stands now.
        onChanged();
      }
    });

  return (
    <section class="panel panel--accent" aria-labelledby="ticket-actions-title">
      <h2 id="ticket-actions-title">{t('portal.actions.title')}</h2>
      <p>{t('portal.actions.lead')}</p>
      <div class="actions">
        {actions.map((action) => (
          <button key={action.kind} type="button" class={action.kind === 'confirm' ? 'button' : 'button button--secondary'} disabled={submission.busy} onClick={() => change(action.to)}>
            {t(`portal.actions.${action.kind}`)}
          </button>
        ))}
      </div>
      <ErrorAlert error={submission.error} overrides={{ invalid_transition: 'portal.actions.refused' }} />
    </section>
  );
}
