//! The staff console (agents, admins, owners). For now a landing page; the console's pages will
//! join this area's routes.

import { t } from '../i18n';
import type { Area } from '../tenant/area';
import { ConsoleHome } from './ConsoleHome';

export const consoleArea: Area = {
  routes: [{ path: '/', render: () => <ConsoleHome /> }],
  nav: (path) => [{ href: '/', label: t('console.nav.home'), current: path === '/' }],
};
