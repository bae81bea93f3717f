// The control host: an organisation signs up, watches its helpdesk being prepared, and its owner
// lands signed in on its console (the sign-up's one-use token carried in the address's fragment,
// which no server sees, and taken out of the address at once).
import { expect, test } from '@playwright/test';
import { PASSWORD, accountMenuButton, control, controlUrl, expectAccessible, expectCall, organisation, screenshot, signOut, tenantUrl, uniqueEmail, uniqueSlug } from './platform';

test('sign-up to an active organisation, its owner signed in on the console', async ({ page, browser }) => {
  const slug = uniqueSlug('signup');
  const email = uniqueEmail('owner');
  await page.goto(`${controlUrl}/`);
  await expectAccessible(page, 'the sign-up page');
  await screenshot(page, 'signup-en');
  await page.getByLabel('Organisation name').fill('Maison Dupont');
  await page.getByLabel('Subdomain').fill(slug);
  await page.getByLabel('First name').fill('Camille');
  await page.getByLabel('Last name').fill('Dupont');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  const signedUp = page.waitForResponse((r) => r.url().endsWith('/v1/tenants/signup') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Create organisation' }).click();
  const token = ((await (await signedUp).json()) as { sign_in_token?: string }).sign_in_token;
  expect(token, 'the sign-up answers a sign-in token').toBeTruthy();

  // Progress in a status region; the token never in the control host's address.
  await expect(page.getByRole('status').first()).toBeVisible();
  expect(page.url()).not.toContain(token!);
  // The owner is staff: the console's home, named by the organisation, without a sign-in form.
  await page.waitForURL(`${tenantUrl(slug)}/`, { timeout: 60_000 });
  await expect(accountMenuButton(page)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' })).toBeVisible();
  expect(page.url()).toBe(`${tenantUrl(slug)}/`);
  expect(await page.evaluate(() => window.location.hash)).toBe('');

  // The token works once: brought again, it leaves the sign-in form, which says why.
  const other = await browser.newContext();
  const again = await other.newPage();
  await again.goto(`${tenantUrl(slug)}/login#sign_in_token=${encodeURIComponent(token!)}`);
  await expect(again.getByRole('status').filter({ hasText: 'automatic sign-in did not work' })).toBeVisible();
  await expect(again.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(again.url()).toBe(`${tenantUrl(slug)}/login`);
  await expectAccessible(again, 'the sign-in page after a used sign-in token');
  // The password still signs the owner in.
  await again.getByLabel('Email').fill(email);
  await again.getByLabel('Password').fill(PASSWORD);
  await again.getByRole('button', { name: 'Sign in' }).click();
  await expect(accountMenuButton(again)).toBeVisible();
  await expect(again).toHaveURL(`${tenantUrl(slug)}/`);
  await other.close();
});

test('a forged sign-in token leaves the sign-in form, with a notice, and out of the address', async ({ page }) => {
  const org = await organisation('forged');
  await page.goto(`${tenantUrl(org.slug)}/login#sign_in_token=forged-token`);
  await expect(page.getByRole('status').filter({ hasText: 'automatic sign-in did not work' })).toBeVisible();
  await expect(page.getByLabel('Email')).toBeVisible();
  await expect(page).toHaveURL(`${tenantUrl(org.slug)}/login`);
  expect(await page.evaluate(() => window.location.hash)).toBe('');
  await expectAccessible(page, 'the sign-in page');
});

test('a taken subdomain is said next to its field, and nothing is created', async ({ page }) => {
  const taken = await organisation('taken');
  await page.goto(`${controlUrl}/`);
  await page.getByLabel('Organisation name').fill('Copycat');
  await page.getByLabel('Subdomain').fill(taken.slug);
  await page.getByLabel('First name').fill('Eve');
  await page.getByLabel('Last name').fill('Martin');
  await page.getByLabel('Email').fill(uniqueEmail('copy'));
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create organisation' }).click();
  const subdomain = page.getByLabel('Subdomain');
  await expect(subdomain).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(`${controlUrl}/`);
  await expectAccessible(page, 'the sign-up page with an error');
});

test('every signed-out page is accessible, and registration and invitation pages work', async ({ page }) => {
  const org = await organisation('pages');
  const invited = uniqueEmail('agent');
  const invitation = await expectCall(
    control('POST', `/v1/tenants/${org.slug}/invitations`, { token: org.ownerToken, body: { email: invited, role: 'agent' } }),
    201,
  );
  // An organisation that does not exist: its setup page says so.
  await page.goto(`${controlUrl}/setup/${uniqueSlug('none')}`);
  await expect(page.getByRole('alert')).toBeVisible();
  await expectAccessible(page, 'the setup page of an unknown organisation');

  await page.goto(`${tenantUrl(org.slug)}/register`);
  await expectAccessible(page, 'the registration page');
  await page.getByLabel('First name').fill('Inès');
  await page.getByLabel('Last name').fill('Moreau');
  await page.getByLabel('Email').fill(uniqueEmail('newcomer'));
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible({ timeout: 20_000 });
  await signOut(page);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();

  await page.goto(`${tenantUrl(org.slug)}/invite/${invitation.token as string}`);
  await expectAccessible(page, 'the invitation page');
  await page.getByLabel('First name').fill('Hugo');
  await page.getByLabel('Last name').fill('Bernard');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(accountMenuButton(page)).toBeVisible({ timeout: 20_000 });
  // A used invitation is refused with a sentence.
  await signOut(page);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.goto(`${tenantUrl(org.slug)}/invite/${invitation.token as string}`);
  await page.getByLabel('First name').fill('Hugo');
  await page.getByLabel('Last name').fill('Bernard');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
});
