/**
 * A ticket's facts: number, status, priority, dates, service targets, and the values of the
 * organisation's fields shown to customers (the server sends no others).
 */

import type { TicketDetail } from '../api/schemas';
import { formatDateTime, t } from '../i18n';
import { TicketBadges } from '../tickets/badges';
import { categoryText } from '../tickets/categories';
import { fieldName, valueText } from '../tickets/fields';
import { useFieldDefinitions } from '../tickets/useFieldDefinitions';
import { useTicketCategories } from '../tickets/useTicketCategories';

export function TicketSummary({ ticket }: { ticket: TicketDetail }) {
  const held = (ticket.fields ?? {}) as Record<string, unknown>;
  const categories = useTicketCategories().data;
  const fields = (useFieldDefinitions().data ?? []).map((field) => ({ field, text: valueText(field, held[field.key]) })).filter(({ text }) => text !== '');
  return (
    <div class="panel ticket-summary">
      <TicketBadges ticket={ticket} audience="customer" />
      <dl class="facts">
        <div>
          <dt>{t('portal.ticket.number')}</dt>
          <dd>{ticket.ticket_number}</dd>
        </div>
        <div>
          <dt>{t('portal.ticket.created')}</dt>
          <dd>{formatDateTime(ticket.created_at)}</dd>
        </div>
        {ticket.category ? (
          <div>
            <dt>{t('portal.new.category')}</dt>
            <dd>{categoryText(ticket.category, categories)}</dd>
          </div>
        ) : null}
        {ticket.order_id != null ? (
          <div>
            <dt>{t('portal.new.order')}</dt>
            <dd>{ticket.order_id}</dd>
          </div>
        ) : null}
        {fields.map(({ field, text }) => (
          <div key={field.key}>
            <dt>{fieldName(field)}</dt>
            <dd>{text}</dd>
          </div>
        ))}
        {ticket.resolved_at ? (
          <div>
            <dt>{t('portal.ticket.resolved')}</dt>
            <dd>{formatDateTime(ticket.resolved_at)}</dd>
          </div>
        ) : null}
        {ticket.closed_at ? (
          <div>
            <dt>{t('portal.ticket.closed')}</dt>
            <dd>{formatDateTime(ticket.closed_at)}</dd>
          </div>
        ) : null}
      </dl>
      {ticket.auto_close_at && ticket.status !== 'closed' ? <p class="hint">{t('portal.ticket.auto_close', { time: formatDateTime(ticket.auto_close_at) })}</p> : null}
    </div>
  );
}
