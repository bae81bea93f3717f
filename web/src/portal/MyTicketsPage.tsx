/**
 * A customer's tickets, newest first, a page at a time; read again when the live stream says one
 * was created or changed (or polled while the stream is down). A customer who manages a customer
 * organisation, or belongs to one that shares its tickets, has a tab per such organisation
 * (`/?organization_id=...`): its tickets as the server lets them see them, each colleague's named.
 */

import { useState } from 'preact/hooks';
import { ticketListChanged } from '../data/live';
import { listTickets, revalidateTickets, type TicketQuery } from '../data/tickets';
import { usePaged } from '../data/paged';
import { t, tn } from '../i18n';
import { Link, useLocation } from '../router/router';
import { useMember } from '../tenant/member';
import { SelectField } from '../ui/Field';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { Loaded, LoadMore } from '../ui/status';
import { TicketRow } from './TicketRow';
import { chosenOrganization, sharedOrganizations, ticketsHref } from './organizations';
import { useMyOrganizations } from './useMyOrganizations';

const PAGE_SIZE = 20;
const FILTERS: Record<'all' | 'active' | 'resolved' | 'closed', string[] | undefined> = {
  all: undefined,
  active: ['open', 'in_progress', 'waiting_customer'],
  resolved: ['resolved'],
  closed: ['closed'],
};
type Filter = keyof typeof FILTERS;

export function MyTicketsPage() {
  const { member } = useMember();
  const location = useLocation();
  const shared = sharedOrganizations(useMyOrganizations().data ?? []);
  const organization = chosenOrganization(location.query, shared);
  const [filter, setFilter] = useState<Filter>('all');
  const query: TicketQuery = { status: FILTERS[filter], ...(organization ? { organization_id: organization.id } : {}) };
  const first = usePaged(
    `my-tickets:${organization?.id ?? 'own'}:${filter}`,
    {
      head: (limit, etag, signal) => revalidateTickets(query, limit, etag, signal),
      page: (cursor) => listTickets(query, { limit: PAGE_SIZE, cursor }),
    },
    { follows: ticketListChanged, pageSize: PAGE_SIZE },
  );
  const loading = useSubmit();

  const tickets = first.listing?.items ?? [];
  const cursor = first.listing?.cursor ?? null;

  const loadMore = () => void loading.run(first.loadMore);

  const changeFilter = (value: string) => setFilter(value as Filter);

  return (
    <Page
      title={t('portal.tickets.title')}
      actions={
        <Link href="/tickets/new" class="button">
          {t('portal.tickets.new')}
        </Link>
      }
    >
      {shared.length ? (
        <nav class="queue-nav" aria-label={t('organizations.portal.tabs')}>
          <ul class="tabs">
            <li>
              <Link href={ticketsHref(null)} aria-current={organization ? undefined : 'page'}>
                {t('organizations.portal.own')}
              </Link>
            </li>
            {shared.map((o) => (
              <li key={o.id}>
                <Link href={ticketsHref(o.id)} aria-current={organization?.id === o.id ? 'page' : undefined}>
                  {o.name}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {organization ? (
        <p class="lead">{t(organization.role === 'manager' ? 'organizations.portal.lead_manager' : 'organizations.portal.lead_shared', { name: organization.name })}</p>
      ) : null}
      <div class="toolbar">
        <SelectField
          label={t('portal.tickets.filter')}
          name="status"
          value={filter}
          onValue={changeFilter}
          options={(Object.keys(FILTERS) as Filter[]).map((f) => ({ value: f, label: t(`portal.filter.${f}`) }))}
        />
      </div>
      <Loaded
        resource={first}
        empty={(l) =>
          l.items.length === 0 &&
          (filter !== 'all' ? t('portal.tickets.empty_filtered') : organization ? t('organizations.portal.empty', { name: organization.name }) : t('portal.tickets.empty'))
        }
      >
        {() => (
          <>
            <ul class="ticket-list" aria-busy={first.loading ? 'true' : undefined}>
              {tickets.map((ticket) => (
                <TicketRow key={ticket.id} ticket={ticket} me={member.id} />
              ))}
            </ul>
            <p class="list-count" role="status">
              {tn('portal.tickets.count', tickets.length)}
            </p>
          </>
        )}
      </Loaded>
      <LoadMore more={loading} label={t('portal.tickets.load_more')} onMore={cursor ? loadMore : null} />
    </Page>
  );
}
