/**
 * The customer portal: a customer's own tickets, and the way to the help center's public pages
 * in the language the portal is shown in.
 */

import { getLocale, t } from '../i18n';
import { publicHelpPath } from '../helpCenter/links';
import type { Area } from '../tenant/area';
import { NotFoundPage } from '../ui/NotFoundPage';
import { MyTicketsPage } from './MyTicketsPage';
import { NewTicketPage } from './NewTicketPage';
import { TicketPage } from './TicketPage';

export const portalArea: Area = {
  routes: [
    { path: '/', render: () => <MyTicketsPage /> },
    { path: '/tickets/new', render: () => <NewTicketPage /> },
    {
      path: '/tickets/{id}',
      render: ({ id }) => (/^\d{1,18}$/.test(id ?? '') ? <TicketPage key={id} id={Number(id)} /> : <NotFoundPage />),
    },
  ],
  nav: (path) => [
    { href: '/', label: t('portal.nav.tickets'), current: path === '/' || (path.startsWith('/tickets/') && path !== '/tickets/new') },
    { href: '/tickets/new', label: t('portal.nav.new'), current: path === '/tickets/new' },
    { href: publicHelpPath(getLocale()), label: t('help.nav.public'), current: false, external: true },
  ],
};
