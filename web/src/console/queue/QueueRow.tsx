import { formatDateTime, t } from '../../i18n';
import { Link } from '../../router/router';
import { PriorityBadge, SlaBadge, StatusBadge, UnreadBadge } from '../badges';
import { usePeople } from '../people';
import { fromBadge } from '../sla';
import type { QueueTicket } from './useQueue';

export function QueueRow({ ticket, now, selected, onFocus }: { ticket: QueueTicket; now: Date; selected: boolean; onFocus: () => void }) {
  const people = usePeople();
  const assignee = ticket.assigned_to ? people.find(ticket.assigned_to) : undefined;
  const customer = people.find(ticket.user_id);
  return (
    <li class={selected ? 'ticket-row ticket-row--selected' : 'ticket-row'}>
      <div class="ticket-row-main">
        <Link href={`/tickets/${ticket.id}`} class="ticket-row-link" onFocus={onFocus}>
          <span class="ticket-number">{ticket.ticket_number}</span> <span class="ticket-subject">{ticket.subject}</span>
        </Link>
        <p class="ticket-row-meta">
          {customer ? <span>{t('console.queue.from', { name: customer.name })} · </span> : null}
          <span>{ticket.assigned_to ? t('console.queue.assigned', { name: assignee?.name ?? t('console.someone') }) : t('console.queue.unassigned')}</span>
          {' · '}
          <span>{t('console.queue.updated', { time: formatDateTime(ticket.updated_at) })}</span>
        </p>
      </div>
      <div class="badges">
        <StatusBadge status={ticket.status} />
        <PriorityBadge priority={ticket.priority} />
        <SlaBadge standing={fromBadge(ticket.sla, now)} now={now} />
        <UnreadBadge count={ticket.unread_count} />
      </div>
    </li>
  );
}
