/** The tenant's own address, when the status answer carries it (`app_url`). */

import type { TenantStatusView } from '../api/schemas';

export function appUrlOf(view: TenantStatusView): string | null {
  const url = view.app_url;
  return typeof url === 'string' && /^https?:\/\//.test(url) ? url : null;
}
