/**
 * The control host (the apex): organisations sign up here and wait for their space, and
 * platform operators sign in to see every organisation (`/operators/...`). A session held here
 * (a platform operator's) is restored from its cookie as the page loads.
 */

import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { Routes, navigate, useLocation } from '../router/router';
import { session } from '../session';
import { useSession } from '../session/useSession';
import { displayName } from '../tenant/member';
import { Layout } from '../ui/Layout';
import { NotFoundPage } from '../ui/NotFoundPage';
import { OPERATORS_LOGIN_PATH, OperatorsArea } from './OperatorsArea';
import { ProvisioningPage } from './ProvisioningPage';
import { SignupPage } from './SignupPage';
import { TENANTS_PATH } from './tenantFilters';

export function ControlApp() {
  const location = useLocation();
  const { path } = location;
  const state = useSession();
  const [restoreError, setRestoreError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [signingOut, setSigningOut] = useState(false);

  useEffect(() => {
    setRestoreError(null);
    void session.restore().catch(setRestoreError);
  }, [attempt]);

  const signOut = async () => {
    setSigningOut(true);
    await session.logout();
    setSigningOut(false);
    navigate(OPERATORS_LOGIN_PATH, { replace: true });
  };

  const signedIn = state.status === 'signed_in' ? state : null;
  const nav = [{ href: '/', label: t('signup.nav'), current: path === '/' }];
  if (signedIn?.role === 'platform_admin') nav.push({ href: TENANTS_PATH, label: t('operators.nav'), current: path === TENANTS_PATH });
  const user = signedIn ? { name: displayName(signedIn.user), onSignOut: () => void signOut(), signingOut } : undefined;
  const operators = () => <OperatorsArea location={location} state={state} restoreError={restoreError} onRetry={() => setAttempt((n) => n + 1)} />;

  return (
    <Layout nav={nav} user={user}>
      <Routes
        path={path}
        routes={[
          { path: '/', render: () => <SignupPage /> },
          { path: '/setup/{slug}', render: ({ slug }) => <ProvisioningPage slug={slug!} /> },
          { path: '/operators', render: operators },
          { path: '/operators/{page}', render: operators },
        ]}
        fallback={() => <NotFoundPage />}
      />
    </Layout>
  );
}
