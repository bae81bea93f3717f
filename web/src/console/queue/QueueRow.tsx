import { Fragment } from 'preact';
import { formatDateTime, t } from '../../i18n';
import { Link } from '../../router/router';
import type { TicketListItem } from '../../data/tickets';
import { displayName } from '../../tenant/member';
import { TicketBadges } from '../../tickets/badges';
import { usePeople } from '../people';

/** `team`: the name of the ticket's team, when it has one. The ticket names its customer (their
 * name, else their address, cut short rather than broken); the ticket's tags show as small
 * chips, read as "Tags: refund, urgent" (the label and the commas are for assistive technology). */
export function QueueRow({ ticket, now, selected, onFocus, team }: { ticket: TicketListItem; now: Date; selected: boolean; onFocus: () => void; team?: string | undefined }) {
  const people = usePeople();
  const assignee = ticket.assigned_to ? people.find(ticket.assigned_to) : undefined;
  const customer = ticket.requester ? displayName(ticket.requester) : people.find(ticket.user_id)?.name;
  return (
    <li class={selected ? 'ticket-row ticket-row--selected' : 'ticket-row'}>
      <div class="ticket-row-main">
        <Link href={`/tickets/${ticket.id}`} class="ticket-row-link" onFocus={onFocus}>
          <span class="ticket-number">{ticket.ticket_number}</span> <span class="ticket-subject">{ticket.subject}</span>
        </Link>
        <p class="ticket-row-meta">
          {customer ? (
            <>
              <span class="ticket-row-customer" title={customer}>
                {t('console.queue.from', { name: customer })}
              </span>
              {' · '}
            </>
          ) : null}
          <span>{ticket.assigned_to ? t('console.queue.assigned', { name: assignee?.name ?? t('console.someone') }) : t('console.queue.unassigned')}</span>
          {' · '}
          {team ? <span>{t('teams.row.team', { name: team })} · </span> : null}
          <span>{t('console.queue.updated', { time: formatDateTime(ticket.updated_at) })}</span>
        </p>
        {ticket.tags.length ? (
          <p class="ticket-row-tags">
            <span class="visually-hidden">{t('tags.row.label')} </span>
            {ticket.tags.map((tag, i) => (
              <Fragment key={tag}>
                {i ? <span class="visually-hidden">, </span> : null}
                <span class="tag">{tag}</span>
              </Fragment>
            ))}
          </p>
        ) : null}
      </div>
      <TicketBadges ticket={ticket} audience="staff" now={now} />
    </li>
  );
}
