//! The customer portal: a customer's own tickets.

import { t } from '../i18n';
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
  ],
};
