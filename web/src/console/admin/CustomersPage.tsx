/**
 * The organisation's customers, apart from its members: the people who opened tickets or
 * registered on the portal, by name, found by name or address, a page at a time.
 */

import { useState } from 'preact/hooks';
import { customersPage, type UserFound } from '../../data/people';
import { useResource } from '../../data/resource';
import { formatDate, t, tn } from '../../i18n';
import { displayName } from '../../tenant/member';
import { TextField } from '../../ui/Field';
import { useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { ErrorAlert, Loaded } from '../../ui/status';
import { Panel } from '../../ui/Panel';

const PAGE = 50;

interface Listing {
  items: UserFound[];
  cursor: string | null;
}

export function CustomersPage() {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const first = useResource<Listing>(`customers:${query}`, async (signal) => {
    const page = await customersPage(query, null, PAGE, signal);
    return { items: page.data, cursor: page.next_cursor ?? null };
  });
  const more = useSubmit();
  const loadMore = (listing: Listing) =>
    void more.run(async () => {
      if (!listing.cursor) return;
      const page = await customersPage(query, listing.cursor, PAGE);
      first.setData((current) => current && { items: [...current.items, ...page.data], cursor: page.next_cursor ?? null });
    });

  return (
    <Page title={t('console.customers.title')}>
      <p class="lead">{t('console.customers.lead')}</p>
      <form
        class="form form--inline customers-search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery(draft.trim());
        }}
      >
        <TextField label={t('console.customers.search')} name="q" type="search" autocomplete="off" maxLength={200} value={draft} onValue={setDraft} />
        <button type="submit" class="button button--secondary">
          {t('console.customers.search_submit')}
        </button>
      </form>
      <Panel title={query ? t('console.customers.found', { query }) : t('console.customers.all')}>
        <Loaded resource={first} empty={(listing) => listing.items.length === 0 && t(query ? 'console.customers.none_found' : 'console.customers.none')}>
          {(listing) => (
            <>
              <p class="hint" role="status">
                {tn(listing.cursor ? 'console.customers.shown_more' : 'console.customers.shown', listing.items.length)}
              </p>
              <ul class="member-list">
                {listing.items.map((person) => (
                  <li key={person.id} class="member">
                    <div class="member-who">
                      <strong>{displayName(person)}</strong>
                      {person.vip ? <span class="badge">{t('console.customers.vip')}</span> : null}
                      <span class="attachment-meta">{person.email}</span>
                      <span class="attachment-meta">{t('console.customers.since', { date: formatDate(person.created_at) })}</span>
                    </div>
                  </li>
                ))}
              </ul>
              {listing.cursor ? (
                <button type="button" class="button button--secondary" disabled={more.busy} onClick={() => loadMore(listing)}>
                  {more.busy ? t('common.working') : t('console.customers.more')}
                </button>
              ) : null}
              <ErrorAlert error={more.error} />
            </>
          )}
        </Loaded>
      </Panel>
    </Page>
  );
}
