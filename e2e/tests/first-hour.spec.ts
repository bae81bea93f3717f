// An organisation's first hour, in order, one team throughout: an admin keeps the ticket
// categories (one added with a French label, moved first from the keyboard, "Other" archived)
// and the portal's new-ticket form offers them in that order, in the customer's language; the
// order number made required, which the form marks and insists on, as the server does; an agent
// opens a ticket for a new caller by address on the console's New ticket page, on the phone, and
// the queue names the customer.
import { expect, test } from '@playwright/test';
import { type Org, type Person, app, customer, expectAccessible, expectCall, login, openSettings, organisation, signInThroughThePage, staff, uniqueEmail } from './platform';

// Access tokens may be short in these runs: each test signs in afresh for its calls through the API.
const as = async (org: Org, who: Person) => login(org.slug, who.email);

type Category = { key: string; label: { en: string; fr: string | null }; position: number; archived: boolean };

// One organisation's hour: each step finds what the one before it left.
test.describe.configure({ mode: 'serial' });
let org: Org;
let admin: Person;
let agent: Person;
let buyer: Person;
test.beforeAll(async () => {
  org = await organisation('first-hour');
  [admin, agent, buyer] = await Promise.all([
    staff(org, 'admin', 'Nadia', 'Roux'),
    staff(org, 'agent', 'Inès', 'Moreau'),
    customer(org, 'Léa', 'Martin'),
  ]);
});

test('categories: an admin adds one, moves it first and archives “Other”; the portal offers them in order, in its language', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signInThroughThePage(page, org.slug, admin.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await openSettings(page, 'Categories');
  await expect(page.getByRole('heading', { name: 'Ticket categories', level: 1 })).toBeVisible();
  const offered = page.getByRole('region', { name: 'Offered categories' });
  await expect(offered.getByRole('listitem')).toHaveCount(8);
  await expect(offered.getByText('8 categories offered, in the order customers see them.')).toBeVisible();
  await expectAccessible(page, 'the categories page');

  // A key of the wrong shape is said beside it before anything is sent; one taken, by the server.
  const adding = page.getByRole('region', { name: 'Add a category' });
  const key = adding.getByLabel('Key', { exact: true });
  await key.fill('Warranty claims');
  await adding.getByLabel('English label').fill('Warranty');
  await adding.getByLabel('French label (optional)').fill('Garantie');
  await adding.getByRole('button', { name: 'Add category' }).click();
  await expect(key).toHaveAttribute('aria-invalid', 'true');
  await expect(key).toBeFocused();
  await expect(adding.getByText('Use 1 to 64 lower-case letters, digits, _ or -, starting with a letter or a digit.')).toBeVisible();
  await key.fill('refund');
  await adding.getByRole('button', { name: 'Add category' }).click();
  await expect(adding.getByText('Another category already has this key.')).toBeVisible();
  await expect(key).toHaveAttribute('aria-invalid', 'true');
  await key.fill('warranty');
  await adding.getByRole('button', { name: 'Add category' }).click();
  await expect(page.getByText('The category “Warranty” has been added, last in the list.')).toBeVisible();
  await expect(key).toHaveValue('');
  const warranty = offered.getByRole('listitem', { name: 'Warranty' });
  await expect(warranty).toContainText('warranty');
  await expect(warranty).toContainText('Garantie');

  // Moved first from the keyboard: the focus stays on the moved category's button.
  await warranty.getByRole('button', { name: 'Move up: Warranty' }).focus();
  for (let position = 8; position >= 1; position -= 1) {
    await page.keyboard.press('Enter');
    await expect(page.getByText(`The category “Warranty” is now number ${position} in the list.`)).toBeVisible();
    await expect(warranty.getByRole('button', { name: position > 1 ? 'Move up: Warranty' : 'Move down: Warranty' })).toBeFocused();
  }
  await expect(warranty.getByRole('button', { name: 'Move up: Warranty' })).toBeDisabled();

  // "Other" archived: shown apart and marked; the focus follows it to its Restore button.
  await offered.getByRole('button', { name: 'Archive Other' }).click();
  await expect(page.getByText('The category “Other” has been archived: it is no longer offered for new tickets.')).toBeVisible();
  const archived = page.getByRole('region', { name: 'Archived categories' });
  await expect(archived.getByRole('listitem', { name: 'Other' })).toContainText('Archived');
  await expect(archived.getByRole('button', { name: 'Restore Other' })).toBeFocused();
  await expect(offered.getByRole('listitem')).toHaveCount(8);
  await expect(offered.getByRole('listitem').first()).toHaveAccessibleName('Warranty');
  await expectAccessible(page, 'the categories page with an archived one');

  const listed = (await expectCall(app(org.slug, 'GET', '/v1/categories', await as(org, buyer)), 200)).data as Category[];
  expect(listed.map((c) => c.key)).toEqual(['warranty', 'order', 'delivery', 'return', 'refund', 'payment_failure', 'product', 'account']);
  expect(listed[0]!.label).toEqual({ en: 'Warranty', fr: 'Garantie' });

  // The customer's form offers the new one first and not "Other"; in French, the French labels.
  const portal = await browser.newContext();
  const home = await portal.newPage();
  await signInThroughThePage(home, org.slug, buyer.email);
  await expect(home.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  await home.getByRole('link', { name: 'Open a ticket' }).click();
  // Found by its name: its label changes with the language.
  const category = home.locator('select[name="category"]');
  await expect(category.locator('option')).toHaveText(['Choose a category (optional)', 'Warranty', 'Order', 'Delivery', 'Return', 'Refund', 'Payment problem', 'Product', 'Account']);
  await home.getByLabel('Language').selectOption('fr');
  await expect(category.locator('option')).toHaveText(['Choisissez une catégorie (facultatif)', 'Garantie', 'Commande', 'Livraison', 'Retour', 'Remboursement', 'Problème de paiement', 'Produit', 'Compte']);
  await expectAccessible(home, 'le formulaire de nouveau ticket');
  await home.getByLabel('Objet').fill('Garantie de ma bouilloire');
  await home.getByLabel('Description').fill('Elle ne chauffe plus après trois mois.');
  await category.selectOption({ label: 'Garantie' });
  await home.getByRole('button', { name: 'Créer le ticket' }).click();
  await expect(home.getByRole('heading', { name: 'Garantie de ma bouilloire', level: 1 })).toBeVisible();
  await expect(home.locator('.ticket-summary')).toContainText('Garantie');
  await portal.close();

  // In French, the admin's page.
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Catégories de tickets', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Catégories archivées' }).getByRole('listitem', { name: 'Autre' })).toContainText('Archivée');
  await expectAccessible(page, 'la page des catégories');
});

test('order number: required, the portal form marks the field and refuses without it', async ({ page, browser }) => {
  await signInThroughThePage(page, org.slug, admin.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await openSettings(page, 'Organisation');
  const panel = page.getByRole('region', { name: 'Order number' });
  await expect(panel.getByRole('radio', { name: 'Optional' })).toBeChecked();
  const required = panel.getByRole('radio', { name: 'Required' });
  await expect(required).toHaveAccessibleDescription('Customers must fill in the order number to open a ticket.');
  await required.check();
  await panel.getByRole('button', { name: 'Save the order number setting' }).click();
  await expect(panel.getByText('The setting has been saved.')).toBeVisible();
  await expectAccessible(page, 'the organisation page');
  const [asAdmin, asBuyer] = await Promise.all([as(org, admin), as(org, buyer)]);
  expect((await expectCall(app(org.slug, 'GET', '/v1/ticket-settings', asAdmin), 200)).order_number).toBe('required');
  // The server insists too, and nothing is made.
  const ticketsOfBuyer = async () => ((await expectCall(app(org.slug, 'GET', '/v1/tickets', asBuyer), 200)).data as unknown[]).length;
  const held = await ticketsOfBuyer();
  const refused = await expectCall(app(org.slug, 'POST', '/v1/tickets', asBuyer, { subject: 'Sans commande', description: 'Rien.' }), 422);
  expect(JSON.stringify(refused.errors)).toContain('order_id');

  // The customer's form marks the field required, and says so before sending anything.
  const portal = await browser.newContext();
  const home = await portal.newPage();
  await signInThroughThePage(home, org.slug, buyer.email);
  await expect(home.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  await home.getByRole('link', { name: 'Open a ticket' }).click();
  const order = home.getByLabel('Order number');
  await expect(order).toHaveJSProperty('required', true);
  await expect(order).toHaveAccessibleDescription('Required: the number of the order this is about.');
  await expectAccessible(home, 'the new-ticket form with the order number required');
  await home.getByLabel('Subject').fill('Colis incomplet');
  await home.getByLabel('Description').fill('Il manque la notice.');
  await home.getByRole('button', { name: 'Create ticket' }).click();
  await expect(order).toHaveAttribute('aria-invalid', 'true');
  await expect(order).toBeFocused();
  await expect(home.getByText('This field is required.')).toBeVisible();
  await expect(home).toHaveURL(/\/tickets\/new$/);
  expect(await ticketsOfBuyer()).toBe(held);
  await home.keyboard.type('48213');
  await home.getByRole('button', { name: 'Create ticket' }).click();
  await expect(home.getByRole('heading', { name: 'Colis incomplet', level: 1 })).toBeVisible();
  await expect(home.locator('.ticket-summary')).toContainText('48213');

  // Hidden: the form no longer asks.
  await expectCall(app(org.slug, 'PATCH', '/v1/ticket-settings', asAdmin, { order_number: 'hidden' }), 200);
  await home.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New ticket' }).click();
  await expect(home.getByLabel('Subject')).toBeVisible();
  await expect(home.getByLabel('Order number')).toHaveCount(0);
  await portal.close();
});

test('new ticket: an agent opens one for a new caller by address, on the phone, and the queue names them', async ({ page }) => {
  const known = buyer;

  await signInThroughThePage(page, org.slug, agent.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'New ticket' }).click();
  await expect(page.getByRole('heading', { name: 'New ticket', level: 1 })).toBeVisible();
  await expectAccessible(page, 'the new ticket page');

  // Nothing chosen: said beside the customer, before anything is sent.
  const search = page.getByRole('combobox', { name: 'Customer' });
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await expect(search).toHaveAttribute('aria-invalid', 'true');
  await expect(search).toBeFocused();
  await expect(page.getByText('Choose a customer from the list, or give a new customer’s address.')).toBeVisible();

  // A customer already known, found by name and chosen from the keyboard.
  await page.keyboard.type('martin');
  const found = page.getByRole('listbox', { name: 'Customers found' });
  await expect(found.getByRole('option', { name: /Léa Martin/ })).toContainText(known.email);
  await expect(page.getByText('1 customer found.')).toBeVisible();
  await expect(search).toHaveAttribute('aria-expanded', 'true');
  await expectAccessible(page, 'the new ticket page with customers found');
  await page.keyboard.press('ArrowDown');
  await expect(found.getByRole('option', { selected: true })).toContainText('Léa Martin');
  await page.keyboard.press('Enter');
  await expect(search).toHaveValue(`Léa Martin (${known.email})`);
  await expect(search).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByText(`Customer chosen: Léa Martin (${known.email}).`)).toBeVisible();

  // But the caller is someone new: their address and name.
  await page.getByRole('radio', { name: 'A new customer' }).check();
  const caller = uniqueEmail('caller');
  await page.getByLabel('Email address').fill(caller);
  await page.getByLabel('Name (optional)').fill('Marc Lefèvre');
  await expect(page.getByLabel('Channel')).toHaveValue('phone');
  await expect(page.getByRole('checkbox', { name: 'Send the customer the acknowledgement' })).not.toBeChecked();
  await page.getByLabel('Subject').fill('Commande jamais arrivée');
  await page.getByLabel('Description').fill('Appel du client : le colis 48213 n’est jamais arrivé.');
  await page.getByLabel('Category').selectOption({ label: 'Delivery' });
  await page.getByRole('button', { name: 'Create ticket' }).click();
  await expect(page.getByRole('heading', { name: 'Commande jamais arrivée', level: 1 })).toBeVisible();
  const id = Number(/\/tickets\/(\d+)$/.exec(page.url())![1]);
  const held = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}`, await as(org, agent)), 200);
  const requester = held.requester as { email: string; firstname: string; lastname: string };
  expect([held.channel, held.category, requester.email, requester.firstname, requester.lastname]).toEqual(['phone', 'delivery', caller, 'Marc', 'Lefèvre']);
  await expect(page.locator('.ticket-summary')).toContainText('Marc Lefèvre');
  await expect(page.locator('.ticket-summary')).toContainText('Delivery');

  // The queue names the customer in the ticket's row.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All tickets' }).click();
  await expect(page.getByRole('heading', { name: 'All tickets', level: 1 })).toBeVisible();
  const row = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: /Commande jamais arrivée/ }) });
  await expect(row).toContainText('From Marc Lefèvre');
  await expectAccessible(page, 'the queue naming the customer');
});
