import type { Ticket } from '../api/schemas';
import { formatDateTime, t } from '../i18n';
import { Link } from '../router/router';
import { PriorityBadge, SlaBadge, StatusBadge, UnreadBadge } from './badges';
import { listExtras } from './sla';

export function TicketRow({ ticket }: { ticket: Ticket }) {
  const { sla, unread } = listExtras(ticket);
  return (
    <li class="ticket-row">
      <div class="ticket-row-main">
        <Link href={`/tickets/${ticket.id}`} class="ticket-row-link">
          <span class="ticket-number">{ticket.ticket_number}</span> <span class="ticket-subject">{ticket.subject}</span>
        </Link>
        <p class="ticket-row-meta">
          {t('portal.ticket.updated', { time: formatDateTime(ticket.updated_at) })}
        </p>
      </div>
      <div class="badges">
        <StatusBadge status={ticket.status} />
        <PriorityBadge priority={ticket.priority} />
        {sla ? <SlaBadge sla={sla} status={ticket.status} /> : null}
        {unread ? <UnreadBadge count={unread} /> : null}
      </div>
    </li>
  );
}
