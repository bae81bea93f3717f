import type { TicketListItem } from '../api/schemas';
import { formatDateTime, t } from '../i18n';
import { Link } from '../router/router';
import { TicketBadges } from '../tickets/badges';

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
      <TicketBadges ticket={ticket} audience="customer" />
    </li>
  );
}
