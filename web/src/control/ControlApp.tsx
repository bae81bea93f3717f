/** The control host (the apex): organisations sign up here and wait for their space. */

import { t } from '../i18n';
import { Routes, useLocation } from '../router/router';
import { Layout } from '../ui/Layout';
import { NotFoundPage } from '../ui/NotFoundPage';
import { ProvisioningPage } from './ProvisioningPage';
import { SignupPage } from './SignupPage';

export function ControlApp() {
  const { path } = useLocation();
  return (
    <Layout nav={[{ href: '/', label: t('signup.nav'), current: path === '/' }]}>
      <Routes
        path={path}
        routes={[
          { path: '/', render: () => <SignupPage /> },
          { path: '/setup/{slug}', render: ({ slug }) => <ProvisioningPage slug={slug!} /> },
        ]}
        fallback={() => <NotFoundPage />}
      />
    </Layout>
  );
}
