//! The staff console (agents, admins, owners): the queue, tickets and the quarantine of received
//! mail for everyone on the staff; the dashboards, the team, the macros, the settings, the
//! integrations and the mailbox for owners and admins.

import type { ComponentChildren } from 'preact';
import { t } from '../i18n';
import { useLocation } from '../router/router';
import type { Area } from '../tenant/area';
import { useMember } from '../tenant/member';
import { NotFoundPage } from '../ui/NotFoundPage';
import { DashboardPage } from './admin/DashboardPage';
import { IntegrationsPage } from './admin/IntegrationsPage';
import { MacrosPage } from './admin/MacrosPage';
import { MailboxPage } from './admin/MailboxPage';
import { SettingsPage } from './admin/SettingsPage';
import { TeamPage } from './admin/TeamPage';
import { QuarantinePage } from './inbound/QuarantinePage';
import { PeopleProvider } from './people';
import { QueuePage } from './queue/QueuePage';
import { isAdmin } from './roles';
import { TicketPage } from './ticket/TicketPage';

function Console({ children }: { children: ComponentChildren }) {
  return <PeopleProvider>{children}</PeopleProvider>;
}

/** Pages for owners and admins; others get "not found", as the server would answer them. */
function AdminOnly({ children }: { children: ComponentChildren }) {
  const { member } = useMember();
  return <>{isAdmin(member.role) ? children : <NotFoundPage />}</>;
}

function Queue() {
  const location = useLocation();
  return <QueuePage query={location.query} />;
}

function Quarantine() {
  const location = useLocation();
  return <QuarantinePage query={location.query} />;
}

export const consoleArea: Area = {
  routes: [
    { path: '/', render: () => <Console><Queue /></Console> },
    {
      path: '/tickets/{id}',
      render: ({ id }) => <Console>{/^\d{1,18}$/.test(id ?? '') ? <TicketPage key={id} id={Number(id)} /> : <NotFoundPage />}</Console>,
    },
    { path: '/quarantine', render: () => <Console><Quarantine /></Console> },
    { path: '/admin', render: () => <Console><AdminOnly><DashboardPage /></AdminOnly></Console> },
    { path: '/admin/team', render: () => <Console><AdminOnly><TeamPage /></AdminOnly></Console> },
    { path: '/admin/macros', render: () => <Console><AdminOnly><MacrosPage /></AdminOnly></Console> },
    { path: '/admin/settings', render: () => <Console><AdminOnly><SettingsPage /></AdminOnly></Console> },
    { path: '/admin/integrations', render: () => <Console><AdminOnly><IntegrationsPage /></AdminOnly></Console> },
    { path: '/admin/mailbox', render: () => <Console><AdminOnly><MailboxPage /></AdminOnly></Console> },
  ],
  nav: (path, role) => [
    { href: '/', label: t('console.nav.queue'), current: path === '/' || path.startsWith('/tickets/') },
    { href: '/quarantine', label: t('console.nav.quarantine'), current: path === '/quarantine' },
    ...(isAdmin(role)
      ? [
          { href: '/admin', label: t('console.nav.dashboard'), current: path === '/admin' },
          { href: '/admin/team', label: t('console.nav.team'), current: path === '/admin/team' },
          { href: '/admin/macros', label: t('console.nav.macros'), current: path === '/admin/macros' },
          { href: '/admin/settings', label: t('console.nav.settings'), current: path === '/admin/settings' },
          { href: '/admin/integrations', label: t('console.nav.integrations'), current: path === '/admin/integrations' },
          { href: '/admin/mailbox', label: t('console.nav.mailbox'), current: path === '/admin/mailbox' },
        ]
      : []),
  ],
};
