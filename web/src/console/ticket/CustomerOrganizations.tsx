/**
 * The customer organisations in the customer's panel beside the thread: the ones its requester
 * belongs to (each a link to its page, with their role there and their primary one marked), and
 * the ticket's own, which anyone on the staff moves to another of the requester's or to none
 * (`PATCH` with `organization_id`; the server matches the SLA policies again and keeps the move
 * in the history). An organisation the requester has left stays shown while the ticket is in it,
 * named from its own page.
 */

import { useEffect, useId } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import type { TicketDetail } from '../../api/schemas';
import { getOrganization, type CustomerOrganization } from '../../data/organizations';
import { useResource } from '../../data/resource';
import { updateTicket } from '../../data/tickets';
import { t } from '../../i18n';
import { Link } from '../../router/router';
import { useMember } from '../../tenant/member';
import { FormRow } from '../../ui/Field';
import { useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { ROLE_LABEL, byPrimaryThenName, ticketOrganizationChoices } from '../organizations';

export function CustomerOrganizations({
  ticket,
  organizations,
  onChanged,
  onAnnounce,
}: {
  ticket: TicketDetail;
  organizations: readonly CustomerOrganization[];
  /** Reads the ticket and the customer again once the ticket has moved (or a move was refused). */
  onChanged: () => Promise<void>;
  onAnnounce: (text: string) => void;
}) {
  const id = useId();
  const current = ticket.organization_id ?? '';
  const choices = ticketOrganizationChoices(current, organizations);
  const left = choices.find((choice) => choice.name === null)?.id ?? null;
  const leftName = useOrganizationName(left);
  const name = (organization: string) => choices.find((choice) => choice.id === organization)?.name ?? (organization === left ? leftName : null) ?? t('organizations.ticket.unknown');
  const form = useFields({ organization: current });
  const chosen = form.values.organization;
  const submission = useSubmit();
  // A move made elsewhere shows up, unless this person is choosing now.
  useEffect(() => form.setValues({ organization: current }), [current]);

  const move = () =>
    void submission.run(async () => {
      try {
        await updateTicket(ticket.id, { organization_id: chosen || null });
        onAnnounce(chosen ? t('organizations.ticket.moved', { name: name(chosen) }) : t('organizations.ticket.removed'));
      } finally {
        await onChanged();
      }
    });

  const listed = byPrimaryThenName(organizations);
  return (
    <>
      <h3>{t('organizations.customer.title')}</h3>
      {listed.length ? (
        <ul class="side-list customer-organizations" aria-label={t('organizations.customer.list')}>
          {listed.map((organization) => (
            <li key={organization.id}>
              <Link href={`/organizations/${organization.id}`}>{organization.name}</Link>
              <span class="side-meta">
                <span class="badge">{t(ROLE_LABEL[organization.role])}</span>
                {organization.primary ? (
                  <>
                    {' '}
                    <span class="badge badge--ok">{t('organizations.members.primary')}</span>
                  </>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">{t('organizations.customer.none')}</p>
      )}
      {ticket.status === 'closed' ? (
        <dl class="facts facts--stacked">
          <div>
            <dt>{t('organizations.ticket.label')}</dt>
            <dd>{current ? name(current) : t('organizations.ticket.none')}</dd>
          </div>
        </dl>
      ) : choices.length ? (
        <form
          class="form ticket-organization"
          onSubmit={(e) => {
            e.preventDefault();
            move();
          }}
        >
          <FormRow id={`${id}-organization`} label={t('organizations.ticket.label')} hint={t('organizations.ticket.hint')}>
            {(control) => (
              <div class="property-inline">
                <select {...control} name="organization_id" value={chosen} onChange={(e) => form.set('organization')(e.currentTarget.value)}>
                  <option value="">{t('organizations.ticket.none')}</option>
                  {choices.map((choice) => (
                    <option key={choice.id} value={choice.id}>
                      {choice.name ?? (choice.id === left ? leftName : null) ?? t('organizations.ticket.unknown')}
                    </option>
                  ))}
                </select>
                <button type="submit" class="button button--secondary" disabled={submission.busy || chosen === current}>
                  {t('organizations.ticket.move')}
                </button>
              </div>
            )}
          </FormRow>
          <ErrorAlert error={submission.error} overrides={refusedMove(submission.error) ? { validation_failed: 'organizations.ticket.refused' } : {}} />
        </form>
      ) : null}
    </>
  );
}

/** A refusal naming `organization_id`: the requester is no longer in the organisation chosen. */
const refusedMove = (error: unknown) => error instanceof ApiProblem && error.errors.some((e) => e.field === 'organization_id');

/** The name of an organisation the panel's list does not hold (its requester left it), from its
 * own page; `null` until known, or when it is gone. */
function useOrganizationName(id: string | null): string | null {
  const { slug } = useMember();
  const found = useResource<string | null>(`organization-name:${slug}:${id ?? ''}`, async (signal) => (id ? (await getOrganization(id, signal)).name : null));
  return found.data ?? null;
}
