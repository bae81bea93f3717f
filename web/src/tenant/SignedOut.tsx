//! The tenant host for visitors: sign in, register, accept an invitation. Any other page asks
//! to sign in first and comes back afterwards.

import { InvitePage } from '../auth/InvitePage';
import { LoginPage } from '../auth/LoginPage';
import { RegisterPage } from '../auth/RegisterPage';
import { Redirect, Routes, type Location } from '../router/router';
import { Layout } from '../ui/Layout';

export function SignedOut({ slug, location }: { slug: string; location: Location }) {
  const here = location.path + (location.query.size ? `?${location.query.toString()}` : '');
  const toLogin = location.path === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
  return (
    <Layout place={slug}>
      <Routes
        path={location.path}
        routes={[
          { path: '/login', render: () => <LoginPage slug={slug} next={location.query.get('next')} /> },
          { path: '/register', render: () => <RegisterPage slug={slug} /> },
          { path: '/invite/{token}', render: ({ token }) => <InvitePage slug={slug} token={token!} /> },
        ]}
        fallback={() => <Redirect to={toLogin} />}
      />
    </Layout>
  );
}
