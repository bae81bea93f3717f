import type { TicketListItem } from '../api/schemas';
import { formatDateTime, t } from '../i18n';
import { Link } from '../router/router';
import { PriorityBadge, SlaBadge, StatusBadge, UnreadBadge } from './badges';
import { badgeStanding } from './sla';

export function TicketRow({ ticket }: { ticket: TicketListItem }) {
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
        <SlaBadge standing={badgeStanding(ticket.sla, new Date())} />
        {ticket.unread_count ? <UnreadBadge count={ticket.unread_count} /> : null}
      </div>
    </li>
  );
}
