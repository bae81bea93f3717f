/**
 * Mail held back for staff to review (a DMARC failure, a staff address claimed from outside, an
 * unknown sender when customers are not created), or, with the box ticked, every mail received
 * and what became of it. Everyone on the staff sees it and may download an original; owners and
 * admins release a mail (it becomes a ticket or a message, as if trusted) or discard it.
 */

import { useId, useState } from 'preact/hooks';
import { listInbound, type Released } from '../../data/inbound';
import { useResource } from '../../data/resource';
import { t, tn, type MessageKey } from '../../i18n';
import { navigate } from '../../router/router';
import { useMember } from '../../tenant/member';
import { useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { Loaded, LoadMore } from '../../ui/status';
import { isAdmin } from '../roles';
import { InboundRow } from './InboundRow';
import { firstPage, parseState, quarantineHref, sender, settle, withPage, type InboundList, type Settled } from './inbound';

/** What the last release or discard did (kept as such, so that it follows a change of language). */
type Done = { kind: 'released' | 'appended' | 'discarded'; from: string };
const DONE: Record<Done['kind'], MessageKey> = {
  released: 'inbound.quarantine.released',
  appended: 'inbound.quarantine.appended',
  discarded: 'inbound.quarantine.discarded',
};

export function QuarantinePage({ query }: { query: URLSearchParams }) {
  const { member, slug } = useMember();
  const admin = isAdmin(member.role);
  const state = parseState(query);
  const all = state === 'all';
  const list = useResource<InboundList>(`inbound:${slug}:${state}`, async (signal) => firstPage(await listInbound(state, undefined, signal)));
  const [done, setDone] = useState<Done | null>(null);
  const more = useSubmit();
  const id = useId();
  const items = list.data?.items ?? [];

  const loadMore = () =>
    void more.run(async () => {
      const before = list.data?.before;
      if (before == null) return;
      const page = await listInbound(state, before);
      list.setData((shown) => (shown ? withPage(shown, page) : shown));
    });

  const settled = (mailId: number, change: Settled, released?: Released) => {
    const mail = items.find((m) => m.id === mailId);
    list.setData((shown) => (shown ? settle(shown, mailId, change) : shown));
    const kind = change.outcome === 'discarded' ? 'discarded' : released?.outcome === 'appended' ? 'appended' : 'released';
    setDone({ kind, from: mail ? sender(mail) : '' });
  };

  return (
    <Page
      title={t('inbound.quarantine.title')}
      actions={
        <button type="button" class="button button--secondary" disabled={list.loading} onClick={list.reload}>
          {t('inbound.quarantine.refresh')}
        </button>
      }
    >
      <p class="lead">{t(all ? 'inbound.quarantine.lead_all' : 'inbound.quarantine.lead')}</p>
      <div class="checkbox">
        <input
          id={`${id}-all`}
          type="checkbox"
          checked={all}
          onChange={(e) => {
            setDone(null);
            navigate(quarantineHref(e.currentTarget.checked ? 'all' : 'quarantined'), { replace: true });
          }}
        />
        <label for={`${id}-all`}>{t('inbound.quarantine.show_all')}</label>
      </div>
      <div class="queue-status" role="status">
        {list.data ? <span>{tn(all ? 'inbound.quarantine.count_all' : 'inbound.quarantine.count', items.length)}</span> : null}
        {done ? <span> {t(DONE[done.kind], { from: done.from })}</span> : null}
      </div>
      <Loaded resource={list} empty={(page) => page.items.length === 0 && t(all ? 'inbound.quarantine.empty_all' : 'inbound.quarantine.empty')}>
        {() => (
          <div class="table-wrap">
            <table class="inbound" aria-busy={list.loading ? 'true' : undefined}>
              <caption>{t(all ? 'inbound.quarantine.caption_all' : 'inbound.quarantine.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('inbound.col.from')}</th>
                  <th scope="col">{t('inbound.col.subject')}</th>
                  <th scope="col">{t('inbound.col.reason')}</th>
                  <th scope="col">{t('inbound.col.received')}</th>
                  {all ? <th scope="col">{t('inbound.col.outcome')}</th> : null}
                  <th scope="col">{t('inbound.col.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((mail) => (
                  <InboundRow key={mail.id} mail={mail} all={all} admin={admin} onSettled={settled} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
      <LoadMore more={more} label={t('inbound.quarantine.load_more')} onMore={list.data?.before != null ? loadMore : null} />
    </Page>
  );
}
