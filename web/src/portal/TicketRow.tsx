import type { TicketListItem } from '../api/schemas';
import { formatDateTime, t } from '../i18n';
import { Link } from '../router/router';
import { displayName } from '../tenant/member';
import { TicketBadges } from '../tickets/badges';

/** A ticket of the list; a colleague's (not `me`'s) names who opened it. */
export function TicketRow({ ticket, me }: { ticket: TicketListItem; me: string }) {
  const colleague = ticket.user_id !== me && ticket.requester ? displayName(ticket.requester) : null;
  return (
    <li class="ticket-row">
      <div class="ticket-row-main">
        <Link href={`/tickets/${ticket.id}`} class="ticket-row-link">
          <span class="ticket-number">{ticket.ticket_number}</span> <span class="ticket-subject">{ticket.subject}</span>
        </Link>
        <p class="ticket-row-meta">
          {colleague ? `${t('organizations.portal.from', { name: colleague })} · ` : null}
          {t('portal.ticket.updated', { time: formatDateTime(ticket.updated_at) })}
        </p>
      </div>
      <TicketBadges ticket={ticket} audience="customer" />
    </li>
  );
}
