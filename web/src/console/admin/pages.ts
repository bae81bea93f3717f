/**
 * The administration's pages (the settings area's for owners and admins, the dashboard, the
 * reports): a file of their own, fetched when one of them is first opened (`AdminPages`), not
 * with the app every agent loads.
 */

export { CustomersPage } from './CustomersPage';
export { DashboardPage } from './DashboardPage';
export { FieldsPage } from './FieldsPage';
export { HelpCenterReportPage } from './HelpCenterReportPage';
export { IntegrationsPage } from './IntegrationsPage';
export { MacrosPage } from './MacrosPage';
export { MailboxPage } from './MailboxPage';
export { OrganisationPage } from './OrganisationPage';
export { ReportsPage } from './ReportsPage';
export { RulesPage } from './RulesPage';
export { SchedulesPage } from './SchedulesPage';
export { SlaPolicyPage } from './SlaPolicyPage';
export { SsoPage } from './SsoPage';
export { TeamPage } from './TeamPage';
export { TeamsPage } from './TeamsPage';
export { TicketCategoriesPage } from './TicketCategoriesPage';
