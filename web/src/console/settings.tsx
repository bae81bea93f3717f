/**
 * The settings area: the console's administration, a page each, in groups, with its own
 * navigation ("Settings"). A page is for everyone on the staff (the quarantine), for owners
 * and admins, or for owners alone (single sign-on); others do not see it listed and get "not
 * found" there, as the server would answer them. A new settings page is one entry here.
 */

import type { ComponentChildren } from 'preact';
import type { Role } from '../api/schemas';
import { t, type MessageKey } from '../i18n';
import { useLocation } from '../router/router';
import { useMember } from '../tenant/member';
import { NotFoundPage } from '../ui/NotFoundPage';
import { lazy } from '../ui/lazy';
import { NavGroup, NavLink } from '../ui/SideNav';
import { QuarantinePage } from './inbound/QuarantinePage';
import { isAdmin, isOwner } from './roles';

export interface SettingsPage {
  path: string;
  label: MessageKey;
  adminOnly: boolean;
  /** For owners alone (what only they may change). */
  ownerOnly?: true;
  render: () => ComponentChildren;
}

/** The administration's pages, fetched when an owner or admin first opens one. */
const AdminPages = lazy('admin', () => import('./admin/pages'));

/** One of the administration's pages. */
export function AdminPage({ name }: { name: keyof typeof import('./admin/pages') }) {
  return (
    <AdminPages>
      {(pages) => {
        const Page = pages[name];
        return <Page />;
      }}
    </AdminPages>
  );
}

function Quarantine() {
  const location = useLocation();
  return <QuarantinePage query={location.query} />;
}

const GROUPS: { label: MessageKey; pages: SettingsPage[] }[] = [
  {
    label: 'console.settings.group.organisation',
    pages: [
      { path: '/admin/settings', label: 'console.nav.organisation', adminOnly: true, render: () => <AdminPage name="OrganisationPage" /> },
      { path: '/admin/team', label: 'console.nav.team', adminOnly: true, render: () => <AdminPage name="TeamPage" /> },
      { path: '/admin/customers', label: 'console.nav.customers', adminOnly: true, render: () => <AdminPage name="CustomersPage" /> },
      { path: '/admin/integrations', label: 'console.nav.integrations', adminOnly: true, render: () => <AdminPage name="IntegrationsPage" /> },
      { path: '/admin/sso', label: 'sso.nav.settings', adminOnly: true, ownerOnly: true, render: () => <AdminPage name="SsoPage" /> },
    ],
  },
  {
    label: 'console.settings.group.tickets',
    pages: [
      { path: '/admin/macros', label: 'console.nav.macros', adminOnly: true, render: () => <AdminPage name="MacrosPage" /> },
      { path: '/admin/sla', label: 'console.nav.sla', adminOnly: true, render: () => <AdminPage name="SlaPolicyPage" /> },
      { path: '/admin/schedules', label: 'schedules.nav.settings', adminOnly: true, render: () => <AdminPage name="SchedulesPage" /> },
      { path: '/admin/teams', label: 'teams.nav.settings', adminOnly: true, render: () => <AdminPage name="TeamsPage" /> },
      { path: '/admin/categories', label: 'categories.nav.settings', adminOnly: true, render: () => <AdminPage name="TicketCategoriesPage" /> },
      { path: '/admin/fields', label: 'fields.nav.settings', adminOnly: true, render: () => <AdminPage name="FieldsPage" /> },
      { path: '/admin/rules', label: 'rules.nav.settings', adminOnly: true, render: () => <AdminPage name="RulesPage" /> },
    ],
  },
  {
    label: 'console.settings.group.email',
    pages: [
      { path: '/admin/mailbox', label: 'console.nav.mailbox', adminOnly: true, render: () => <AdminPage name="MailboxPage" /> },
      { path: '/quarantine', label: 'console.nav.quarantine', adminOnly: false, render: () => <Quarantine /> },
    ],
  },
];

const PAGES = GROUPS.flatMap((group) => group.pages);
const visible = (page: SettingsPage, role: Role) => (page.ownerOnly ? isOwner(role) : !page.adminOnly || isAdmin(role));

/** Where the sidebar's Settings link leads: the first page this role may see. */
export function settingsHome(role: Role): string {
  return PAGES.find((page) => visible(page, role))!.path;
}

export function inSettings(path: string): boolean {
  return PAGES.some((page) => page.path === path);
}

/** The area's pages, each rendered in `SettingsArea`. */
export const SETTINGS_PAGES: readonly SettingsPage[] = PAGES;

export function SettingsArea({ page }: { page: SettingsPage }) {
  const { member } = useMember();
  if (!visible(page, member.role)) return <NotFoundPage />;
  return (
    <div class="settings-layout">
      <nav class="settings-nav" aria-label={t('console.nav.settings')}>
        <p class="settings-nav-title" aria-hidden="true">
          {t('console.nav.settings')}
        </p>
        {GROUPS.map((group) => {
          const pages = group.pages.filter((p) => visible(p, member.role));
          return pages.length ? (
            <NavGroup key={group.label} label={t(group.label)}>
              {pages.map((p) => (
                <NavLink key={p.path} href={p.path} current={p.path === page.path ? 'page' : undefined}>
                  {t(p.label)}
                </NavLink>
              ))}
            </NavGroup>
          ) : null;
        })}
      </nav>
      <div class="settings-content">{page.render()}</div>
    </div>
  );
}
