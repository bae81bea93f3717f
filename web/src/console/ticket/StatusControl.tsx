/**
 * Moving a ticket on: exactly the moves the server allows the caller now (`allowed_statuses`).
 * A refusal (someone moved it meanwhile) names what is allowed now, and the ticket is read again;
 * one for fields required to resolve names them by their labels (and the Fields property flags
 * them). A ticket with open children may take them along as it is resolved; those whose status
 * did not allow it are named afterwards.
 */

import { useId, useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import type { TicketDetail, TicketStatus } from '../../api/schemas';
import { changeStatus, type StatusChanged } from '../../data/tickets';
import { t, tn, type MessageKey } from '../../i18n';
import { Link } from '../../router/router';
import { STATUS_LABEL, StatusBadge } from '../../tickets/badges';
import { quotedFields, requiredFieldsOf } from '../../tickets/fields';
import { useFieldDefinitions } from '../../tickets/useFieldDefinitions';
import { allowedFrom, staffMoves, type StaffMove } from '../../tickets/moves';
import { ChoiceRow, FormRow } from '../../ui/Field';
import { useFields } from '../../ui/form';
import { useSubmit, type Submission } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { Property } from './Property';

/** Why nothing is offered: what moves the ticket on instead. */
const NO_MOVES: Record<TicketStatus, MessageKey> = {
  open: 'console.status.none_allowed',
  in_progress: 'console.status.none_allowed',
  waiting_customer: 'console.status.waiting_hint',
  resolved: 'console.status.resolved_hint',
  closed: 'console.status.final',
};

export interface StatusMoves {
  targets: StaffMove[];
  /** Whether `to` is among the moves offered. */
  allows: (to: TicketStatus) => boolean;
  /** Resolves to whether the ticket moved. */
  move: (to: TicketStatus, reason?: string) => Promise<boolean>;
  submission: Submission;
  /** What a refusal said is allowed now. */
  refusedAllowed: TicketStatus[] | null;
  /** The keys of the fields a move to Resolved found empty. */
  refusedFields: string[] | null;
  /** How many children are not resolved yet (a resolution may take them along). */
  openChildren: number;
  /** Whether a resolution takes the open children along. */
  resolveChildren: boolean;
  setResolveChildren: (on: boolean) => void;
  /** The children the last resolution could not take along. */
  childrenLeft: ChildLeft[] | null;
}

export type ChildLeft = NonNullable<StatusChanged['children_left']>[number];

/** The moves staff may make on `ticket`, shared by the panel and the `e` shortcut; `openChildren`:
 * how many of its children are not resolved yet. `onAnnounce` is given the status a move's words
 * already name, so that the page does not say it again. */
export function useStatusMoves(
  ticket: TicketDetail,
  onChanged: () => Promise<void>,
  onAnnounce: (text: string, status?: TicketStatus) => void,
  openChildren = 0,
): StatusMoves {
  const submission = useSubmit();
  const [refusedAllowed, setRefusedAllowed] = useState<TicketStatus[] | null>(null);
  const [refusedFields, setRefusedFields] = useState<string[] | null>(null);
  const [resolveChildren, setResolveChildren] = useState(false);
  const [childrenLeft, setChildrenLeft] = useState<ChildLeft[] | null>(null);
  const move = async (to: TicketStatus, reason = '') => {
    let moved = false;
    await submission.run(async () => {
      setRefusedAllowed(null);
      setRefusedFields(null);
      setChildrenLeft(null);
      const withChildren = to === 'resolved' && resolveChildren && openChildren > 0;
      try {
        const answer = await changeStatus(ticket.id, to, reason, { resolveChildren: withChildren });
        moved = true;
        const changed = t('console.status.changed', { status: t(STATUS_LABEL[to]) });
        const left = answer.children_left ?? [];
        if (withChildren) setChildrenLeft(left.length ? left : null);
        onAnnounce(withChildren ? `${changed} ${left.length ? tn('links.resolve.not_all', left.length) : t('links.resolve.all')}` : changed, to);
      } catch (error) {
        if (error instanceof ApiProblem && error.code === 'invalid_transition') setRefusedAllowed(allowedFrom(error.extra));
        setRefusedFields(requiredFieldsOf(error));
        throw error;
      } finally {
        await onChanged();
      }
    });
    return moved;
  };
  const targets = staffMoves(ticket);
  return {
    targets,
    allows: (to) => targets.some((m) => m.to === to),
    move,
    submission,
    refusedAllowed,
    refusedFields,
    openChildren,
    resolveChildren,
    setResolveChildren,
    childrenLeft,
  };
}

export function StatusControl({ ticket, moves }: { ticket: TicketDetail; moves: StatusMoves }) {
  const form = useFields({ reason: '' });
  const { reason } = form.values;
  const reasonId = useId();
  const [reasonMissing, setReasonMissing] = useState(false);
  const { targets, submission, refusedAllowed, refusedFields, childrenLeft } = moves;
  const fields = useFieldDefinitions().data ?? [];
  // Staff reopen a resolved ticket only with a reason (the server refuses it without one).
  const reopening = ticket.status === 'resolved';
  const move = (to: TicketStatus) => {
    if (reopening && to === 'in_progress' && !reason.trim()) {
      setReasonMissing(true);
      document.getElementById(reasonId)?.focus();
      return;
    }
    setReasonMissing(false);
    void moves.move(to, reason).then((moved) => {
      if (!moved) return;
      form.setValues({ reason: '' });
      // The button pressed may be gone with the old status: focus stays in the panel.
      document.getElementById(`${reasonId}-title`)?.focus();
    });
  };

  return (
    <Property id={`${reasonId}-title`} label={t('console.status.title')}>
      <p class="property-value">
        <span class="visually-hidden">{t('console.status.now')} </span>
        <strong>{t(STATUS_LABEL[ticket.status])}</strong>
      </p>
      {targets.length ? (
        <>
          <FormRow
            id={reasonId}
            label={t(reopening ? 'console.status.reopen_reason' : 'console.status.reason')}
            hint={t(reopening ? 'console.status.reopen_hint' : 'console.status.reason_hint')}
            error={reasonMissing ? t('console.status.reopen_missing') : undefined}
          >
            {(control) => <input {...control} name="reason" value={reason} maxLength={1000} aria-required={reopening ? 'true' : undefined} onInput={(e) => form.set('reason')(e.currentTarget.value)} />}
          </FormRow>
          {moves.openChildren > 0 && moves.allows('resolved') ? (
            <ChoiceRow
              id={`${reasonId}-children`}
              class="checkbox resolve-children"
              type="checkbox"
              name="resolve_children"
              label={t('links.resolve.children')}
              hint={tn('links.resolve.children_hint', moves.openChildren)}
              checked={moves.resolveChildren}
              onChange={(e) => moves.setResolveChildren(e.currentTarget.checked)}
            />
          ) : null}
          <div class="actions">
            {targets.map((target) => (
              <button key={target.to} type="button" class={target.secondary ? 'button button--secondary' : 'button'} disabled={submission.busy} onClick={() => move(target.to)}>
                {target.label}
              </button>
            ))}
          </div>
        </>
      ) : (
        <p class="hint">{t(NO_MOVES[ticket.status])}</p>
      )}
      {refusedFields?.length ? (
        <div class="alert alert--error" role="alert">
          <p>{t('fields.ticket.required_refused', { fields: quotedFields(refusedFields, fields) })}</p>
        </div>
      ) : (
        <ErrorAlert error={submission.error} />
      )}
      {childrenLeft ? (
        <div class="alert alert--info children-left">
          <p>{tn('links.resolve.left', childrenLeft.length)}</p>
          <ul>
            {childrenLeft.map((child) => (
              <li key={child.ticket_id}>
                <Link href={`/tickets/${child.ticket_id}`}>{child.ticket_number}</Link> <StatusBadge status={child.status} audience="staff" />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {refusedAllowed ? (
        <p class="hint">{refusedAllowed.length ? t('console.status.allowed', { list: refusedAllowed.map((s) => t(STATUS_LABEL[s])).join(', ') }) : t('console.status.none_allowed')}</p>
      ) : null}
    </Property>
  );
}
