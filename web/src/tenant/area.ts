/**
 * An area of the tenant host for signed-in people (the customer portal, the staff console):
 * its routes and its navigation. The app picks one by role and knows nothing else about it.
 */

import type { ComponentChildren } from 'preact';
import type { Role } from '../api/schemas';
import type { NavItem } from '../ui/nav';
import type { Location, Route } from '../router/router';

export interface Area {
  routes: Route[];
  /** Links in the header (the portal's few pages). */
  nav?: (path: string, role: Role) => NavItem[];
  /** A sidebar instead (the console's queues, views and areas): the "Main" navigation's content
   * on this page, rendered where the signed-in member is known (`useMember`). */
  sidebar?: (location: Location) => ComponentChildren;
  /** What the area adds to the header's tools, rendered where the member is known (the
   * console: whether one takes tickets now). */
  tools?: () => ComponentChildren;
}
