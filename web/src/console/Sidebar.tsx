/**
 * The console's sidebar, the day's work: the queues with how many tickets each holds, the queues
 * of the caller's teams (every team's for owners and admins) with how many tickets wait there to
 * be taken, the views (saved filters the server keeps: the shared ones, then the caller's own)
 * with their exact counts, the help center's articles (and its categories for owners and
 * admins), the customer organisations, the dashboard, the ticket reports and the help center report (owners and admins), and
 * the way into the settings area.
 */

import type { ComponentChildren } from 'preact';
import type { Team } from '../data/teams';
import type { View } from '../data/views';
import { t, tn, type MessageKey } from '../i18n';
import type { Location } from '../router/router';
import { useMember } from '../tenant/member';
import { NavGroup, NavLink } from '../ui/SideNav';
import { countIn, countText, useActiveTickets, useQueueCount, type ActiveTickets, type QueueCount } from './queue/counts';
import type { TicketQuery } from './queue/views';
import { viewHref } from './queue/saved';
import { DEFAULT_STATE, VIEWS, parseQueue, queueHref, teamQueue, ticketQuery, type ViewId } from './queue/views';
import { isAdmin } from './roles';
import { inSettings, settingsHome } from './settings';
import { queuedTeams } from './teams';
import { useTeams } from './useTeams';
import { useViewCounts, useViews } from './useViews';

const VIEW_LABEL: Record<ViewId, MessageKey> = {
  mine: 'console.view.mine',
  unassigned: 'console.view.unassigned',
  all: 'console.view.all',
};

export function Sidebar({ location }: { location: Location }) {
  const { member } = useMember();
  const admin = isAdmin(member.role);
  const views = useViews().data ?? [];
  // The views' counts are read only when there are views to count.
  const counts = useViewCounts(views.length > 0);
  const active = useActiveTickets().data;
  const teams = queuedTeams(useTeams().data ?? [], member.id, admin);
  const { path } = location;
  // The queue shown: its address is that of a queue, of a saved view, of a team's queue, or one
  // of them filtered further.
  const queue = path === '/' ? parseQueue(location.query) : null;
  const here = queue ? queueHref(queue) : null;
  const viewHrefs = new Map(views.map((view) => [view.id, viewHref(view, member.id)]));
  const savedHere = [...viewHrefs.values()].some((href) => href === here);
  const teamHere = teams.some((team) => team.id === queue?.team);
  const viewCurrent = (view: ViewId, href: string) => (href === here ? 'page' : queue?.view === view && !savedHere && !teamHere ? 'true' : undefined);
  const teamCurrent = (team: Team, href: string) => (href === here ? 'page' : queue?.team === team.id && !savedHere ? 'true' : undefined);
  const settings = settingsHome(member.role);

  return (
    <>
      <NavGroup label={t('console.nav.tickets')}>
        {VIEWS.map((view) => {
          const href = queueHref({ ...DEFAULT_STATE, view });
          return <QueueLink key={view} view={view} me={member.id} active={active} href={href} current={viewCurrent(view, href)} />;
        })}
      </NavGroup>
      {teams.length ? (
        <NavGroup label={t('teams.nav.queues')}>
          {teams.map((team) => {
            const href = queueHref(teamQueue(team.id));
            return <TeamQueueLink key={team.id} team={team} me={member.id} active={active} href={href} current={teamCurrent(team, href)} />;
          })}
        </NavGroup>
      ) : null}
      {views.length ? (
        <NavGroup label={t('console.saved.title')}>
          {views.map((view) => {
            const href = viewHrefs.get(view.id) ?? '/';
            return <ViewLink key={view.id} view={view} count={counts.get(view.id)} href={href} current={href === here ? 'page' : undefined} />;
          })}
        </NavGroup>
      ) : null}
      <NavGroup label={t('help.nav.group')}>
        <NavLink href="/help-center" current={path === '/help-center' ? 'page' : path === '/help-center/new' || path.startsWith('/help-center/articles/') ? 'true' : undefined}>
          {t('help.nav.articles')}
        </NavLink>
        {admin ? (
          <NavLink href="/help-center/categories" current={path === '/help-center/categories' ? 'page' : undefined}>
            {t('help.nav.categories')}
          </NavLink>
        ) : null}
      </NavGroup>
      <NavGroup label={t('organizations.nav.group')}>
        <NavLink href="/organizations" current={path === '/organizations' ? 'page' : path.startsWith('/organizations/') ? 'true' : undefined}>
          {t('organizations.nav.list')}
        </NavLink>
      </NavGroup>
      {admin ? (
        <NavGroup label={t('console.nav.reports')}>
          <NavLink href="/admin" current={path === '/admin' ? 'page' : undefined}>
            {t('console.nav.dashboard')}
          </NavLink>
          <NavLink href="/admin/reports" current={path === '/admin/reports' ? 'page' : undefined}>
            {t('reports.nav')}
          </NavLink>
          <NavLink href="/admin/reports/help-center" current={path === '/admin/reports/help-center' ? 'page' : undefined}>
            {t('help.nav.report')}
          </NavLink>
        </NavGroup>
      ) : null}
      <NavGroup apart>
        <NavLink href={settings} current={inSettings(path) ? (path === settings ? 'page' : 'true') : undefined}>
          {t('console.nav.settings')}
        </NavLink>
      </NavGroup>
    </>
  );
}

/** A queue's count: from the tickets not yet resolved when they tell it, else its own read
 * (nothing while they load). */
function useCount(query: TicketQuery, active: ActiveTickets | undefined): { data: QueueCount | undefined; own: boolean } {
  const counted = active ? countIn(active, query) : undefined;
  return { data: counted ?? undefined, own: counted === null };
}

/** Reads a queue's count by itself and hands it up (when the tickets not yet resolved cannot
 * tell it). */
function OwnCount({ query, children }: { query: TicketQuery; children: (count: QueueCount | undefined) => ComponentChildren }) {
  return <>{children(useQueueCount(query).data)}</>;
}

function QueueLink({ view, me, active, href, current }: { view: ViewId; me: string; active: ActiveTickets | undefined; href: string; current: 'page' | 'true' | undefined }) {
  const query = ticketQuery({ ...DEFAULT_STATE, view }, me);
  const counted = useCount(query, active);
  if (counted.own) return <OwnCount query={query}>{(data) => <QueueLinkShown view={view} count={data} href={href} current={current} />}</OwnCount>;
  return <QueueLinkShown view={view} count={counted.data} href={href} current={current} />;
}

function QueueLinkShown({ view, count: data, href, current }: { view: ViewId; count: QueueCount | undefined; href: string; current: 'page' | 'true' | undefined }) {
  const count = { data };
  const label = t(VIEW_LABEL[view]);
  // Named with the count in words ("My tickets, 7 not yet resolved"); the number shows beside.
  return (
    <NavLink href={href} current={current} label={count.data ? `${label}, ${countWords(count.data)}` : undefined}>
      <span class="side-text">{label}</span>
      {count.data ? <span class="side-count">{countText(count.data)}</span> : null}
    </NavLink>
  );
}

/** A team's queue: the tickets waiting there for someone ("Billing, 3 to assign"). */
function TeamQueueLink({ team, me, active, href, current }: { team: Team; me: string; active: ActiveTickets | undefined; href: string; current: 'page' | 'true' | undefined }) {
  const query = ticketQuery(teamQueue(team.id), me);
  const counted = useCount(query, active);
  if (counted.own) return <OwnCount query={query}>{(data) => <TeamQueueLinkShown team={team} count={data} href={href} current={current} />}</OwnCount>;
  return <TeamQueueLinkShown team={team} count={counted.data} href={href} current={current} />;
}

function TeamQueueLinkShown({ team, count: data, href, current }: { team: Team; count: QueueCount | undefined; href: string; current: 'page' | 'true' | undefined }) {
  const count = { data };
  const words = count.data ? (count.data.more ? t('teams.nav.count_more', { count: count.data.count }) : tn('teams.nav.count', count.data.count)) : null;
  return (
    <NavLink href={href} current={current} label={words ? `${team.name}, ${words}` : undefined}>
      <span class="side-text">{team.name}</span>
      {count.data ? <span class="side-count">{countText(count.data)}</span> : null}
    </NavLink>
  );
}

/** A view: its name, whether it is shared, and its exact count ("Refunds, shared, 3 tickets";
 * the number shows beside, the shared mark as an icon). */
function ViewLink({ view, count, href, current }: { view: View; count: number | undefined; href: string; current: 'page' | undefined }) {
  const label = [view.name, view.shared ? t('console.saved.shared') : null, count === undefined ? null : tn('console.saved.count', count)].filter(Boolean).join(', ');
  return (
    <NavLink href={href} current={current} label={label}>
      <span class="side-text">{view.name}</span>
      {view.shared ? (
        <svg class="icon side-shared" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
          <circle cx="5.5" cy="5.5" r="2.3" fill="none" stroke="currentColor" stroke-width="1.5" />
          <circle cx="11" cy="6.5" r="1.9" fill="none" stroke="currentColor" stroke-width="1.5" />
          <path d="M1.5 13.5c0-2.4 1.8-4 4-4s4 1.6 4 4M9.5 10.2c.5-.3 1-.5 1.5-.5 1.9 0 3.5 1.4 3.5 3.8" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
        </svg>
      ) : null}
      {count === undefined ? null : <span class="side-count">{count}</span>}
    </NavLink>
  );
}

/** The number beside a queue in words, for assistive technology. */
const countWords = (count: QueueCount) => (count.more ? t('console.nav.count_more', { count: count.count }) : tn('console.nav.count', count.count));
