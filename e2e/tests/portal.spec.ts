// The customer portal: a ticket opened in the browser, answered and resolved by an agent through
// the API, read and confirmed by the customer; another customer sees none of it.
import { expect, test } from '@playwright/test';
import {
  app,
  customer,
  expectAccessible,
  expectCall,
  organisation,
  screenshot,
  signInThroughThePage,
  staff,
  tenantUrl,
} from './platform';

// A 1x1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

test('a customer opens a ticket, an agent answers and resolves it, the customer confirms', async ({ page, browser }) => {
  const org = await organisation('portal');
  const [agent, me, other] = await Promise.all([staff(org, 'agent'), customer(org), customer(org, 'Paul', 'Petit')]);

  await signInThroughThePage(page, org.slug, me.email);
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await expect(page.getByText('You have no tickets yet.')).toBeVisible();
  await expectAccessible(page, 'my tickets, empty');

  await page.getByRole('link', { name: 'Open a ticket' }).click();
  await expectAccessible(page, 'the new ticket form');
  // Nothing typed: the form says what is missing, and nothing is sent.
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await expect(page.getByLabel('Subject')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Subject').fill('Colis reçu abîmé');
  await page.getByLabel('Description').fill('Le carton est arrivé ouvert et la théière est cassée.');
  await page.getByLabel('Order number').fill('48213');
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  await expect(page.getByRole('heading', { name: /Colis reçu abîmé/ })).toBeVisible();

  // A reply and a file from the customer.
  await page.getByLabel('Your reply').fill('Voici une photo du carton.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await expect(page.getByText('Voici une photo du carton.')).toBeVisible();
  await page.getByLabel('Add a file').setInputFiles({ name: 'carton.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: 'Upload file' }).click();
  await expect(page.getByRole('button', { name: 'Download carton.png' })).toBeVisible();

  // The agent, through the API: reads the thread, answers, leaves a note, resolves.
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/assign`, agent.token, { assigned_to: agent.id }), 200);
  await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}/messages`, agent.token), 200);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, agent.token, { message: 'Bonjour, nous vous renvoyons une théière.' }), 201);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, agent.token, { message: 'Note : client fidèle, geste commercial.', is_internal: true }), 201);
  const started = await app(org.slug, 'POST', `/v1/tickets/${id}/status`, agent.token, { status: 'in_progress' });
  expect([200, 409]).toContain(started.status);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/status`, agent.token, { status: 'resolved' }), 200);

  await page.reload();
  await expect(page.getByText('Bonjour, nous vous renvoyons une théière.')).toBeVisible();
  await expect(page.getByText('client fidèle')).toHaveCount(0);
  // The agent read the customer's reply: a read receipt.
  await expect(page.getByText(/^Read /).first()).toBeVisible();
  await expectAccessible(page, 'a resolved ticket');
  await screenshot(page, 'portal-ticket-en');

  // Only the transitions a customer may make on a resolved ticket.
  await expect(page.getByRole('button', { name: 'Reopen ticket' })).toBeVisible();
  await page.getByRole('button', { name: 'Confirm resolution' }).click();
  await expect(page.getByRole('button', { name: 'Confirm resolution' })).toHaveCount(0);
  const closed = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}`, me.token), 200);
  expect(closed.status).toBe('closed');

  await page.getByRole('link', { name: 'Back to the ticket list' }).click();
  await expect(page.getByRole('link', { name: /Colis reçu abîmé/ })).toBeVisible();
  await screenshot(page, 'portal-tickets-en');

  // The other customer: an empty list, and the ticket's address shows nothing of it.
  await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}`, other.token), 404);
  const context = await browser.newContext();
  const theirs = await context.newPage();
  await signInThroughThePage(theirs, org.slug, other.email);
  await expect(theirs.getByText('You have no tickets yet.')).toBeVisible();
  await theirs.goto(`${tenantUrl(org.slug)}/tickets/${id}`);
  await expect(theirs.getByText('This ticket does not exist or is not yours.')).toBeVisible();
  await expect(theirs.getByText('Colis reçu abîmé')).toHaveCount(0);
  await context.close();
});

test('the portal in French, from the language switch', async ({ page }) => {
  const org = await organisation('fr');
  const me = await customer(org);
  await expectCall(app(org.slug, 'POST', '/v1/tickets', me.token, { subject: 'Remboursement en attente', description: 'Retour effectué le 3 mars.' }), 201);
  await signInThroughThePage(page, org.slug, me.email);
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Mes tickets' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  // The list says what the customer may expect, from the ticket's SLA badge.
  await expect(page.getByText(/^Première réponse attendue avant le/)).toBeVisible();
  await expectAccessible(page, 'mes tickets');
  await screenshot(page, 'portal-tickets-fr');
  await page.getByRole('link', { name: /Remboursement en attente/ }).click();
  await expect(page.getByLabel('Votre réponse')).toBeVisible();
  await screenshot(page, 'portal-ticket-fr');
  // The choice is kept across a reload.
  await page.reload();
  await expect(page.getByLabel('Votre réponse')).toBeVisible();
});
