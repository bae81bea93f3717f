//! A tenant's host: restores the session from its cookie, then shows the public pages (sign in,
//! register, invitations) or the area the person's role opens.

import { useEffect, useState } from 'preact/hooks';
import { session } from '../session';
import { useSession } from '../session/useSession';
import { t } from '../i18n';
import { useLocation } from '../router/router';
import { Layout } from '../ui/Layout';
import { Loaded } from '../ui/status';
import { SignedIn } from './SignedIn';
import { SignedOut } from './SignedOut';
import { emailUnconfirmed } from './verified';

export function TenantApp({ slug }: { slug: string }) {
  const state = useSession();
  const location = useLocation();
  const [restoreError, setRestoreError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setRestoreError(null);
    session.restore().catch(setRestoreError);
  }, [attempt]);

  // A session of another organisation (its cookie set on this host) is not one here.
  const foreign = state.status === 'signed_in' && state.tenant?.slug !== slug;
  useEffect(() => {
    if (foreign) void session.logout();
  }, [foreign]);

  if (state.status === 'unknown' || foreign) {
    return (
      <Layout place={slug}>
        <Loaded resource={{ data: undefined, error: restoreError, loading: true, reload: () => setAttempt((n) => n + 1) }} loadingLabel={t('common.restoring')}>
          {() => null}
        </Loaded>
      </Layout>
    );
  }
  if (state.status === 'signed_out') return <SignedOut slug={slug} location={location} />;
  return <SignedIn slug={slug} place={state.tenant?.name ?? slug} location={location} userId={state.user.id} emailUnconfirmed={emailUnconfirmed(state.user)} />;
}
