// Single sign-on against a real OpenID Provider (testkit/oidc-provider, started by the test with
// a client whose redirect URI is the organisation's callback here, and stopped at the end).
//
// The owner opens Single sign-on: the addresses to register are shown before anything is set;
// saving is refused beside "Staff must sign in…" (no 2FA yet) and beside the issuer (nothing
// answers there), then saved with the provider's issuer, a role claim whose value `support` gives
// the agent's role, and newcomers let in. The test sign-in reports what the provider sent and the
// role it maps to, in English and in French. Signed out, the sign-in page offers "Sign in with
// your organisation" (reached from the keyboard): an account whose address the provider does
// not vouch for comes back refused with the reason, and Zoé (group `support`) lands in the
// console as an agent, who does not see the owner's page.
//
// With staff required to use it: an agent's password is refused with a pointer to the button,
// and the owner (with 2FA, which the provider did not assert) comes back to the second-factor
// step and signs in with a code.
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { startProvider, type Provider } from './oidc';
import {
  PASSWORD,
  control,
  expectAccessible,
  expectCall,
  login,
  openSettings,
  organisation,
  screenshot,
  signInThroughThePage,
  signOut,
  staff,
  tenantUrl,
  uniqueEmail,
} from './platform';
import { totp } from './totp';

let provider: Provider | null = null;

test.afterEach(async () => {
  await provider?.stop();
  provider = null;
});

const callbackOf = (slug: string) => `${tenantUrl(slug)}/v1/auth/sso/callback`;

/** A client of the provider for the organisation `slug`, with a secret of its own. */
function clientFor(slug: string) {
  return { client_id: `helpdeskly-${slug}`, client_secret: randomBytes(18).toString('hex'), redirect_uris: [callbackOf(slug)] };
}

/** Signs in at the provider's own page as `login`, once the browser is there. */
async function signInAtProvider(page: Page, login: string) {
  const issuer = provider!.issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The organisation's host passes the server's redirect on to the browser, which goes there.
  await expect(page, 'the browser is at the provider').toHaveURL(new RegExp(`^${issuer}/`), { timeout: 15_000 });
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Login').fill(login);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const forgetProviderSession = (page: Page) => page.context().clearCookies({ domain: '127.0.0.1' });

/** A row of the test sign-in's report, by its header. */
const reportRow = (page: Page, header: string) =>
  page.locator('table.sso-trial-table tr').filter({ has: page.getByRole('rowheader', { name: header, exact: true }) });

test('single sign-on: the owner sets it up and tests it, then an agent signs in through the provider', async ({ page }) => {
  test.setTimeout(180_000);
  const org = await organisation('sso');
  const client = clientFor(org.slug);
  const zoe = uniqueEmail('zoe');
  provider = await startProvider({
    clients: [client],
    accounts: {
      zoe: { email: zoe, email_verified: true, name: 'Zoé Lefèvre', groups: ['support', 'paris'] },
      nadia: { email: uniqueEmail('nadia'), email_verified: false, name: 'Nadia Benali', groups: ['support'] },
    },
  });

  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await openSettings(page, 'Single sign-on');
  await expect(page.getByRole('heading', { name: 'Single sign-on', level: 1 })).toBeVisible();
  // What to register at the provider, before anything is set.
  await expect(page.getByLabel('Redirect URI')).toHaveValue(callbackOf(org.slug));
  await expect(page.getByLabel('Back-channel logout URI')).toHaveValue(`${tenantUrl(org.slug)}/v1/auth/sso/backchannel-logout`);

  await page.getByLabel('Issuer').fill('http://127.0.0.1:9');
  await page.getByLabel('Client ID').fill(client.client_id);
  await page.getByLabel('Client secret').fill(client.client_secret);
  await page.getByLabel('Role claim').fill('groups');
  // A row of the role map, from the keyboard: the focus goes to its value.
  await page.getByRole('button', { name: 'Add a value' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Claim value 1')).toBeFocused();
  await page.keyboard.type('support');
  await expect(page.getByLabel('Role for value 1')).toHaveValue('agent');
  await page.getByLabel('Let people who are not members yet join on their first sign-in').check();
  const required = page.getByLabel('Staff must sign in with single sign-on');
  await required.check();

  // The server's refusals, each beside its field: no 2FA for "required", then the issuer.
  const save = page.getByRole('button', { name: 'Save' });
  await save.click();
  await expect(required).toHaveAttribute('aria-invalid', 'true');
  await expect(required).toHaveAccessibleDescription(/Turn on two-factor authentication on your account first/);
  await expect(page.getByRole('alert')).toContainText('Please correct the highlighted fields.');
  await required.uncheck();
  await save.click();
  const issuer = page.getByLabel('Issuer');
  await expect(issuer).toHaveAttribute('aria-invalid', 'true');
  await expect(issuer).toHaveAccessibleDescription(/This provider cannot be used: /);
  await expect(issuer).toBeFocused();
  await issuer.fill(provider.issuer);
  await save.click();
  await expect(page.getByText('Single sign-on is saved.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Your provider', exact: true })).toBeVisible();
  // The server's addresses now, the same as those shown before.
  await expect(page.getByLabel('Redirect URI')).toHaveValue(callbackOf(org.slug));
  await expect(page.getByLabel('Client secret')).toHaveValue('');
  await expect(page.getByLabel('Claim value 1')).toHaveValue('support');
  await expectAccessible(page, 'the single sign-on page');

  // The test sign-in: what the provider sent, and how it maps.
  await page.getByRole('link', { name: 'Test sign-in' }).click();
  await signInAtProvider(page, 'zoe');
  await expect(page.getByRole('heading', { name: 'Test sign-in result' })).toBeVisible();
  await expect(page).toHaveURL(`${tenantUrl(org.slug)}/admin/sso`);
  await expect(page.getByText('This person would be signed in, as Agent.')).toBeVisible();
  await expect(reportRow(page, 'Subject (the provider’s identifier)')).toContainText('zoe');
  await expect(reportRow(page, 'Email')).toContainText(zoe);
  await expect(reportRow(page, 'Email verified by the provider')).toContainText('Yes');
  await expect(reportRow(page, 'Name')).toContainText('Zoé Lefèvre');
  await expect(reportRow(page, 'Role claim values')).toContainText('support, paris');
  await expect(reportRow(page, 'Role it maps to')).toContainText('Agent');
  await expect(reportRow(page, 'Outcome')).toContainText('Would be signed in');
  await expectAccessible(page, 'the single sign-on page with a test sign-in report');
  await screenshot(page, 'sso-settings');

  // In French.
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Authentification unique', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Résultat du test de connexion' })).toBeVisible();
  await expect(reportRow(page, 'E-mail vérifié par le fournisseur')).toContainText('Oui');
  await expect(reportRow(page, 'Rôle obtenu')).toContainText('Agent');
  await expect(reportRow(page, 'Issue')).toContainText('Serait connectée');
  await expect(page.getByRole('link', { name: 'Tester la connexion' })).toBeVisible();
  await expect(page.getByLabel('URI de redirection')).toHaveValue(callbackOf(org.slug));
  await expectAccessible(page, 'the single sign-on page in French');
  await page.getByLabel('Langue').selectOption('en');

  await signOut(page);
  const button = page.getByRole('link', { name: 'Sign in with your organisation' });
  await expect(button).toBeVisible();
  await expect(button).toHaveAttribute('href', `/v1/auth/sso/${org.slug}/start`);
  await expectAccessible(page, 'the sign-in page with single sign-on');
  await screenshot(page, 'sso-sign-in');

  // Someone whose address the provider does not vouch for is refused, with the reason.
  await forgetProviderSession(page);
  await button.focus();
  await page.keyboard.press('Enter');
  await signInAtProvider(page, 'nadia');
  await expect(page).toHaveURL(`${tenantUrl(org.slug)}/login?sso_error=sso_email_unverified`);
  await expect(page.getByRole('alert')).toContainText('does not vouch for your email address');
  await expectAccessible(page, 'the sign-in page with a refusal of the provider');
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('alert')).toContainText('ne garantit pas votre adresse e-mail');
  await expect(page.getByRole('link', { name: 'Se connecter avec votre organisation' })).toBeVisible();
  await page.getByLabel('Langue').selectOption('en');

  // Zoé, of the support group, joins as an agent and lands in the console.
  await forgetProviderSession(page);
  await page.getByRole('link', { name: 'Sign in with your organisation' }).click();
  await signInAtProvider(page, 'zoe');
  await expect(page).toHaveURL(`${tenantUrl(org.slug)}/`);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await openSettings(page, 'Quarantine');
  await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Single sign-on' })).toHaveCount(0);
  const members = await expectCall(control('GET', `/v1/tenants/${org.slug}/members?limit=100`, { token: await login(org.slug, org.ownerEmail) }), 200);
  const joined = (members.data as { email: string; role: string }[]).find((m) => m.email === zoe);
  expect(joined?.role).toBe('agent');
  // A reload keeps the session the provider's sign-in opened (its cookie, as a password's).
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
});

test('single sign-on required of staff: a password is refused for an agent, the owner signs in with the provider and a second factor', async ({ page }) => {
  test.setTimeout(120_000);
  const org = await organisation('ssoreq');
  const agent = await staff(org, 'agent');
  // The owner turns on 2FA (which requiring single sign-on of staff needs).
  const setup = await expectCall(control('POST', '/v1/auth/2fa/setup', { token: org.ownerToken, body: { password: PASSWORD } }), 200);
  const secret = setup.secret as string;
  await expectCall(control('POST', '/v1/auth/2fa/enable', { token: org.ownerToken, body: { code: totp(secret) } }), 200);
  const client = clientFor(org.slug);
  provider = await startProvider({
    clients: [client],
    accounts: { owner: { email: org.ownerEmail, email_verified: true, name: 'Camille Durand', groups: [], amr: ['pwd'] } },
  });
  await expectCall(
    control('PUT', `/v1/tenants/${org.slug}/sso`, {
      token: org.ownerToken,
      body: { issuer: provider.issuer, client_id: client.client_id, client_secret: client.client_secret, allowed_domains: [], default_role: 'customer', auto_create: false, required_for_staff: true },
    }),
    200,
  );

  // An agent's password is refused, pointing to the button.
  await signInThroughThePage(page, org.slug, agent.email);
  await expect(page.getByRole('alert')).toContainText('use “Sign in with your organisation” above');
  await expect(page.getByText('Staff members sign in this way')).toBeVisible();

  // The owner signs in at the provider, which asserted no second factor: the code is asked here.
  await page.getByRole('link', { name: 'Sign in with your organisation' }).click();
  await signInAtProvider(page, 'owner');
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
  await expect(page).toHaveURL(`${tenantUrl(org.slug)}/login`);
  await page.getByLabel('Authentication code').fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await openSettings(page, 'Single sign-on');
  await expect(page.getByLabel('Staff must sign in with single sign-on')).toBeChecked();
});
