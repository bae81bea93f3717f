/**
 * The platform operators' pages on the control host (`/operators/...`): their sign-in, then the
 * list of organisations. Signed out, every page asks to sign in first and comes back afterwards;
 * signed in, the sign-in page leads on.
 */

import type { SessionState } from '../session';
import { t } from '../i18n';
import { safeNext } from '../router/match';
import { Redirect, Routes, type Location } from '../router/router';
import { Loaded } from '../ui/status';
import { OperatorLoginPage } from './OperatorLoginPage';
import { TENANTS_PATH } from './tenantFilters';
import { TenantsPage } from './TenantsPage';

export const OPERATORS_LOGIN_PATH = '/operators/login';

export function OperatorsArea({ location, state, restoreError, onRetry }: { location: Location; state: SessionState; restoreError: unknown; onRetry: () => void }) {
  if (state.status === 'unknown') {
    return (
      <Loaded resource={{ data: undefined, error: restoreError, loading: true, reload: onRetry }} loadingLabel={t('common.restoring')}>
        {() => null}
      </Loaded>
    );
  }
  const signedIn = state.status === 'signed_in';
  const here = location.path + (location.query.size ? `?${location.query.toString()}` : '');
  const toLogin = `${OPERATORS_LOGIN_PATH}?next=${encodeURIComponent(here)}`;
  // Back to the list asked for (its filters kept), never elsewhere.
  const next = safeNext(location.query.get('next'), TENANTS_PATH);
  const afterSignIn = next === TENANTS_PATH || next.startsWith(`${TENANTS_PATH}?`) ? next : TENANTS_PATH;
  return (
    <Routes
      path={location.path}
      routes={[
        { path: OPERATORS_LOGIN_PATH, render: () => (signedIn ? <Redirect to={afterSignIn} /> : <OperatorLoginPage />) },
        { path: TENANTS_PATH, render: () => (signedIn ? <TenantsPage query={location.query} /> : <Redirect to={toLogin} />) },
      ]}
      fallback={() => <Redirect to={signedIn ? TENANTS_PATH : OPERATORS_LOGIN_PATH} />}
    />
  );
}
