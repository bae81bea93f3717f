/**
 * The customer organisations (everyone on the staff reads them; owners and admins make them):
 * found by name (the words in the address, `?q=`), by name, a page at a time, each with its
 * domains, its member count and what it shares, a link to its page; for owners and admins the way
 * to a new one. Named "customer organisations" everywhere, apart from the organisation's own
 * settings.
 */

import { useId } from 'preact/hooks';
import { organizationsPage, type Organization } from '../../data/organizations';
import { useResource } from '../../data/resource';
import { t, tn } from '../../i18n';
import { Link, navigate, useLocation } from '../../router/router';
import { useMember } from '../../tenant/member';
import { useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { SearchForm } from '../../ui/SearchForm';
import { Loaded, LoadMore, Notice } from '../../ui/status';
import { deletedOrganization, listHref } from '../organizations';
import { isAdmin } from '../roles';

const PAGE_SIZE = 50;

interface Listing {
  items: Organization[];
  cursor: string | null;
}

export function OrganizationsPage() {
  const { slug, member } = useMember();
  const location = useLocation();
  const query = (location.query.get('q') ?? '').trim();
  const admin = isAdmin(member.role);
  const list = useResource<Listing>(`organizations:${slug}:${query}`, async (signal) => {
    const page = await organizationsPage(query, null, PAGE_SIZE, signal);
    return { items: page.data, cursor: page.next_cursor ?? null };
  });
  const more = useSubmit();
  const deleted = deletedOrganization(location.state);
  const listId = useId();

  const loadMore = () =>
    void more.run(async () => {
      const cursor = list.data?.cursor;
      if (!cursor) return;
      const page = await organizationsPage(query, cursor, PAGE_SIZE);
      list.setData((shown) => shown && { items: [...shown.items, ...page.data], cursor: page.next_cursor ?? null });
    });

  return (
    <Page
      title={t('organizations.title')}
      actions={
        admin ? (
          <Link href="/organizations/new" class="button">
            {t('organizations.new')}
          </Link>
        ) : null
      }
    >
      <p class="lead">{t('organizations.lead')}</p>
      {admin ? null : <p class="hint">{t('organizations.read_only')}</p>}
      {deleted ? <Notice tone="success">{t('organizations.deleted', { name: deleted })}</Notice> : null}
      <div class="filters">
        <SearchForm
          query={query}
          label={t('organizations.search')}
          hint={t('organizations.search_hint')}
          submitLabel={t('organizations.search_submit')}
          onSearch={(q) => navigate(listHref(q), { replace: true })}
        />
      </div>
      <section class="panel" aria-labelledby={`${listId}-title`}>
        <h2 id={`${listId}-title`}>{query ? t('organizations.found', { query }) : t('organizations.all')}</h2>
        <p class="list-count" role="status">
          {list.data ? tn(list.data.cursor ? 'organizations.shown_more' : 'organizations.shown', list.data.items.length) : ''}
        </p>
        <Loaded resource={list} empty={(shown) => shown.items.length === 0 && t(query ? 'organizations.none_found' : 'organizations.none')}>
          {(shown) => (
            <ul class="ticket-list organization-list" aria-label={t('organizations.list')} aria-busy={list.loading ? 'true' : undefined}>
              {shown.items.map((organization) => (
                <OrganizationRow key={organization.id} organization={organization} />
              ))}
            </ul>
          )}
        </Loaded>
        <LoadMore more={more} label={t('organizations.more')} onMore={list.data?.cursor ? loadMore : null} />
      </section>
    </Page>
  );
}

function OrganizationRow({ organization }: { organization: Organization }) {
  return (
    <li class="ticket-row organization-row">
      <div class="ticket-row-main">
        <Link href={`/organizations/${organization.id}`} class="ticket-row-link">
          {organization.name}
        </Link>
        <p class="ticket-row-meta">
          <span>{tn('organizations.member_count', organization.member_count)}</span>
          {' · '}
          <span class="organization-domains-text">{organization.domains.length ? organization.domains.join(', ') : t('organizations.domains_none')}</span>
        </p>
      </div>
      {organization.shared_tickets || organization.shared_comments ? (
        <p class="badges">
          {organization.shared_tickets ? <span class="badge badge--ok">{t('organizations.badge.shared_tickets')}</span> : null}
          {organization.shared_comments ? <span class="badge badge--ok">{t('organizations.badge.shared_comments')}</span> : null}
        </p>
      ) : null}
    </li>
  );
}
