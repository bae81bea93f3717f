/**
 * The staff console (agents, admins, owners): the queues and tickets (and a new one opened for a
 * customer), the team queues, the help center's articles (and for owners and admins its
 * categories), the customer organisations (read by everyone on the staff, kept by owners and
 * admins: `organizations/`), and for owners and admins the dashboard, the ticket reports and the help center
 * report, in the sidebar (`Sidebar.tsx`); the settings area (`settings.tsx`): the quarantine of
 * received mail for everyone on the staff; the team, the macros, the SLA policy, the teams, the
 * ticket categories, the organisation's settings, the integrations and the mailbox for owners
 * and admins; single sign-on for owners. In the header, the switch saying whether one takes tickets now
 * (`Availability.tsx`). Above the home's queue, the onboarding checklist for owners and admins
 * (`OnboardingChecklist.tsx`).
 */

import type { ComponentChildren } from 'preact';
import { useLocation } from '../router/router';
import type { Area } from '../tenant/area';
import { useMember } from '../tenant/member';
import { NotFoundPage } from '../ui/NotFoundPage';
import { AvailabilitySwitch } from './Availability';
import { ArticlePage, NewArticlePage } from './help/ArticlePage';
import { ArticlesPage } from './help/ArticlesPage';
import { CategoriesPage } from './help/CategoriesPage';
import { OnboardingChecklist } from './OnboardingChecklist';
import { NewOrganizationPage, OrganizationPage } from './organizations/OrganizationPage';
import { OrganizationsPage } from './organizations/OrganizationsPage';
import { PeopleProvider } from './people';
import { QueuePage } from './queue/QueuePage';
import { isAdmin } from './roles';
import { AdminPage, SETTINGS_PAGES, SettingsArea } from './settings';
import { Sidebar } from './Sidebar';
import { NewTicketPage } from './ticket/NewTicketPage';
import { TicketPage } from './ticket/TicketPage';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Console({ children }: { children: ComponentChildren }) {
  return <PeopleProvider>{children}</PeopleProvider>;
}

/** Pages for owners and admins; others get "not found", as the server would answer them. */
function AdminOnly({ children }: { children: ComponentChildren }) {
  const { member } = useMember();
  return <>{isAdmin(member.role) ? children : <NotFoundPage />}</>;
}

/** The queue; on the console's home itself (`/`, no filter), the onboarding checklist above it. */
function Queue() {
  const location = useLocation();
  return (
    <>
      {location.query.size === 0 ? <OnboardingChecklist /> : null}
      <QueuePage query={location.query} />
    </>
  );
}

export const consoleArea: Area = {
  routes: [
    { path: '/', render: () => <Console><Queue /></Console> },
    { path: '/tickets/new', render: () => <Console><NewTicketPage /></Console> },
    {
      path: '/tickets/{id}',
      render: ({ id }) => <Console>{/^\d{1,18}$/.test(id ?? '') ? <TicketPage key={id} id={Number(id)} /> : <NotFoundPage />}</Console>,
    },
    { path: '/admin', render: () => <Console><AdminOnly><AdminPage name="DashboardPage" /></AdminOnly></Console> },
    { path: '/admin/reports', render: () => <Console><AdminOnly><AdminPage name="ReportsPage" /></AdminOnly></Console> },
    { path: '/admin/reports/help-center', render: () => <Console><AdminOnly><AdminPage name="HelpCenterReportPage" /></AdminOnly></Console> },
    { path: '/help-center', render: () => <Console><ArticlesPage /></Console> },
    { path: '/help-center/new', render: () => <Console><NewArticlePage /></Console> },
    {
      path: '/help-center/articles/{id}',
      render: ({ id }) => <Console>{UUID.test(id ?? '') ? <ArticlePage key={id} id={id!.toLowerCase()} /> : <NotFoundPage />}</Console>,
    },
    { path: '/help-center/categories', render: () => <Console><AdminOnly><CategoriesPage /></AdminOnly></Console> },
    { path: '/organizations', render: () => <Console><OrganizationsPage /></Console> },
    { path: '/organizations/new', render: () => <Console><AdminOnly><NewOrganizationPage /></AdminOnly></Console> },
    {
      path: '/organizations/{id}',
      render: ({ id }) => <Console>{UUID.test(id ?? '') ? <OrganizationPage key={id} id={id!.toLowerCase()} /> : <NotFoundPage />}</Console>,
    },
    ...SETTINGS_PAGES.map((page) => ({ path: page.path, render: () => <Console><SettingsArea page={page} /></Console> })),
  ],
  sidebar: (location) => <Sidebar location={location} />,
  tools: () => <AvailabilitySwitch />,
};
