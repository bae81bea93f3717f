//! The top of the tree: the error boundary, the language (a change re-renders everything), and
//! the app the host serves.

import { ControlApp } from './control/ControlApp';
import type { HostApp } from './host';
import { t } from './i18n';
import { ErrorBoundary } from './ui/ErrorBoundary';
import { useLocale } from './ui/hooks';
import { Layout } from './ui/Layout';
import { Loading } from './ui/status';

export function Root({ host }: { host: HostApp }) {
  // Read here so that a change of language re-renders the whole tree.
  useLocale();
  return (
    <ErrorBoundary>
      {host.kind === 'control' ? (
        <ControlApp />
      ) : (
        <Layout place={host.slug}>
          <Loading label={t('common.loading')} />
        </Layout>
      )}
    </ErrorBoundary>
  );
}
