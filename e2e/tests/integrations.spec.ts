// The console's integrations page: an API key shown once (then only by its prefix) and revoked;
// a webhook to an address where nothing listens (systests/test_web_e2e.py lets app-api reach
// 127.0.0.1), its secret shown once, a test event whose failed attempt appears in the delivery
// log, the endpoint turned off and on, its secret rotated; none of it for agents.
import { expect, test, type Page } from '@playwright/test';
import { app, expectAccessible, expectCall, openSettings, organisation, screenshot, signInThroughThePage, staff, tenantUrl } from './platform';

type Json = Record<string, unknown>;

async function openIntegrations(page: Page) {
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await openSettings(page, 'Integrations');
  await expect(page.getByRole('heading', { name: 'Integrations', level: 1 })).toBeVisible();
}

test('integrations: an API key is shown once, then by its prefix, and revoked', async ({ page, browser }) => {
  const org = await organisation('keys');
  const agent = await staff(org, 'agent', 'Inès', 'Moreau');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: tenantUrl(org.slug) });
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await openIntegrations(page);
  await expect(page.getByText('No API keys yet.')).toBeVisible();
  await expectAccessible(page, 'the integrations page');

  // Nothing given: said beside the fields, nothing created.
  const name = page.getByLabel('Name', { exact: true });
  await page.getByRole('button', { name: 'Create API key' }).click();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toBeFocused();
  await expect(page.getByText('Choose at least one permission.')).toBeVisible();

  await name.fill('CRM sync');
  await page.getByLabel('Read tickets (tickets:read)').check();
  await page.getByLabel('Create and update tickets (tickets:write)').check();
  await page.getByRole('button', { name: 'Create API key' }).click();
  const shown = page.getByLabel('API key', { exact: true });
  await expect(shown).toHaveValue(/^hdk_\S{16,}$/);
  const key = await shown.inputValue();
  await expect(page.getByText('Copy the key now: you will not see it again.')).toBeVisible();
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(page.getByText('Copied.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await expectAccessible(page, 'the integrations page with a new key');

  const listed = await expectCall(app(org.slug, 'GET', '/v1/api-keys', org.ownerToken), 200);
  const stored = (listed.data as Json[]).find((k) => k.name === 'CRM sync')!;
  const prefix = stored.prefix as string;
  expect(prefix).toMatch(/^hdk_/);
  expect(key.startsWith(prefix)).toBe(true);
  expect(key.length).toBeGreaterThan(prefix.length);
  expect(stored.scopes).toEqual(['tickets:read', 'tickets:write']);

  // Once the page is left, the key is gone for good; its prefix tells it apart.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Integrations', level: 1 })).toBeVisible();
  const row = page.getByRole('listitem', { name: 'CRM sync' });
  await expect(row.getByText(prefix)).toBeVisible();
  await expect(page.getByLabel('API key', { exact: true })).toHaveCount(0);
  await expect(page.getByText(key)).toHaveCount(0);
  await expect(row.getByText('Active', { exact: true })).toBeVisible();
  await expect(row.getByText('Never used', { exact: true })).toBeVisible();
  await expect(row.getByText('tickets:write', { exact: true })).toBeVisible();

  // Revoked after a confirmation in place.
  await row.getByRole('button', { name: 'Revoke the API key CRM sync' }).click();
  await expect(row.getByText('Revoke “CRM sync”? Programs using it are refused at once.', { exact: false })).toBeVisible();
  await row.getByRole('button', { name: 'Yes, revoke CRM sync' }).click();
  await expect(page.getByText('“CRM sync” has been revoked.')).toBeVisible();
  await expect(row.locator('.badge')).toHaveText('Revoked');
  await expect(row.getByRole('button', { name: /Revoke/ })).toHaveCount(0);
  const after = await expectCall(app(org.slug, 'GET', '/v1/api-keys', org.ownerToken), 200);
  expect((after.data as Json[]).find((k) => k.id === stored.id)!.revoked_at).toBeTruthy();
  await screenshot(page, 'admin-integrations-en');

  // Not for agents: no entry, and the page is not found.
  const context = await browser.newContext();
  const other = await context.newPage();
  await signInThroughThePage(other, org.slug, agent.email);
  await expect(other.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(other.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Quarantine' })).toBeVisible();
  await expect(other.getByRole('link', { name: 'Integrations', exact: true })).toHaveCount(0);
  await other.goto(`${tenantUrl(org.slug)}/admin/integrations`);
  await expect(other.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await context.close();
});

test('integrations: a webhook’s secret is shown once, a test event fails in the delivery log, the endpoint goes off and on', async ({ page }) => {
  const org = await organisation('hooks');
  const url = 'http://127.0.0.1:9/hook';
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await openIntegrations(page);
  await expect(page.getByText('No endpoints yet.')).toBeVisible();

  // Nothing given: said beside the fields.
  const address = page.getByLabel('Endpoint URL');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(address).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Choose at least one event.')).toBeVisible();
  await address.fill('ftp://example.com/hook');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByText('The address must start with https:// or http://.')).toBeVisible();

  await address.fill(url);
  await page.getByLabel('A ticket is created (ticket.created)').check();
  await page.getByLabel('A message is added (message.added)').check();
  await page.getByLabel('Description (optional)').fill('Nothing listens there');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const secret = page.getByLabel('Signing secret', { exact: true });
  await expect(secret).toHaveValue(/^whsec_\S{16,}$/);
  const first = await secret.inputValue();
  await expect(page.getByText('Copy the secret now: you will not see it again.')).toBeVisible();
  await page.getByRole('button', { name: 'I have copied it' }).click();
  await expect(secret).toHaveCount(0);

  const listed = await expectCall(app(org.slug, 'GET', '/v1/webhooks', org.ownerToken), 200);
  const hook = (listed.data as Json[])[0]!;
  expect(hook).toMatchObject({ url, description: 'Nothing listens there', enabled: true, disabled_reason: null });
  expect([...(hook.events as string[])].sort()).toEqual(['message.added', 'ticket.created']);
  expect(JSON.stringify(hook)).not.toContain(first);

  const row = page.getByRole('listitem', { name: url });
  await expect(row.getByText('Enabled', { exact: true })).toBeVisible();
  await expect(row.getByText('Nothing listens there')).toBeVisible();

  // A test event: nothing listens on port 9, so its first attempt fails without an answer.
  await row.getByRole('button', { name: `Send a test event to ${url}` }).click();
  await expect(row.getByText('A test event is on its way.', { exact: false })).toBeVisible();
  const log = row.getByRole('table', { name: `Attempts to deliver events to ${url}, newest first` });
  const attempt = log.getByRole('row').filter({ hasText: 'webhook.test' }).filter({ hasText: 'Attempt 1' });
  await expect(attempt).toHaveCount(1, { timeout: 45_000 });
  await expect(attempt).toContainText('No response');
  // The cells: event, result, duration, error, next attempt, response, actions.
  await expect(attempt.getByRole('cell').nth(3)).toHaveText(/refused|connect/i);
  await expect(attempt.getByRole('button', { name: /^Replay the webhook\.test delivery of / })).toBeVisible();
  await expectAccessible(page, 'the integrations page with a delivery log');

  // Off, then on again.
  await row.getByRole('button', { name: `Disable deliveries to ${url}` }).click();
  await expect(row.getByText('Disabled', { exact: true })).toBeVisible();
  await expect(row.getByText('Turned off by an administrator.')).toBeVisible();
  const off = await expectCall(app(org.slug, 'GET', `/v1/webhooks/${hook.id as string}`, org.ownerToken), 200);
  expect(off).toMatchObject({ enabled: false, disabled_reason: 'manual' });
  await row.getByRole('button', { name: `Enable deliveries to ${url}` }).click();
  await expect(row.getByText('Enabled', { exact: true })).toBeVisible();
  await expect(row.getByRole('button', { name: `Disable deliveries to ${url}` })).toBeVisible();
  const on = await expectCall(app(org.slug, 'GET', `/v1/webhooks/${hook.id as string}`, org.ownerToken), 200);
  expect(on).toMatchObject({ enabled: true, disabled_reason: null });
  await expect(row.getByText('Turned off by an administrator.')).toHaveCount(0);

  // A new secret, shown once; the previous one keeps signing for a while.
  await row.getByRole('button', { name: `Rotate the secret of ${url}` }).click();
  await row.getByRole('button', { name: 'Yes, make a new secret' }).click();
  const rotated = row.getByLabel('New signing secret');
  await expect(rotated).toHaveValue(/^whsec_\S{16,}$/);
  expect(await rotated.inputValue()).not.toBe(first);
  await expect(row.getByText(/The previous secret also signs deliveries until/)).toBeVisible();

  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Intégrations', level: 1 })).toBeVisible();
  await expectAccessible(page, 'la page des intégrations');
});
