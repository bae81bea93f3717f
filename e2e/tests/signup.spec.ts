// The control host: an organisation signs up, watches its helpdesk being prepared, lands on its
// own sign-in page and its owner signs in.
import { expect, test } from '@playwright/test';
import { PASSWORD, accountMenuButton, control, controlUrl, expectAccessible, expectCall, organisation, screenshot, signOut, tenantUrl, uniqueEmail, uniqueSlug } from './platform';

test('sign-up to an active organisation to the first sign-in', async ({ page }) => {
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
  await page.getByRole('button', { name: 'Create organisation' }).click();

  // Progress in a status region, then the organisation's own sign-in page.
  await expect(page.getByRole('status').first()).toBeVisible();
  await page.waitForURL(`${tenantUrl(slug)}/login**`, { timeout: 60_000 });
  await expectAccessible(page, 'the sign-in page');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The owner is staff: the console, named by the organisation.
  await expect(accountMenuButton(page)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' })).toBeVisible();
  await expect(page).toHaveURL(`${tenantUrl(slug)}/`);
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
