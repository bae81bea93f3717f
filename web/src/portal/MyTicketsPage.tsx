//! A customer's tickets, newest first, a page at a time.

import { useState } from 'preact/hooks';
import { api } from '../api';
import type { TicketListItem } from '../api/schemas';
import { t, tn } from '../i18n';
import { Link } from '../router/router';
import { SelectField } from '../ui/Field';
import { useLoad, useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { EmptyState, ErrorAlert, Loading } from '../ui/status';
import { TicketRow } from './TicketRow';

const PAGE_SIZE = 20;
const FILTERS = { all: undefined, active: 'open,in_progress,waiting_customer', resolved: 'resolved', closed: 'closed' } as const;
type Filter = keyof typeof FILTERS;

export function MyTicketsPage() {
  const [filter, setFilter] = useState<Filter>('all');
  const first = useLoad((signal) => api('GET', '/v1/tickets', { signal, query: { limit: PAGE_SIZE, status: FILTERS[filter] } }), [filter]);
  const [more, setMore] = useState<{ tickets: TicketListItem[]; cursor: string | null } | null>(null);
  const loading = useSubmit();

  const tickets = [...(first.data?.data ?? []), ...(more?.tickets ?? [])];
  const cursor = more ? more.cursor : (first.data?.next_cursor ?? null);

  const loadMore = () =>
    void loading.run(async () => {
      if (!cursor) return;
      const page = await api('GET', '/v1/tickets', { query: { limit: PAGE_SIZE, cursor, status: FILTERS[filter] } });
      setMore((m) => ({ tickets: [...(m?.tickets ?? []), ...page.data], cursor: page.next_cursor ?? null }));
    });

  const changeFilter = (value: string) => {
    setMore(null);
    setFilter(value as Filter);
  };

  return (
    <Page
      title={t('portal.tickets.title')}
      actions={
        <Link href="/tickets/new" class="button">
          {t('portal.tickets.new')}
        </Link>
      }
    >
      <div class="toolbar">
        <SelectField
          label={t('portal.tickets.filter')}
          name="status"
          value={filter}
          onValue={changeFilter}
          options={(Object.keys(FILTERS) as Filter[]).map((f) => ({ value: f, label: t(`portal.filter.${f}`) }))}
        />
      </div>
      {first.error ? <ErrorAlert error={first.error} onRetry={first.reload} /> : null}
      {first.loading && !first.data ? <Loading /> : null}
      {first.data && tickets.length === 0 ? (
        <EmptyState title={filter === 'all' ? t('portal.tickets.empty') : t('portal.tickets.empty_filtered')} />
      ) : null}
      {tickets.length ? (
        <>
          <ul class="ticket-list" aria-busy={first.loading ? 'true' : undefined}>
            {tickets.map((ticket) => (
              <TicketRow key={ticket.id} ticket={ticket} />
            ))}
          </ul>
          <p class="list-count" role="status">
            {tn('portal.tickets.count', tickets.length)}
          </p>
        </>
      ) : null}
      {loading.error ? <ErrorAlert error={loading.error} onRetry={loadMore} /> : null}
      {cursor && first.data ? (
        <button type="button" class="button button--secondary" onClick={loadMore} disabled={loading.busy}>
          {loading.busy ? t('common.loading') : t('portal.tickets.load_more')}
        </button>
      ) : null}
    </Page>
  );
}
