/**
 * The tenant host for a signed-in person: who they are here (`GET /v1/me`) decides the area,
 * the customer portal or the staff console; account pages are shared. The tab's live stream is
 * open while someone is signed in here.
 */

import { useEffect, useState } from 'preact/hooks';
import { AcceptInvitationPage } from '../auth/AcceptInvitationPage';
import { handOff } from '../auth/handoff';
import { linkToken } from '../auth/recovery';
import { ResetPasswordPage } from '../auth/ResetPasswordPage';
import { VerifyEmailPage } from '../auth/VerifyEmailPage';
import { TwoFactorPage } from '../auth/TwoFactorPage';
import { t } from '../i18n';
import { Bell } from '../notifications/Bell';
import { NotificationPreferencesPage } from '../notifications/PreferencesPage';
import { UnsubscribePage } from '../notifications/UnsubscribePage';
import { LeavePage } from '../participants/LeavePage';
import { RatePage } from '../satisfaction/RatePage';
import { parseRating } from '../satisfaction/rating';
import { Redirect, Routes, navigate, type Location } from '../router/router';
import { safeNext } from '../router/match';
import { session } from '../session';
import { getMe } from '../data/account';
import { useLiveStream } from '../data/live';
import { useResource } from '../data/resource';
import { Layout } from '../ui/Layout';
import { NotFoundPage } from '../ui/NotFoundPage';
import { Loaded } from '../ui/status';
import type { Role } from '../api/schemas';
import { areaOf, loadArea, rememberArea } from './areas';
import { whileJoining } from './joining';
import { LiveStatus } from './LiveStatus';
import { MemberContext, displayName } from './member';

export function SignedIn({ slug, place, location, userId, role, emailUnconfirmed }: { slug: string; place: string; location: Location; userId: string; role: Role; emailUnconfirmed: boolean }) {
  const me = useResource(`me:${userId}`, (signal) => whileJoining(() => getMe(signal), signal));
  // The session's role names the area to fetch while `/v1/me` answers; its answer decides.
  const kind = areaOf(me.data?.role ?? role);
  const loaded = useResource(`area:${kind}`, () => loadArea(kind));
  // What another area's key left on screen is not this one.
  const area = loaded.data?.kind === kind ? loaded.data.area : undefined;
  const shown = me.data ? kind : null;
  useEffect(() => {
    if (shown) rememberArea(shown);
  }, [shown]);
  const [signingOut, setSigningOut] = useState(false);
  useLiveStream(userId);
  const signOut = async () => {
    setSigningOut(true);
    handOff({ notice: 'signed_out' });
    await session.logout();
    navigate('/login', { replace: true });
  };

  if (!me.data || !area) {
    const error = me.data ? loaded.error : me.error;
    const user = { name: '', onSignOut: signOut, signingOut };
    return (
      <Layout place={place} user={error ? user : undefined}>
        {me.data ? <Loaded resource={loaded}>{() => null}</Loaded> : <Loaded resource={me}>{() => null}</Loaded>}
      </Layout>
    );
  }

  const member = me.data;
  const { nav, sidebar, tools, routes } = area;
  const path = location.path;
  const links = [
    { href: '/account/notifications', label: t('nav.notifications'), current: path === '/account/notifications' },
    { href: '/account/2fa', label: t('nav.security'), current: path === '/account/2fa' },
  ];
  const banner = member.role === 'customer' && emailUnconfirmed ? <p class="email-banner">{t('auth.verify.banner')}</p> : null;
  return (
    <MemberContext.Provider value={{ member, slug, organisation: place }}>
      <Layout
        place={place}
        nav={nav?.(path, member.role)}
        sidebar={sidebar?.(location)}
        user={{ name: displayName(member), onSignOut: signOut, signingOut, links }}
        tools={
          <>
            <LiveStatus />
            {tools?.()}
            <Bell unread={member.unread_notifications} />
          </>
        }
        banner={banner}
      >
        <Routes
          path={path}
          routes={[
            { path: '/login', render: () => <Redirect to={safeNext(location.query.get('next'))} /> },
            { path: '/register', render: () => <Redirect to="/" /> },
            { path: '/account/2fa', render: () => <TwoFactorPage /> },
            { path: '/account/notifications', render: () => <NotificationPreferencesPage /> },
            { path: '/forgot-password', render: () => <Redirect to="/" /> },
            { path: '/reset-password', render: () => <ResetPasswordPage token={linkToken(location.query)} /> },
            { path: '/verify-email', render: () => <VerifyEmailPage token={linkToken(location.query)} /> },
            { path: '/unsubscribe', render: () => <UnsubscribePage token={linkToken(location.query)} /> },
            { path: '/leave', render: () => <LeavePage token={linkToken(location.query)} /> },
            { path: '/rate', render: () => <RatePage token={linkToken(location.query)} rating={parseRating(location.query.get('rating'))} /> },
            { path: '/invite/{token}', render: ({ token }) => <AcceptInvitationPage token={token!} onJoined={me.reload} /> },
            ...routes,
          ]}
          fallback={() => <NotFoundPage />}
        />
      </Layout>
    </MemberContext.Provider>
  );
}
