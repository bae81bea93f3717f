//! Who and what a ticket is about: number, customer, order, category, dates, and its markers.

import type { TicketDetail } from '../../api/schemas';
import { formatDateTime, t } from '../../i18n';
import { isKnownCategory } from '../../portal/categories';
import { PriorityBadge, SlaBadge, StatusBadge, UnreadBadge } from '../badges';
import { usePeople } from '../people';
import { fromState } from '../sla';

export function TicketHeader({ ticket, now }: { ticket: TicketDetail; now: Date }) {
  const people = usePeople();
  const customer = people.find(ticket.user_id);
  return (
    <div class="panel ticket-summary">
      <div class="badges">
        <StatusBadge status={ticket.status} />
        <PriorityBadge priority={ticket.priority} />
        <SlaBadge standing={fromState(ticket.sla, ticket.status, now)} now={now} />
        <UnreadBadge count={ticket.unread_count} />
      </div>
      <dl class="facts">
        <div>
          <dt>{t('console.ticket.number')}</dt>
          <dd class="ticket-number">{ticket.ticket_number}</dd>
        </div>
        <div>
          <dt>{t('console.ticket.customer')}</dt>
          <dd>{customer ? `${customer.name} (${customer.email})` : t('console.ticket.customer_unknown')}</dd>
        </div>
        <div>
          <dt>{t('console.ticket.order')}</dt>
          <dd>{ticket.order_id ?? t('console.ticket.none')}</dd>
        </div>
        <div>
          <dt>{t('console.ticket.category')}</dt>
          <dd>{ticket.category ? (isKnownCategory(ticket.category) ? t(`category.${ticket.category}`) : ticket.category) : t('console.ticket.none')}</dd>
        </div>
        <div>
          <dt>{t('console.ticket.opened')}</dt>
          <dd>{formatDateTime(ticket.created_at)}</dd>
        </div>
        <div>
          <dt>{t('console.ticket.updated')}</dt>
          <dd>{formatDateTime(ticket.updated_at)}</dd>
        </div>
      </dl>
    </div>
  );
}
