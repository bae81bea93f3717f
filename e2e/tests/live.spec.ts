// Live updates: an agent's reply reaches the customer's open portal through the live stream
// (GET /v1/stream) within two seconds, without a reload and without touching what the customer
// is typing; with the stream cut in the browser, the page says it polls, and the reply still
// comes; once the stream is back, the page is live again.
import { expect, test, type Page } from '@playwright/test';
import { app, customer, expectCall, organisation, signInThroughThePage, staff, tenantUrl, type Org, type Person } from './platform';

/** A ticket of `me`'s, opened through the API, and its page open in the customer's browser. */
async function openTicket(page: Page, org: Org, me: Person, subject: string): Promise<number> {
  const ticket = await expectCall(
    app(org.slug, 'POST', '/v1/tickets', me.token, { subject, description: 'La commande 48213 n’est pas arrivée.', category: 'delivery' }),
    201,
  );
  const id = ticket.id as number;
  await signInThroughThePage(page, org.slug, me.email);
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await page.goto(`${tenantUrl(org.slug)}/tickets/${id}`);
  await expect(page.getByRole('heading', { name: subject })).toBeVisible();
  return id;
}

/** The header's word on live updates. */
const liveStatus = (page: Page, text: string) => page.locator('.site-header').getByRole('status').filter({ hasText: new RegExp(`^${text}$`) });

test('an agent’s reply appears in the customer’s open portal within 2 s, without a reload', async ({ page }) => {
  const org = await organisation('live');
  const [agent, me] = await Promise.all([staff(org, 'agent'), customer(org)]);
  const id = await openTicket(page, org, me, 'Colis jamais arrivé');
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/assign`, agent.token, { assigned_to: agent.id }), 200);
  await expect(liveStatus(page, 'Live')).toBeVisible();

  // Something being typed, and a mark that a reload would wipe.
  await page.getByLabel('Your reply').fill('Je suis en train d’écrire…');
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

  for (const text of ['Bonjour, le colis part aujourd’hui.', 'Voici le numéro de suivi : 1Z999.']) {
    await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, agent.token, { message: text }), 201);
    const sent = Date.now();
    await expect(page.getByText(text)).toBeVisible({ timeout: 2000 });
    expect(Date.now() - sent).toBeLessThan(2000);
  }
  await expect(page.getByRole('status').filter({ hasText: 'new message arrived.' })).toBeVisible();
  await expect(page.getByLabel('Your reply')).toHaveValue('Je suis en train d’écrire…');
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  // A note stays the team's.
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, agent.token, { message: 'Note : client pressé.', is_internal: true }), 201);
  // The bell, told by the stream too.
  await expect(page.getByRole('button', { name: /^Notifications, \d+ unread$/ })).toBeVisible();
  await expect(page.getByText('client pressé')).toHaveCount(0);

  // The list shows the ticket's new state when the agent moves it.
  await page.getByRole('link', { name: 'Back to the ticket list' }).click();
  const row = page.getByRole('listitem').filter({ hasText: 'Colis jamais arrivé' });
  await expect(row).toBeVisible();
  const started = await app(org.slug, 'POST', `/v1/tickets/${id}/status`, agent.token, { status: 'in_progress' });
  expect([200, 409]).toContain(started.status);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/status`, agent.token, { status: 'resolved' }), 200);
  await expect(row.getByText('Resolved', { exact: true })).toBeVisible({ timeout: 2000 });
});

test('with the stream cut, the page says it polls and replies still come; then it is live again', async ({ page }) => {
  const org = await organisation('poll');
  const [agent, me] = await Promise.all([staff(org, 'agent'), customer(org)]);
  // The browser's own request fails, as on a network that drops long-lived connections.
  await page.route('**/v1/stream', (route) => route.abort('connectionreset'));
  const id = await openTicket(page, org, me, 'Facture en double');
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/assign`, agent.token, { assigned_to: agent.id }), 200);

  await expect(liveStatus(page, 'Updates every few seconds')).toBeVisible();
  await expect(liveStatus(page, 'Live')).toHaveCount(0);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, agent.token, { message: 'Nous avons annulé la seconde facture.' }), 201);
  // The ticket is polled every 4 s; its thread follows.
  await expect(page.getByText('Nous avons annulé la seconde facture.')).toBeVisible({ timeout: 8000 });

  // The same in French.
  await page.getByLabel('Language').selectOption('fr');
  await expect(liveStatus(page, 'Actualisé toutes les quelques secondes')).toBeVisible();
  await page.getByLabel('Langue').selectOption('en');

  // The stream is tried again in the background, at once when the browser is back online: once
  // it answers, the page is live.
  await page.unroute('**/v1/stream');
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(liveStatus(page, 'Live')).toBeVisible({ timeout: 15_000 });
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, agent.token, { message: 'Le remboursement suit.' }), 201);
  await expect(page.getByText('Le remboursement suit.')).toBeVisible({ timeout: 2000 });
});
