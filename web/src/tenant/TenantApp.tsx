/**
 * A tenant's host: restores the session from its cookie (or, just after sign-up, signs the owner
 * in with the token the control host brought in the fragment), then shows the public pages
 * (sign in, register, invitations) or the area the person's role opens.
 */

import { useEffect, useState } from 'preact/hooks';
import { handOff } from '../auth/handoff';
import { SIGN_IN_TOKEN, signInWithToken } from '../auth/signInToken';
import { takeFragmentValue } from '../auth/sso';
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
  // Read and taken out of the address on the first render, before anything else runs.
  const [signInToken] = useState(() => takeFragmentValue(SIGN_IN_TOKEN));
  const [signingIn, setSigningIn] = useState(signInToken !== null);

  useEffect(() => {
    setRestoreError(null);
    const restore = () => void session.restore().catch(setRestoreError);
    // The token is tried once, on the page's first load; a retry after a failure restores.
    if (!signInToken || attempt > 0) return restore();
    const controller = new AbortController();
    void signInWithToken({ signIn: () => session.signInWithToken(slug, signInToken), signal: controller.signal }).then((outcome) => {
      if (controller.signal.aborted) return;
      setSigningIn(false);
      if (outcome.kind === 'signed_in') return;
      // The sign-in form: for the second factor, or saying why it is there.
      if (outcome.kind === 'mfa') handOff({ challenge: outcome.challenge });
      else handOff({ notice: outcome.kind === 'refused' ? 'sign_in_link_refused' : 'sign_in_link_unavailable' });
      restore();
    });
    return () => controller.abort();
  }, [attempt]);

  // A session of another organisation (its cookie set on this host) is not one here.
  const foreign = state.status === 'signed_in' && state.tenant?.slug !== slug;
  useEffect(() => {
    if (foreign) void session.logout();
  }, [foreign]);

  if (state.status === 'unknown' || foreign) {
    return (
      <Layout place={slug}>
        <Loaded resource={{ data: undefined, error: restoreError, loading: true, reload: () => setAttempt((n) => n + 1) }} loadingLabel={t(signingIn ? 'auth.sign_in_token.signing_in' : 'common.restoring')}>
          {() => null}
        </Loaded>
      </Layout>
    );
  }
  if (state.status === 'signed_out') return <SignedOut slug={slug} location={location} />;
  return <SignedIn slug={slug} place={state.tenant?.name ?? slug} location={location} userId={state.user.id} role={state.role} emailUnconfirmed={emailUnconfirmed(state.user)} />;
}
