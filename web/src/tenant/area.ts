//! An area of the tenant host for signed-in people (the customer portal, the staff console):
//! its routes and its navigation. The app picks one by role and knows nothing else about it.

import type { NavItem } from '../ui/Layout';
import type { Route } from '../router/router';

export interface Area {
  routes: Route[];
  nav: (path: string) => NavItem[];
}
