/**
 * Who and what a ticket is about: number, customer (a VIP said in words), assignee, order,
 * category, last change (its opening is the time of the thread's first message), and its
 * markers. The ticket names its customer and assignee itself, so every role sees them; the
 * console's own lists fill in only where it does not.
 */

import type { TicketDetail } from '../../api/schemas';
import { formatDateTime, t } from '../../i18n';
import { categoryText } from '../../tickets/categories';
import { TicketBadges } from '../../tickets/badges';
import { useTicketCategories } from '../../tickets/useTicketCategories';
import { fullName, usePeople, type People } from '../people';

export function TicketHeader({ ticket, now }: { ticket: TicketDetail; now: Date }) {
  const people = usePeople();
  const customer = customerOf(ticket, people);
  const categories = useTicketCategories().data;
  return (
    <div class="panel ticket-summary">
      <TicketBadges ticket={ticket} audience="staff" now={now} />
      <dl class="facts">
        <div>
          <dt>{t('console.ticket.number')}</dt>
          <dd class="ticket-number">{ticket.ticket_number}</dd>
        </div>
        <div class="facts-wide">
          <dt>{t('console.ticket.customer')}</dt>
          <dd>
            {customer.name}
            {customer.email ? (
              <>
                {' '}
                <span class="fact-detail address" title={customer.email}>
                  {customer.email}
                </span>
              </>
            ) : null}
            {ticket.customer?.vip ? (
              <>
                {' '}
                <span class="badge badge--vip">{t('console.ticket.vip')}</span>
              </>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>{t('console.ticket.assignee')}</dt>
          <dd>{assigneeText(ticket, people)}</dd>
        </div>
        <div>
          <dt>{t('console.ticket.order')}</dt>
          <dd>{ticket.order_id ?? t('console.ticket.none')}</dd>
        </div>
        <div>
          <dt>{t('console.ticket.category')}</dt>
          <dd>{ticket.category ? categoryText(ticket.category, categories) : t('console.ticket.none')}</dd>
        </div>
        <div>
          <dt>{t('console.ticket.updated')}</dt>
          <dd>{formatDateTime(ticket.updated_at)}</dd>
        </div>
      </dl>
    </div>
  );
}

/** Who the ticket is from: a name where one is known, else the address. */
export function customerOf(ticket: TicketDetail, people: People): { name: string; email?: string } {
  const known = ticket.customer ? { name: fullName(ticket.customer), email: ticket.customer.email } : people.find(ticket.user_id);
  if (known?.name) return { name: known.name, email: known.email };
  return { name: known?.email || t('console.ticket.customer_unknown') };
}

function assigneeText(ticket: TicketDetail, people: People): string {
  if (!ticket.assigned_to) return t('console.ticket.nobody');
  const named = ticket.assignee ? fullName(ticket.assignee) : undefined;
  return named ?? people.find(ticket.assigned_to)?.name ?? t('console.ticket.assignee_unknown');
}
