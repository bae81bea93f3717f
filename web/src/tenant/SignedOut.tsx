/**
 * The tenant host for visitors: sign in, register, accept an invitation, recover a password, and
 * the pages mail links to (confirm an address, unsubscribe, rate a resolution, leave a
 * conversation one was copied on). Any other page asks to sign in first and comes back
 * afterwards.
 */

import { ForgotPasswordPage } from '../auth/ForgotPasswordPage';
import { InvitePage } from '../auth/InvitePage';
import { LoginPage } from '../auth/LoginPage';
import { RegisterPage } from '../auth/RegisterPage';
import { linkToken } from '../auth/recovery';
import { ResetPasswordPage } from '../auth/ResetPasswordPage';
import { VerifyEmailPage } from '../auth/VerifyEmailPage';
import { UnsubscribePage } from '../notifications/UnsubscribePage';
import { LeavePage } from '../participants/LeavePage';
import { RatePage } from '../satisfaction/RatePage';
import { parseRating } from '../satisfaction/rating';
import { Redirect, Routes, type Location } from '../router/router';
import { Layout } from '../ui/Layout';
import { useOrganisationName } from './organisationName';

export function SignedOut({ slug, location }: { slug: string; location: Location }) {
  const here = location.path + (location.query.size ? `?${location.query.toString()}` : '');
  const toLogin = location.path === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
  const organisation = useOrganisationName(slug);
  return (
    <Layout place={organisation}>
      <Routes
        path={location.path}
        routes={[
          { path: '/login', render: () => <LoginPage slug={slug} next={location.query.get('next')} ssoError={location.query.get('sso_error')} /> },
          { path: '/register', render: () => <RegisterPage slug={slug} /> },
          { path: '/invite/{token}', render: ({ token }) => <InvitePage slug={slug} organisation={organisation} token={token!} /> },
          { path: '/forgot-password', render: () => <ForgotPasswordPage slug={slug} /> },
          { path: '/reset-password', render: () => <ResetPasswordPage token={linkToken(location.query)} /> },
          { path: '/verify-email', render: () => <VerifyEmailPage token={linkToken(location.query)} /> },
          { path: '/unsubscribe', render: () => <UnsubscribePage token={linkToken(location.query)} /> },
          { path: '/leave', render: () => <LeavePage token={linkToken(location.query)} /> },
          { path: '/rate', render: () => <RatePage token={linkToken(location.query)} rating={parseRating(location.query.get('rating'))} /> },
        ]}
        fallback={() => <Redirect to={toLogin} />}
      />
    </Layout>
  );
}
