// A new organisation's first steps: its name (never its slug) in the header before and after
// signing in; on the owner's console home the checklist "Get started" with its four steps to
// do, each leading where it is done, the portal's address copied and said shared, in English and
// French, then dismissed for good. Agents neither see the checklist nor ask for it.
import { expect, test } from '@playwright/test';
import { app, expectAccessible, expectCall, login, organisation, signInThroughThePage, staff, tenantUrl } from './platform';

test('onboarding: the owner sees the checklist, shares the portal and dismisses it', async ({ page }) => {
  const org = await organisation('onboard');
  const name = `${org.slug} SAV`;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: tenantUrl(org.slug) });

  // Signed out, the header names the organisation.
  await page.goto(`${tenantUrl(org.slug)}/login`);
  await expect(page.getByRole('banner').getByText(name, { exact: true })).toBeVisible();
  await expect(page.getByRole('banner').getByText(org.slug, { exact: true })).toHaveCount(0);

  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await expect(page.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  await expect(page.getByRole('banner').getByText(name, { exact: true })).toBeVisible();
  const checklist = page.getByRole('region', { name: 'Get started' });
  await expect(checklist.getByText('0 of 4 steps done.')).toBeVisible();
  const steps = checklist.getByRole('listitem');
  await expect(steps).toHaveCount(4);
  await expect(checklist.getByText('To do', { exact: true })).toHaveCount(4);
  await expect(checklist.getByRole('link', { name: 'Invite your agents' })).toHaveAttribute('href', '/admin/team');
  await expect(checklist.getByRole('link', { name: 'Connect your mailbox' })).toHaveAttribute('href', '/admin/mailbox');
  await expect(checklist.getByRole('link', { name: 'Publish a help center article' })).toHaveAttribute('href', '/help-center');
  const address = checklist.getByLabel('Your portal’s address');
  await expect(address).toHaveValue(`${tenantUrl(org.slug)}/`);
  await expectAccessible(page, 'the console home with the onboarding checklist');
  // On a phone, nothing passes the window's edge.
  await page.setViewportSize({ width: 360, height: 800 });
  await expect(address).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await page.setViewportSize({ width: 1280, height: 900 });

  await checklist.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(checklist.getByText('The address has been copied.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${tenantUrl(org.slug)}/`);

  // Said shared: the step is done, its button gone, focus beside the address.
  await checklist.getByRole('button', { name: 'I shared it' }).click();
  const share = steps.filter({ hasText: 'Share your portal' });
  await expect(share).toContainText('Done');
  await expect(share).not.toContainText('To do');
  await expect(checklist.getByText('To do', { exact: true })).toHaveCount(3);
  await expect(checklist.getByText('1 of 4 steps done.')).toBeVisible();
  await expect(checklist.getByRole('button', { name: 'I shared it' })).toHaveCount(0);
  await expect(checklist.getByRole('button', { name: 'Copy', exact: true })).toBeFocused();
  const saved = await expectCall(app(org.slug, 'GET', '/v1/onboarding', await login(org.slug, org.ownerEmail)), 200);
  expect(saved.steps).toMatchObject({ share_portal: true, invite_agents: false });

  // The way to a step: the Team page, and back home.
  await checklist.getByRole('link', { name: 'Invite your agents' }).click();
  await expect(page.getByRole('heading', { name: 'Team', level: 1 })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My tickets' }).click();
  await expect(checklist.getByText('To do', { exact: true })).toHaveCount(3);

  await page.getByLabel('Language').selectOption('fr');
  const liste = page.getByRole('region', { name: 'Premiers pas' });
  await expect(liste.getByRole('heading', { name: 'Premiers pas', level: 2 })).toBeVisible();
  await expect(liste.getByText('À faire', { exact: true })).toHaveCount(3);
  await expect(liste.getByText('1 étape sur 4 terminée.')).toBeVisible();
  await expectAccessible(page, 'l’accueil de la console avec la liste des premiers pas');
  await page.getByLabel('Langue').selectOption('en');

  // Dismissed: gone, focus on the page's heading, and still gone after a reload.
  await checklist.getByRole('button', { name: 'Dismiss' }).click();
  await expect(checklist).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'My tickets', level: 1 })).toBeFocused();
  const read = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/onboarding' && r.request().method() === 'GET');
  await page.reload();
  expect((await read).status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  await expect(checklist).toHaveCount(0);
});

test('onboarding: an agent’s console home neither shows the checklist nor asks for it', async ({ page }) => {
  const org = await organisation('onboard-agent');
  const agent = await staff(org, 'agent', 'Inès', 'Moreau');
  const asked: string[] = [];
  page.on('request', (request) => asked.push(new URL(request.url()).pathname));
  await signInThroughThePage(page, org.slug, agent.email);
  await expect(page.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  await expect(page.getByText('No ticket assigned to you matches these filters.')).toBeVisible();
  await expect(page.getByRole('banner').getByText(`${org.slug} SAV`, { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Get started' })).toHaveCount(0);
  expect(asked).not.toContain('/v1/onboarding');
});
