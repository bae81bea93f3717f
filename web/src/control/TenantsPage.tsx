/**
 * The platform operators' list of organisations: each one's status and where its data is kept
 * (its own database or a shared one, on which cluster), oldest first, filtered by status,
 * placement and cluster as the address says, a page at a time (the next page asked for once the
 * list of these filters is shown). An organisation that serves its people can be moved from
 * its row to the other placement (`MoveTenant.tsx`): the page says how each move goes, and the
 * row then shows where the organisation is. Anyone else is told plainly that the area is for
 * platform operators.
 */

import { useCallback, useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../api';
import { listTenants, type PlacedTenant, type TenantPlacement } from '../data/operators';
import { useResource } from '../data/resource';
import { formatDate, t, tn } from '../i18n';
import { navigate } from '../router/router';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { Loaded, LoadMore } from '../ui/status';
import { WideTable } from '../ui/WideTable';
import { canMove } from './moves';
import { focusMoveButton, MoveButton, MoveDialog, MoveProgress, type FollowedMove } from './MoveTenant';
import { PLACEMENT_LABEL, STATUS_LABEL, TenantFilterForm } from './TenantFilterForm';
import { parseTenantFilters, tenantsHref, tenantsQuery } from './tenantFilters';

const PAGE = 50;

interface Listing {
  items: PlacedTenant[];
  cursor: string | null;
}

const STATUS_BADGE: Partial<Record<PlacedTenant['status'], string>> = {
  active: 'badge badge--ok',
  suspended: 'badge badge--warn',
  failed: 'badge badge--bad',
};

export function TenantsPage({ query }: { query: URLSearchParams }) {
  const filters = parseTenantFilters(query);
  const href = tenantsHref(filters);
  const list = useResource<Listing>(`tenants:${href}`, async (signal) => {
    const page = await listTenants(tenantsQuery(filters, PAGE, null), signal);
    return { items: page.data, cursor: page.next_cursor ?? null };
  });
  // The list the address asks for now: a page asked for under other filters is not added to it.
  const asked = useRef(href);
  asked.current = href;
  const more = useSubmit();
  const loadMore = () =>
    void more.run(async () => {
      const cursor = list.data?.cursor;
      if (!cursor) return;
      const page = await listTenants(tenantsQuery(filters, PAGE, cursor));
      if (asked.current !== href) return;
      list.setData((shown) => shown && { items: [...shown.items, ...page.data], cursor: page.next_cursor ?? null });
    });
  const forbidden = list.error instanceof ApiProblem && list.error.code === 'forbidden';

  // The organisation whose move the dialog asks for, and the moves started here.
  const [moving, setMoving] = useState<PlacedTenant | null>(null);
  const [moves, setMoves] = useState<FollowedMove[]>([]);
  const closeMove = () => {
    const slug = moving?.slug;
    setMoving(null);
    // The dialog gives the focus back as it closes; were the row drawn anew meanwhile, its new
    // button takes it all the same.
    if (slug) requestAnimationFrame(() => focusMoveButton(slug));
  };
  const started = (move: FollowedMove) => setMoves((shown) => [...shown.filter((m) => m.slug !== move.slug), move]);
  // A move done or failed: the row shows where the organisation is now, as the server says, in
  // the pages of the list already shown.
  const settled = useCallback(
    (slug: string, { mode, cluster, database }: TenantPlacement) =>
      list.setData((shown) => shown && { ...shown, items: shown.items.map((tenant) => (tenant.slug === slug ? { ...tenant, placement: { mode, cluster, database } } : tenant)) }),
    [list.setData],
  );

  if (forbidden) {
    return (
      <Page title={t('operators.tenants.title')}>
        <div class="alert alert--error" role="alert">
          <p>{t('operators.forbidden')}</p>
        </div>
      </Page>
    );
  }

  return (
    <Page title={t('operators.tenants.title')}>
      <p class="lead">{t('operators.tenants.lead')}</p>
      <TenantFilterForm filters={filters} onApply={(next) => navigate(tenantsHref(next))} />
      <div class="queue-status" role="status">
        {list.data ? tn(list.data.cursor ? 'operators.tenants.shown_more' : 'operators.tenants.shown', list.data.items.length) : null}
      </div>
      <MoveProgress moves={moves} onSettled={settled} />
      <Loaded resource={list} empty={(listing) => listing.items.length === 0 && t('operators.tenants.empty')}>
        {(listing) => (
          <WideTable
            class="tenants"
            caption={t('operators.tenants.caption')}
            busy={list.loading}
            headings={[t('operators.col.name'), t('operators.col.slug'), t('operators.col.status'), t('operators.col.placement'), t('operators.col.cluster'), t('operators.col.database'), t('operators.col.created'), t('operators.col.actions')]}
          >
            <tbody>
              {listing.items.map((tenant) => (
                <TenantRow key={tenant.id} tenant={tenant} onMove={setMoving} />
              ))}
            </tbody>
          </WideTable>
        )}
      </Loaded>
      <LoadMore more={more} label={t('operators.tenants.more')} onMore={list.data?.cursor && !list.loading ? loadMore : null} />
      <MoveDialog tenant={moving} onClose={closeMove} onStarted={started} />
    </Page>
  );
}

function TenantRow({ tenant, onMove }: { tenant: PlacedTenant; onMove: (tenant: PlacedTenant) => void }) {
  const { placement } = tenant;
  return (
    <tr>
      <th scope="row">{tenant.name}</th>
      <td>{tenant.slug}</td>
      <td>
        <span class={STATUS_BADGE[tenant.status] ?? 'badge'}>{t(STATUS_LABEL[tenant.status])}</span>
      </td>
      <td>{t(PLACEMENT_LABEL[placement.mode])}</td>
      <td>{placement.cluster ?? t('operators.not_placed')}</td>
      <td>{placement.database ?? t('operators.not_placed')}</td>
      <td>{formatDate(tenant.created_at)}</td>
      <td>{canMove(tenant) ? <MoveButton tenant={tenant} onOpen={onMove} /> : null}</td>
    </tr>
  );
}
