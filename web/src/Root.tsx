/**
 * The top of the tree: the error boundary, the language (a change re-renders everything), and
 * the app the host serves.
 */

import type { HostApp } from './host';
import { ControlApp } from './control/ControlApp';
import { TenantApp } from './tenant/TenantApp';
import { ErrorBoundary } from './ui/ErrorBoundary';
import { useLocale } from './ui/hooks';

export function Root({ host }: { host: HostApp }) {
  // Read here so that a change of language re-renders the whole tree.
  useLocale();
  return (
    <ErrorBoundary>
      {host.kind === 'control' ? <ControlApp /> : <TenantApp slug={host.slug} />}
    </ErrorBoundary>
  );
}
