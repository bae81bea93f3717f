// Ticket fields: an admin defines a dropdown customers fill in and a checkbox required to resolve
// on the console's Fields page (the key suggested from the label, a key already taken refused
// beside the key, a field changed in place and one deleted after a confirmation); an agent sets
// a ticket's values from the keyboard in its properties panel, is refused resolving it while the
// required checkbox is empty (the refusal names the field by its label and the field is flagged),
// ticks it and resolves; the API holds what the page shows and the history says what changed. A
// customer's new-ticket form asks for the dropdown alone, and the value given arrives. In
// English, then in French.
import { expect, test, type Page } from '@playwright/test';
import { app, customer, expectAccessible, expectCall, login, openHistory, openSettings, organisation, screenshot, signInThroughThePage, staff, tenantUrl, type Org, type Person } from './platform';

// Access tokens may be short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

/** The ticket's Fields property, in the panel beside the thread. */
const fieldsProperty = (page: Page, names = { panel: 'Ticket properties', fields: 'Fields' }) =>
  page.getByRole('region', { name: names.panel }).getByRole('region', { name: names.fields, exact: true });

type Definition = { key: string; type: string; label: { en: string; fr: string | null }; options: { value: string }[]; required_to_resolve: boolean; visible_to_customer: boolean; editable_by_customer: boolean };

test('fields: an admin defines fields, an agent fills them in before resolving, a customer gives one', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const org = await organisation('fields');
  const [admin, agent, buyer] = await Promise.all([staff(org, 'admin', 'Nadia', 'Roux'), staff(org, 'agent', 'Inès', 'Moreau'), customer(org, 'Léa', 'Martin')]);
  const opened = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Écran fissuré à la livraison', description: 'L’écran est arrivé fissuré.' }), 201);
  const ticket = opened.id as number;
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${ticket}/assign`, await as(org, admin), { assigned_to: agent.id }), 200);

  // The admin's Fields page.
  await signInThroughThePage(page, org.slug, admin.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await openSettings(page, 'Fields');
  await expect(page.getByRole('heading', { name: 'Fields', level: 1 })).toBeVisible();
  await expect(page.getByText('No fields yet.')).toBeVisible();
  const form = page.locator('form.field-form').first();
  await expectAccessible(page, 'the fields page');

  // A dropdown customers fill in: the key follows the English label; its options a row each.
  await form.getByLabel('Label in English', { exact: true }).fill('Product');
  await form.getByLabel('Label in French (optional)', { exact: true }).fill('Produit');
  await expect(form.getByLabel('Key', { exact: true })).toHaveValue('product');
  await expect(form.getByLabel('Key', { exact: true })).toHaveAccessibleDescription(/cannot change once the field is made/);
  await form.getByLabel('Type').selectOption({ label: 'Dropdown list (one choice)' });
  const first = form.getByRole('group', { name: 'Option 1' });
  await first.getByLabel('Value').fill('phone');
  await first.getByLabel('English label (optional)').fill('Phone');
  await first.getByLabel('French label (optional)').fill('Téléphone');
  // An empty option is said beside it before anything is sent.
  await form.getByRole('button', { name: 'Add an option' }).click();
  const second = form.getByRole('group', { name: 'Option 2' });
  await expect(second.getByLabel('Value')).toBeFocused();
  await form.getByRole('button', { name: 'Create field' }).click();
  await expect(second.getByLabel('Value')).toHaveAttribute('aria-invalid', 'true');
  await expect(second.getByText('Give the option a value, or remove it.')).toBeVisible();
  await expect(second.getByLabel('Value')).toBeFocused();
  await page.keyboard.type('laptop');
  await second.getByLabel('English label (optional)').fill('Laptop');
  await second.getByLabel('French label (optional)').fill('Ordinateur portable');
  const rules = form.getByRole('group', { name: 'Who needs it' });
  await rules.getByRole('checkbox', { name: 'Filled in by customers' }).check();
  await expect(rules.getByRole('checkbox', { name: 'Shown to customers' })).toBeChecked();
  await form.getByRole('button', { name: 'Create field' }).click();
  await expect(page.getByText('The field “Product” has been created.')).toBeVisible();
  const product = page.getByRole('listitem', { name: 'Product', exact: true });
  await expect(product).toContainText('Dropdown list (one choice)');
  await expect(product).toContainText('See it and fill it in');
  await expect(product.getByRole('list', { name: 'Options of Product' })).toContainText('Laptop');
  await expect(form.getByLabel('Label in English', { exact: true })).toHaveValue('');

  // A checkbox required to resolve.
  await form.getByLabel('Label in English', { exact: true }).fill('Warranty checked');
  await form.getByLabel('Label in French (optional)', { exact: true }).fill('Garantie vérifiée');
  await form.getByLabel('Type').selectOption({ label: 'Checkbox (yes or no)' });
  await rules.getByRole('checkbox', { name: 'Required before resolving' }).check();
  await form.getByRole('button', { name: 'Create field' }).click();
  await expect(page.getByText('The field “Warranty checked” has been created.')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Warranty checked' })).toContainText('Required before resolving');

  // A key already taken is refused beside the key; another field is made, then deleted.
  await form.getByLabel('Label in English', { exact: true }).fill('Product line');
  await form.getByLabel('Key', { exact: true }).fill('product');
  await form.getByRole('button', { name: 'Create field' }).click();
  await expect(form.getByText('Another field already has this key.')).toBeVisible();
  await expect(form.getByLabel('Key', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await form.getByLabel('Key', { exact: true }).fill('product_line');
  await form.getByRole('button', { name: 'Create field' }).click();
  await expect(page.getByText('The field “Product line” has been created.')).toBeVisible();
  await expect(page.getByText('3 fields, in the order tickets show them.')).toBeVisible();
  await page.getByRole('button', { name: 'Delete Product line' }).click();
  await expect(page.getByRole('button', { name: 'Yes, delete Product line' })).toBeFocused();
  await page.getByRole('button', { name: 'Yes, delete Product line' }).click();
  await expect(page.getByText('The field “Product line” has been deleted')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Product line', exact: true })).toHaveCount(0);

  // Changed in place: a third option; the key and the type stay.
  await product.getByRole('button', { name: 'Edit Product' }).click();
  await expect(product.getByLabel('Label in English', { exact: true })).toBeFocused();
  await expect(product).toContainText('Key product, type Dropdown list (one choice): these never change.');
  await product.getByRole('button', { name: 'Add an option' }).click();
  await expect(product.getByRole('group', { name: 'Option 3' }).getByLabel('Value')).toBeFocused();
  await page.keyboard.type('tablet');
  await product.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('The field “Product” has been saved.')).toBeVisible();
  await expect(product.getByRole('list', { name: 'Options of Product' }).getByRole('listitem')).toHaveCount(3);
  await expectAccessible(page, 'the fields page with fields');
  await screenshot(page, 'admin-fields-en');

  const defined = (await expectCall(app(org.slug, 'GET', '/v1/fields', await as(org, agent)), 200)) as unknown as Definition[];
  expect(defined.map((f) => [f.key, f.type, f.label, f.options.map((o) => o.value), f.required_to_resolve, f.visible_to_customer, f.editable_by_customer])).toEqual([
    ['product', 'dropdown', { en: 'Product', fr: 'Produit' }, ['phone', 'laptop', 'tablet'], false, true, true],
    ['warranty_checked', 'checkbox', { en: 'Warranty checked', fr: 'Garantie vérifiée' }, [], true, false, false],
  ]);
  const shown = (await expectCall(app(org.slug, 'GET', '/v1/fields', await as(org, buyer)), 200)) as unknown as Definition[];
  expect(shown.map((f) => f.key)).toEqual(['product']);

  // The agent, in a browser of their own, fills the ticket's fields in from the keyboard.
  const context = await browser.newContext();
  const desk = await context.newPage();
  await signInThroughThePage(desk, org.slug, agent.email);
  await expect(desk.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await desk.goto(`${tenantUrl(org.slug)}/tickets/${ticket}`);
  await expect(desk.getByRole('heading', { name: 'Écran fissuré à la livraison', level: 1 })).toBeVisible();
  const fields = fieldsProperty(desk);
  const productControl = fields.getByLabel('Product', { exact: true });
  const warranty = fields.getByRole('checkbox', { name: 'Warranty checked' });
  const save = fields.getByRole('button', { name: 'Save fields' });
  await expect(productControl).toHaveValue('');
  await expect(warranty).not.toBeChecked();
  await expect(warranty).toHaveAccessibleDescription('Required before resolving.');
  await productControl.focus();
  await desk.keyboard.press('ArrowDown');
  await desk.keyboard.press('ArrowDown');
  await expect(productControl).toHaveValue('laptop');
  await desk.keyboard.press('Tab');
  await expect(warranty).toBeFocused();
  await desk.keyboard.press('Tab');
  await expect(save).toBeFocused();
  await desk.keyboard.press('Enter');
  await expect(desk.getByText('Field “Product” saved.')).toBeVisible();
  expect((await expectCall(app(org.slug, 'GET', `/v1/tickets/${ticket}`, await as(org, agent)), 200)).fields).toEqual({ product: 'laptop' });

  // Resolving is refused while the required checkbox is empty: said where the status is, the
  // field named, and flagged in the Fields property.
  const status = desk.getByRole('region', { name: 'Ticket properties' }).getByRole('region', { name: 'Status', exact: true });
  await status.getByRole('button', { name: 'Resolve' }).click();
  await expect(status.getByRole('alert')).toHaveText('The ticket cannot be resolved yet: fill in “Warranty checked” first.');
  await expect(desk.getByText('Current status: In progress')).toBeVisible();
  await expect(warranty).toHaveAttribute('aria-invalid', 'true');
  await expect(warranty).toHaveAccessibleDescription(/Fill this in to resolve the ticket\./);
  await expectAccessible(desk, 'a ticket refused resolving for a field');

  // Ticked and saved from the keyboard, then resolved.
  await warranty.focus();
  await desk.keyboard.press('Space');
  await expect(warranty).toBeChecked();
  await desk.keyboard.press('Tab');
  await desk.keyboard.press('Enter');
  await expect(desk.getByText('Field “Warranty checked” saved.')).toBeVisible();
  await expect(warranty).not.toHaveAttribute('aria-invalid', 'true');
  await status.getByRole('button', { name: 'Resolve' }).click();
  await expect(desk.getByText('Current status: Resolved')).toBeVisible();
  const held = await expectCall(app(org.slug, 'GET', `/v1/tickets/${ticket}`, await as(org, agent)), 200);
  expect([held.status, held.fields]).toEqual(['resolved', { product: 'laptop', warranty_checked: true }]);
  await expect(productControl).toHaveValue('laptop');
  await expect(warranty).toBeChecked();
  const history = await openHistory(desk);
  await expect(history).toContainText('set “Product” to “Laptop”.', { timeout: 30_000 });
  await expect(history).toContainText('set “Warranty checked” to “Yes”.', { timeout: 30_000 });
  await expectAccessible(desk, 'a ticket with its fields');
  await screenshot(desk, 'ticket-fields-en');

  // The customer is asked for the dropdown alone as they open a ticket, and sees its value.
  const portal = await browser.newContext();
  const home = await portal.newPage();
  await signInThroughThePage(home, org.slug, buyer.email);
  await expect(home.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  await home.goto(`${tenantUrl(org.slug)}/tickets/new`);
  await expect(home.getByLabel('Product', { exact: true })).toBeVisible();
  await expect(home.getByLabel('Warranty checked')).toHaveCount(0);
  await expectAccessible(home, 'the new-ticket form with a field');
  await home.getByLabel('Subject').fill('Téléphone qui ne charge plus');
  await home.getByLabel('Description').fill('Il ne charge plus depuis hier.');
  await home.getByLabel('Product', { exact: true }).focus();
  await home.keyboard.press('ArrowDown');
  await expect(home.getByLabel('Product', { exact: true })).toHaveValue('phone');
  await home.getByRole('button', { name: 'Create ticket' }).click();
  await expect(home.getByRole('heading', { name: 'Téléphone qui ne charge plus', level: 1 })).toBeVisible();
  const facts = home.locator('.ticket-summary');
  await expect(facts).toContainText('Product');
  await expect(facts).toContainText('Phone');
  const made = Number(/\/tickets\/(\d+)/.exec(home.url())![1]);
  expect((await expectCall(app(org.slug, 'GET', `/v1/tickets/${made}`, await as(org, agent)), 200)).fields).toEqual({ product: 'phone' });
  expect((await expectCall(app(org.slug, 'GET', `/v1/tickets/${ticket}`, await as(org, buyer)), 200)).fields).toEqual({ product: 'laptop' });

  // In French: the portal's ticket and form, the ticket's fields and history, the Fields page.
  await home.getByLabel('Language').selectOption('fr');
  await expect(facts).toContainText('Produit');
  await expect(facts).toContainText('Téléphone');
  await expectAccessible(home, 'un ticket avec un champ');
  await home.goto(`${tenantUrl(org.slug)}/tickets/new`);
  await expect(home.getByLabel('Produit', { exact: true }).locator('option')).toHaveText(['Non renseigné', 'Téléphone', 'Ordinateur portable', 'tablet']);
  await portal.close();

  await desk.getByLabel('Language').selectOption('fr');
  const champs = fieldsProperty(desk, { panel: 'Propriétés du ticket', fields: 'Champs' });
  await expect(champs.getByRole('checkbox', { name: 'Garantie vérifiée' })).toBeChecked();
  await expect(champs.getByLabel('Produit', { exact: true }).locator('option:checked')).toHaveText('Ordinateur portable');
  await expect(champs.getByRole('button', { name: 'Enregistrer les champs' })).toBeVisible();
  await expect(await openHistory(desk, 'Historique')).toContainText('a mis « Produit » à « Ordinateur portable ».');
  await expectAccessible(desk, 'un ticket avec ses champs');
  await context.close();

  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Champs', level: 1 })).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Produit', exact: true })).toContainText('Liste déroulante (un choix)');
  await expect(page.getByRole('listitem', { name: 'Garantie vérifiée' })).toContainText('Obligatoire pour résoudre');
  await expectAccessible(page, 'la page des champs');
  await screenshot(page, 'admin-fields-fr');
});
