//! Moving a ticket on: only the transitions the state machine gives staff from its status. A
//! refusal (someone moved it meanwhile) names what is allowed now, and the ticket is read again.

import { useId, useState } from 'preact/hooks';
import { api } from '../../api';
import { ApiProblem } from '../../api/problem';
import type { TicketDetail, TicketStatus } from '../../api/schemas';
import { t, type MessageKey } from '../../i18n';
import { useSubmit, type Submission } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { STATUS_LABEL } from '../badges';
import { allowedFrom, staffTargets } from './transitions';

const MOVE: Record<string, MessageKey> = {
  'open>in_progress': 'console.move.start',
  'open>closed': 'console.move.close',
  'in_progress>waiting_customer': 'console.move.wait',
  'in_progress>resolved': 'console.move.resolve',
  'in_progress>open': 'console.move.requeue',
};

export function moveLabel(from: TicketStatus, to: TicketStatus): string {
  const key = MOVE[`${from}>${to}`];
  return key ? t(key) : t('console.move.to', { status: t(STATUS_LABEL[to]) });
}

export interface StatusMoves {
  targets: TicketStatus[];
  /** Resolves to whether the ticket moved. */
  move: (to: TicketStatus, reason?: string) => Promise<boolean>;
  submission: Submission;
  /** What a refusal said is allowed now. */
  refusedAllowed: TicketStatus[] | null;
}

/** The moves staff may make on `ticket`, shared by the panel and the `e` shortcut. */
export function useStatusMoves(ticket: TicketDetail, onChanged: () => Promise<void>, onAnnounce: (text: string) => void): StatusMoves {
  const submission = useSubmit();
  const [refusedAllowed, setRefusedAllowed] = useState<TicketStatus[] | null>(null);
  const move = async (to: TicketStatus, reason = '') => {
    let moved = false;
    await submission.run(async () => {
      setRefusedAllowed(null);
      try {
        await api('POST', '/v1/tickets/{id}/status', { path: { id: ticket.id }, body: { status: to, ...(reason.trim() ? { reason: reason.trim() } : {}) } });
        moved = true;
        onAnnounce(t('console.status.changed', { status: t(STATUS_LABEL[to]) }));
      } catch (error) {
        if (error instanceof ApiProblem && error.code === 'invalid_transition') setRefusedAllowed(allowedFrom(error.extra));
        throw error;
      } finally {
        await onChanged();
      }
    });
    return moved;
  };
  return { targets: staffTargets(ticket.status), move, submission, refusedAllowed };
}

export function StatusControl({ ticket, moves }: { ticket: TicketDetail; moves: StatusMoves }) {
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const { targets, submission, refusedAllowed } = moves;
  const move = (to: TicketStatus) =>
    void moves.move(to, reason).then((moved) => {
      if (!moved) return;
      setReason('');
      // The button pressed may be gone with the old status: focus stays in the panel.
      document.getElementById(`${reasonId}-title`)?.focus();
    });

  return (
    <section class="panel control" aria-labelledby={`${reasonId}-title`}>
      <h2 id={`${reasonId}-title`} tabIndex={-1}>
        {t('console.status.title')}
      </h2>
      <p>
        {t('console.status.now')} <strong>{t(STATUS_LABEL[ticket.status])}</strong>
      </p>
      {targets.length ? (
        <>
          <div class="field">
            <label for={reasonId}>{t('console.status.reason')}</label>
            <p class="field-hint" id={`${reasonId}-hint`}>
              {t('console.status.reason_hint')}
            </p>
            <input id={reasonId} name="reason" value={reason} maxLength={1000} aria-describedby={`${reasonId}-hint`} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
          <div class="actions">
            {targets.map((to) => (
              <button key={to} type="button" class={to === 'closed' ? 'button button--secondary' : 'button'} disabled={submission.busy} onClick={() => move(to)}>
                {moveLabel(ticket.status, to)}
              </button>
            ))}
          </div>
        </>
      ) : (
        <p class="hint">{t(ticket.status === 'closed' ? 'console.status.final' : ticket.status === 'waiting_customer' ? 'console.status.waiting_hint' : 'console.status.resolved_hint')}</p>
      )}
      {submission.error ? <ErrorAlert error={submission.error} /> : null}
      {refusedAllowed ? (
        <p class="hint">{refusedAllowed.length ? t('console.status.allowed', { list: refusedAllowed.map((s) => t(STATUS_LABEL[s])).join(', ') }) : t('console.status.none_allowed')}</p>
      ) : null}
    </section>
  );
}
