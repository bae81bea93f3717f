//! An area of the tenant host for signed-in people (the customer portal, the staff console):
//! its routes and its navigation. The app picks one by role and knows nothing else about it.

import type { Role } from '../api/schemas';
import type { NavItem } from '../ui/Layout';
import type { Route } from '../router/router';

export interface Area {
  routes: Route[];
  /** The navigation, which may depend on the member's role (the console's admin pages). */
  nav: (path: string, role: Role) => NavItem[];
}
