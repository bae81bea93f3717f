/**
 * The customer beside the thread (staff only): who they are, their customer organisations and
 * the ticket's own (moved from here: `CustomerOrganizations.tsx`), their other tickets (last
 * changed first, each a link), their orders with totals in their currency, and how they rated
 * past resolutions.
 */

import type { ComponentChildren } from 'preact';
import type { TicketDetail } from '../../api/schemas';
import { useCustomer } from '../../data/hooks';
import type { TicketCustomer } from '../../data/tickets';
import { formatAverage, formatDate, formatDateTime, formatMoney, t, tn } from '../../i18n';
import { Link } from '../../router/router';
import { Stars } from '../../satisfaction/Stars';
import { StatusBadge } from '../../tickets/badges';
import { Loaded } from '../../ui/status';
import { relativeTime } from '../format';
import { fullName } from '../people';
import { Panel } from '../../ui/Panel';
import { CustomerOrganizations } from './CustomerOrganizations';

/** `onChanged` reads the ticket again (its organisation moved); `onAnnounce` says what a change
 * made here did. */
export function CustomerPanel({
  ticket,
  now,
  onChanged,
  onAnnounce,
}: {
  ticket: TicketDetail;
  now: Date;
  onChanged: () => Promise<void>;
  onAnnounce: (text: string) => void;
}) {
  const customer = useCustomer(ticket.id);
  // The ticket and the requester's organisations as they stand after a move (or its refusal).
  const changed = async () => void (await Promise.all([onChanged(), customer.refresh()]));
  return (
    <Panel class="customer-panel" title={t('console.customer.title')}>
      <Loaded resource={customer}>
        {(data) => (
          <CustomerFacts data={data} now={now}>
            <CustomerOrganizations ticket={ticket} organizations={data.organizations} onChanged={changed} onAnnounce={onAnnounce} />
          </CustomerFacts>
        )}
      </Loaded>
    </Panel>
  );
}

function CustomerFacts({ data, now, children }: { data: TicketCustomer; now: Date; children: ComponentChildren }) {
  const { customer, tickets, orders, satisfaction } = data;
  return (
    <>
      <p class="customer-name">
        <strong>{fullName(customer) ?? customer.email}</strong>
        {customer.vip ? (
          <>
            {' '}
            <span class="badge badge--vip">{t('console.ticket.vip')}</span>
          </>
        ) : null}
      </p>
      {customer.email ? (
        <p class="fact-detail customer-email address" title={customer.email}>
          {customer.email}
        </p>
      ) : null}

      {children}

      <h3>{t('console.customer.tickets')}</h3>
      {tickets.length ? (
        <ul class="side-list">
          {tickets.map((ticket) => (
            <li key={ticket.id}>
              <Link href={`/tickets/${ticket.id}`}>
                <span class="ticket-number">{ticket.ticket_number}</span> {ticket.subject}
              </Link>
              <span class="side-meta">
                <StatusBadge status={ticket.status} audience="staff" />{' '}
                <time dateTime={ticket.updated_at} title={formatDateTime(ticket.updated_at)}>
                  {t('console.customer.changed', { time: relativeTime(new Date(ticket.updated_at), now) })}
                </time>
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">{t('console.customer.no_tickets')}</p>
      )}

      <h3>{t('console.customer.orders')}</h3>
      {orders.length ? (
        <ul class="side-list">
          {orders.map((order) => (
            <li key={order.order_id}>
              <span>
                {t('console.customer.order', { number: order.order_id })} <strong>{formatMoney(order.total_cents, order.currency)}</strong>
              </span>
              <span class="side-meta">
                <span class="badge">{order.status}</span> <time dateTime={order.created_at}>{formatDate(order.created_at)}</time>
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">{t('console.customer.no_orders')}</p>
      )}

      <h3>{t('console.customer.satisfaction')}</h3>
      {typeof satisfaction.average === 'number' && satisfaction.count > 0 ? (
        <p>
          <Stars value={satisfaction.average} /> {tn('console.customer.average', satisfaction.count, { average: formatAverage(satisfaction.average) })}
        </p>
      ) : (
        <p class="hint">{t('console.customer.no_ratings')}</p>
      )}
      {satisfaction.recent.length ? (
        <ul class="side-list">
          {satisfaction.recent.map((r) => (
            <li key={`${r.ticket_id}:${r.created_at}`}>
              <span>
                <Stars value={r.rating} /> <Link href={`/tickets/${r.ticket_id}`}>{r.ticket_number}</Link>
              </span>
              {r.comment ? <q class="side-quote">{r.comment}</q> : null}
              <span class="side-meta">
                <time dateTime={r.created_at}>{formatDate(r.created_at)}</time>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
