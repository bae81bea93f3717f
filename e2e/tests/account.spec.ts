// The links mail brings (read from the test mail server over IMAP): forgot password, then reset
// and sign in with the new password; the registration's confirmation link; an invitation.
import { expect, test } from '@playwright/test';
import { linkFromMail } from './mail';
import { PASSWORD, control, customer, expectAccessible, expectCall, organisation, signOut, tenantUrl, uniqueEmail } from './platform';

const NEW_PASSWORD = 'another long passphrase, new';

test('forgot password: the mailed link sets a new password, which signs in; the link works once', async ({ page }) => {
  const org = await organisation('reset');
  const me = await customer(org);

  await page.goto(`${tenantUrl(org.slug)}/login`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await expectAccessible(page, 'the forgot password page');
  // An unknown address gets the same answer.
  await page.getByLabel('Email').fill(uniqueEmail('nobody'));
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account exists for that address, we sent a link.')).toBeVisible();
  await page.getByLabel('Email').fill(me.email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account exists for that address, we sent a link.')).toBeVisible();

  const { link } = await linkFromMail(me.email, '/reset-password');
  await page.goto(`${tenantUrl(org.slug)}${link}`);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByLabel('Confirm password').fill('not the same passphrase');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByLabel('Confirm password')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Confirm password').fill(NEW_PASSWORD);
  await expectAccessible(page, 'the reset password page');
  await page.getByRole('button', { name: 'Set new password' }).click();

  await expect(page.getByText('Your password has been changed. Sign in with your new password.')).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('Email').fill(me.email);
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  // The old password no longer works.
  const old = await control('POST', '/v1/auth/login', { body: { tenant: org.slug, email: me.email, password: PASSWORD } });
  expect(old.status).toBe(401);

  // The same link again: used.
  await signOut(page);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.goto(`${tenantUrl(org.slug)}${link}`);
  await page.getByLabel('New password').fill('yet another long passphrase');
  await page.getByLabel('Confirm password').fill('yet another long passphrase');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('alert')).toContainText('This link is not valid');
  await page.getByRole('link', { name: 'Ask for a new link' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
});

test('a customer who registers sees the banner until the mailed confirmation link is followed', async ({ page }) => {
  const org = await organisation('verify');
  const email = uniqueEmail('newcomer');
  await page.goto(`${tenantUrl(org.slug)}/register`);
  await page.getByLabel('First name').fill('Inès');
  await page.getByLabel('Last name').fill('Moreau');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  const banner = page.getByText('Confirm your email address to receive updates by email.');
  await expect(banner).toBeVisible();

  const { link } = await linkFromMail(email, '/verify-email');
  await page.goto(`${tenantUrl(org.slug)}${link}`);
  await expect(page.getByText('Your email address is confirmed.')).toBeVisible();
  await expectAccessible(page, 'the email confirmation page');
  await page.getByRole('link', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await expect(banner).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await expect(banner).toHaveCount(0);

  // A link that was never sent.
  await page.goto(`${tenantUrl(org.slug)}/verify-email?token=forged`);
  await expect(page.getByRole('alert')).toContainText('This confirmation link is not valid, or it has expired.');
});

test('an invitation arrives by mail, and its link lets the invitee join', async ({ page }) => {
  const org = await organisation('mailinvite');
  const email = uniqueEmail('agent');
  await expectCall(control('POST', `/v1/tenants/${org.slug}/invitations`, { token: org.ownerToken, body: { email, role: 'agent' } }), 201);

  const { link, mail } = await linkFromMail(email, '/invite/');
  expect(mail.subject).not.toBe('');
  await page.goto(`${tenantUrl(org.slug)}${link}`);
  await page.getByLabel('First name').fill('Nora');
  await page.getByLabel('Last name').fill('Petit');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Notifications/ })).toBeVisible();
});
