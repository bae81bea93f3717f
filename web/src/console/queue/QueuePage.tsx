/**
 * The queue: my tickets, the unassigned ones, all of them (all that the organisation's ticket
 * access lets the caller see: every ticket for owners and admins), each titled by
 * its name, and a team's (its unassigned tickets; the sidebar leads to them and to the views);
 * a view's queue is titled with the view's name and offers to delete it (its owner; a shared one:
 * owners and admins); search and filters in the address; live without a reload; j/k/Enter/r/e
 * from the keyboard; the way to a new ticket opened for a customer. On a phone the filters fold
 * behind a button.
 */

import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ticketListChanged } from '../../data/live';
import { PAGE_SIZE } from '../../data/listing';
import { usePaged } from '../../data/paged';
import { changeStatus, listTickets, revalidateTickets, type TicketListItem, type TicketQuery } from '../../data/tickets';
import { describeProblem } from '../../errors/describe';
import { t, tn, type MessageKey } from '../../i18n';
import { Link, navigate } from '../../router/router';
import { useMember } from '../../tenant/member';
import { useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { ErrorAlert, Loaded, LoadMore } from '../../ui/status';
import { ShortcutsButton, ShortcutsHelp } from '../ShortcutsHelp';
import { useShortcuts } from '../keyboard';
import { isAdmin } from '../roles';
import { useNow } from '../useNow';
import { useTeams, useTeamsById } from '../useTeams';
import { FilterBar } from './FilterBar';
import { QueueRow } from './QueueRow';
import { viewHref } from './saved';
import { DeleteView } from './DeleteView';
import { useViews } from '../useViews';
import { parseQueue, queueHref, ticketQuery, type QueueState } from './views';

const TITLE: Record<QueueState['view'], MessageKey> = {
  mine: 'console.queue.title.mine',
  unassigned: 'console.queue.title.unassigned',
  all: 'console.queue.title.all',
};

const EMPTY: Record<QueueState['view'], MessageKey> = {
  mine: 'console.queue.empty.mine',
  unassigned: 'console.queue.empty.unassigned',
  all: 'console.queue.empty.all',
};

/** A team's view of the queue, titled with the team's name. */
const TEAM_TITLE: Record<QueueState['view'], MessageKey> = {
  mine: 'teams.queue.title.mine',
  unassigned: 'teams.queue.title.unassigned',
  all: 'teams.queue.title.all',
};

/** A queue that stays current: its head read again (with the last ETag) when the live stream
 * says a ticket was created or changed, or polled every few seconds while the stream is down and
 * the tab visible; further pages loaded on demand ("load more"). */
function useQueue(query: TicketQuery) {
  return usePaged<TicketListItem>(
    JSON.stringify(query),
    {
      head: (limit, etag, signal) => revalidateTickets(query, limit, etag, signal),
      page: (cursor, signal) => listTickets(query, { limit: PAGE_SIZE, cursor }, signal),
    },
    { follows: ticketListChanged },
  );
}

/** The queue last shown, for the ticket page's way back. */
let lastQueue = '/';
export const lastQueueHref = () => lastQueue;

export function QueuePage({ query }: { query: URLSearchParams }) {
  const { member } = useMember();
  const admin = isAdmin(member.role);
  const state = parseQueue(query);
  const here = queueHref(state);
  lastQueue = here;
  const queue = useQueue(ticketQuery(state, member.id));
  const views = useViews();
  // The view whose queue this is, if any (the first of that address: shared ones come first).
  const view = views.data?.find((v) => viewHref(v, member.id) === here);
  const teams = useTeams();
  const teamsById = useTeamsById(teams.data);
  const team = teamsById.get(state.team);
  const now = useNow();
  // Nothing is selected until the keyboard (j, k) or focus picks a ticket.
  const [selected, setSelected] = useState<number | null>(null);
  useEffect(() => setSelected(null), [here]);
  const [help, setHelp] = useState(false);
  // On a phone the filters fold behind their button (from 40rem up they are always there).
  const [filtering, setFiltering] = useState(false);
  const filtersId = useId();
  const [notice, setNotice] = useState('');
  const list = useRef<HTMLUListElement>(null);
  const more = useSubmit();
  const resolving = useSubmit();

  const tickets = queue.listing?.items ?? [];
  const change = (next: QueueState) => navigate(queueHref(next), { replace: true });
  const move = (step: number) => {
    const all = Array.from(list.current?.querySelectorAll<HTMLAnchorElement>('a.ticket-row-link') ?? []);
    if (!all.length) return;
    const index = selected === null ? 0 : Math.min(all.length - 1, Math.max(0, selected + step));
    setSelected(index);
    all[index]?.focus();
  };
  const current = selected === null ? undefined : tickets[Math.min(selected, tickets.length - 1)];

  useShortcuts({
    next: () => move(1),
    previous: () => move(-1),
    open: () => current && navigate(`/tickets/${current.id}`),
    reply: () => current && navigate(`/tickets/${current.id}#reply`),
    resolve: () => {
      if (!current) return;
      if (!current.allowed_statuses.includes('resolved')) return setNotice(t('console.queue.cannot_resolve', { number: current.ticket_number }));
      void resolving.run(async () => {
        await changeStatus(current.id, 'resolved');
        setNotice(t('console.queue.resolved', { number: current.ticket_number }));
        await queue.refresh();
      });
    },
    help: () => setHelp(true),
  });

  const loadMore = () => void more.run(queue.loadMore);

  return (
    <Page
      title={view ? view.name : team ? t(TEAM_TITLE[state.view], { team: team.name }) : t(TITLE[state.view])}
      actions={
        <>
          {view && (view.shared ? admin : view.owner_id === member.id) ? <DeleteView key={view.id} view={view} onDeleted={setNotice} /> : null}
          <ShortcutsButton onOpen={() => setHelp(true)} />
          <Link href="/tickets/new" class="button">
            {t('tickets.new.title')}
          </Link>
        </>
      }
    >
      <button type="button" class="button button--secondary filters-toggle" aria-expanded={filtering ? 'true' : 'false'} aria-controls={filtersId} onClick={() => setFiltering(!filtering)}>
        {t('console.filter.toggle')}
      </button>
      <div id={filtersId} class={filtering ? 'filters-fold' : 'filters-fold filters-fold--closed'}>
        <FilterBar state={state} admin={admin} me={member.id} onChange={change} teams={teams.data ?? []} />
      </div>
      <ErrorAlert error={resolving.error} />
      <div class="queue-status" role="status">
        {queue.listing ? <span>{tn('console.queue.count', tickets.length)}</span> : null}
        {queue.arrived > 0 ? <span> {tn('console.queue.arrived', queue.arrived)}</span> : null}
        {notice ? <span> {notice}</span> : null}
        {queue.stale ? <span> {t('console.live.paused', { reason: describeProblem(queue.stale) })}</span> : null}
      </div>
      <Loaded resource={queue} empty={(l) => l.items.length === 0 && (team && state.view === 'unassigned' ? t('teams.queue.empty', { team: team.name }) : t(EMPTY[state.view]))}>
        {() => (
          <ul class="ticket-list" ref={list} aria-busy={queue.loading ? 'true' : undefined} aria-label={t('console.queue.list')}>
            {tickets.map((ticket, index) => (
              <QueueRow
                key={ticket.id}
                ticket={ticket}
                now={now}
                selected={index === selected}
                onFocus={() => setSelected(index)}
                team={ticket.team_id ? teamsById.get(ticket.team_id)?.name : undefined}
              />
            ))}
          </ul>
        )}
      </Loaded>
      <LoadMore more={more} label={t('console.queue.load_more')} onMore={queue.listing?.cursor ? loadMore : null} />
      <ShortcutsHelp open={help} onClose={() => setHelp(false)} />
    </Page>
  );
}
