// Sessions: the access token in memory only, renewed silently through the HttpOnly cookie,
// restored on reload, ended by sign-out; two-factor sign-in; lockout messages.
import { expect, test } from '@playwright/test';
import { PASSWORD, accessTokenSeconds, customer, expectAccessible, organisation, signInThroughThePage, signOut, tenantUrl } from './platform';
import { totp } from './totp';

test('the session renews silently, survives a reload, keeps no secret in storage, and sign-out ends it', async ({ page }) => {
  const org = await organisation('session');
  const me = await customer(org);
  const signedIn = page.waitForResponse((r) => r.url().endsWith('/v1/auth/login') && r.status() === 200);
  await signInThroughThePage(page, org.slug, me.email);
  const tokens = await (await signedIn).json();
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();

  // Nothing secret where scripts can read it.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie);
  expect(stored).not.toContain(tokens.access_token);
  expect(stored).not.toContain(tokens.refresh_token);
  expect(stored).not.toContain('helpdeskly_refresh');

  // Before the access token expires, the page renews it from the cookie by itself.
  const renewed = await page.waitForResponse((r) => r.url().endsWith('/v1/auth/refresh'), {
    timeout: accessTokenSeconds * 1000 + 10_000,
  });
  expect(renewed.status()).toBe(200);
  // Past the first token's lifetime, the page still works.
  await page.getByRole('link', { name: 'Open a ticket' }).click();
  await page.getByLabel('Subject').fill('Après le renouvellement');
  await page.getByLabel('Description').fill('Toujours connecté.');
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await page.waitForURL(/\/tickets\/\d+$/);

  // A reload restores the session from the cookie.
  await page.reload();
  await expect(page.getByRole('heading', { name: /Après le renouvellement/ })).toBeVisible();

  await signOut(page);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // The cookie is gone, and the session it named is revoked.
  const refresh = (body: object) =>
    page.evaluate(async (json) => {
      const response = await fetch('/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
      return response.status;
    }, JSON.stringify(body));
  expect(await refresh({})).toBe(401);
  expect(await refresh({ refresh_token: tokens.refresh_token })).toBe(401);
});

test('two-factor set up with the QR code, then sign-in with a code and with a recovery code', async ({ page }) => {
  const org = await organisation('twofa');
  const me = await customer(org);
  await signInThroughThePage(page, org.slug, me.email);
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await page.goto(`${tenantUrl(org.slug)}/account/2fa`);
  await expectAccessible(page, 'the two-factor page');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByRole('img', { name: 'QR code to add your account to an authenticator app' })).toBeVisible();
  const secret = (await page.getByLabel('Key for manual entry').textContent())!.trim();
  await page.getByLabel('Verification code').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const codes = page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.nth(2).textContent())!.trim();
  await expectAccessible(page, 'the recovery codes');
  await page.getByLabel('I have saved my recovery codes').check();
  await page.getByRole('button', { name: 'Done' }).click();
  await signOut(page);
  // Signed out once the sign-in page shows (leaving earlier would cancel the sign-out).
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();

  // A wrong code is refused with a sentence; a recovery code signs in.
  await signInThroughThePage(page, org.slug, me.email);
  await page.getByLabel('Authentication code').fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('not valid');
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(recovery);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await signOut(page);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();

  // The authenticator's next code (the one used to turn 2FA on cannot be replayed).
  await signInThroughThePage(page, org.slug, me.email);
  await expectAccessible(page, 'the second sign-in step');
  await page.getByLabel('Authentication code').fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
});

test('repeated wrong passwords lock the account with the time to wait', async ({ page }) => {
  const org = await organisation('lock');
  const me = await customer(org);
  await page.goto(`${tenantUrl(org.slug)}/login`);
  await page.getByLabel('Email').fill(me.email);
  const password = page.getByLabel('Password');
  let message = '';
  for (let attempt = 0; attempt < 8 && !/try again/i.test(message); attempt++) {
    await password.fill(`wrong password ${attempt}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    message = (await page.getByRole('alert').textContent()) ?? '';
  }
  expect(message).toMatch(/try again (at|in)/i);
  await expectAccessible(page, 'the sign-in page, locked');
});

test('the sign-in page of an organisation without single sign-on loads without a failed request', async ({ page }) => {
  const org = await organisation('signin');
  const failed: string[] = [];
  const asked: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  page.on('request', (request) => asked.push(new URL(request.url()).pathname));
  page.on('requestfailed', (request) => failed.push(`failed ${request.url()}`));
  const offered = page.waitForResponse((r) => r.url().includes(`/v1/auth/sso/${org.slug}`));
  await page.goto(`${tenantUrl(org.slug)}/login`);
  expect((await offered).status()).toBe(200);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Sign in with your organisation')).toHaveCount(0);
  expect(failed).toEqual([]);
  // A fresh browser holds no session: none is asked for.
  expect(asked).not.toContain('/v1/auth/refresh');
});
