// Two agents on one ticket (two browsers): each sees the other viewing, then typing, through the
// live stream's presence frames; a public reply sent after the colleague's newer reply asks
// first ("… replied since you started. Send anyway?"); leaving the page is seen at once. Beside
// the thread, the customer: their other ticket, their order with its total as money, VIP.
import { expect, test } from '@playwright/test';
import { type Org, type Person, app, customer, expectAccessible, expectCall, login, organisation, screenshot, signInThroughThePage, staff, tenantUrl } from './platform';

// Access tokens are short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person | { email: string }) => login(org.slug, who.email);

test('presence: two agents see each other viewing and typing; a reply after the other’s asks first; the customer panel', async ({ browser }) => {
  const org = await organisation('presence');
  const [ines, hugo, buyer] = await Promise.all([
    staff(org, 'agent', 'Inès', 'Moreau'),
    staff(org, 'agent', 'Hugo', 'Bernard'),
    customer(org, 'Léa', 'Martin'),
  ]);
  await expectCall(app(org.slug, 'PATCH', `/v1/users/${buyer.id}`, await as(org, { email: org.ownerEmail }), { vip: true }), 200);
  const earlier = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Facture introuvable', description: 'Où est ma facture ?' }), 201);
  await expectCall(app(org.slug, 'PUT', '/v1/orders/48213', await as(org, { email: org.ownerEmail }), { user_id: buyer.id, total: 612.5, currency: 'EUR', status: 'shipped' }), 201);
  const ticket = await expectCall(
    app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Colis abîmé', description: 'Le carton est enfoncé.', order_id: 48213 }),
    201,
  );
  const id = ticket.id as number;

  // Both agents open the ticket (unassigned, so both may see it and each other).
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  const [first, second] = await Promise.all(contexts.map((c) => c.newPage()));
  const pages = [
    { page: first!, who: ines },
    { page: second!, who: hugo },
  ];
  for (const { page, who } of pages) {
    await signInThroughThePage(page, org.slug, who.email);
    await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
    await page.goto(`${tenantUrl(org.slug)}/tickets/${id}`);
    await expect(page.getByRole('heading', { name: 'Colis abîmé', level: 1 })).toBeVisible();
  }
  const [a, b] = [first!, second!];
  await expect(a.getByText('Hugo Bernard is viewing')).toBeVisible({ timeout: 20_000 });
  await expect(b.getByText('Inès Moreau is viewing')).toBeVisible({ timeout: 20_000 });

  // The customer beside the thread.
  const side = a.getByRole('region', { name: 'Customer' });
  await expect(side).toContainText('Léa Martin');
  await expect(side).toContainText(buyer.email);
  await expect(side.getByText('VIP customer', { exact: true })).toBeVisible();
  await expect(side.getByRole('link', { name: new RegExp(`${earlier.ticket_number as string} Facture introuvable`) })).toBeVisible();
  await expect(side).toContainText('Open');
  await expect(side).toContainText('Order 48213');
  await expect(side).toContainText('€612.50');
  await expect(side).toContainText('shipped');
  await expect(side).toContainText('No ratings yet.');
  // The panel's own ticket is not among the "other tickets".
  await expect(side.getByRole('link', { name: /Colis abîmé/ })).toHaveCount(0);

  // Inès types: Hugo sees it, then sees her stop 5 s after her last keystroke.
  await a.getByLabel('Your reply to the customer').fill('Bonjour Léa, nous envoyons un nouveau colis.');
  await expect(b.getByText('Inès Moreau is typing…')).toBeVisible({ timeout: 10_000 });
  await expectAccessible(b, 'a ticket with a colleague typing');
  await screenshot(b, 'console-customer-presence-en');
  await expect(b.getByText('Inès Moreau is viewing')).toBeVisible({ timeout: 15_000 });

  // Hugo replies while Inès' draft waits: her Send asks first.
  await b.getByLabel('Your reply to the customer').fill('Bonjour, nous regardons cela.');
  await b.getByRole('button', { name: 'Send reply' }).click();
  await expect(b.getByRole('article', { name: /^Reply by You/ })).toContainText('nous regardons cela');
  await a.getByRole('button', { name: 'Send reply' }).click();
  const ask = a.getByRole('group', { name: 'Hugo Bernard replied since you started. Send anyway?' });
  await expect(ask).toBeVisible();
  await expect(ask.getByRole('button', { name: 'Send anyway' })).toBeFocused();
  await expectAccessible(a, 'the question before sending');
  // Not yet: the draft stays, and Hugo's reply counts as seen.
  await ask.getByRole('button', { name: 'Not yet, let me read it' }).click();
  await expect(ask).toHaveCount(0);
  await expect(a.getByLabel('Your reply to the customer')).toHaveValue('Bonjour Léa, nous envoyons un nouveau colis.');
  await expect(a.getByRole('article', { name: /^Reply by Hugo Bernard/ })).toContainText('nous regardons cela');

  // Hugo again: asked again, and sent anyway this time.
  await b.getByLabel('Your reply to the customer').fill('Le transporteur confirme.');
  await b.getByRole('button', { name: 'Send reply' }).click();
  await expect(b.getByRole('article', { name: /^Reply by You/ }).last()).toContainText('Le transporteur confirme.');
  await a.getByRole('button', { name: 'Send reply' }).click();
  await expect(ask).toBeVisible();
  await ask.getByRole('button', { name: 'Send anyway' }).click();
  await expect(a.getByRole('article', { name: /^Reply by You/ })).toContainText('nous envoyons un nouveau colis');
  await expect(a.getByText('Your reply has been sent.')).toBeVisible();
  // An internal note never asks. (Hugo starts his next reply once Inès' is on his screen: had he
  // started before, his Send would rightly ask him first.)
  await a.getByRole('radio', { name: 'Internal note' }).check();
  await expect(b.getByRole('article', { name: /^Reply by Inès Moreau/ })).toContainText('nous envoyons un nouveau colis');
  await b.getByLabel('Your reply to the customer').fill('Dernier mot.');
  await b.getByRole('button', { name: 'Send reply' }).click();
  await expect(a.getByRole('article', { name: /^Reply by Hugo Bernard/ }).last()).toContainText('Dernier mot.', { timeout: 10_000 });
  await a.getByLabel('Your note for the team').fill('Client VIP : suivre de près.');
  await a.getByRole('button', { name: 'Add internal note' }).click();
  await expect(a.getByRole('article', { name: /^Internal note by You/ })).toContainText('suivre de près');
  const thread = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}/messages`, await as(org, hugo)), 200);
  expect((thread.data as unknown[]).length).toBe(5);

  // Hugo leaves: Inès sees it at once, not 30 s later.
  await b.getByRole('link', { name: 'Back to the queue' }).click();
  await expect(b.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await expect(a.getByText('Hugo Bernard is viewing')).toHaveCount(0, { timeout: 5000 });
  await Promise.all(contexts.map((c) => c.close()));
});
