// Customer organisations: an admin makes one on the console's Customer organisations page (its
// name asked for first), a public mail provider's domain is refused beside the row it was typed
// in and nothing is saved, the organisation then shares its tickets, a customer found by name is
// added as its manager; the ticket that customer opened before is moved into it from the
// customer's panel beside the thread (the move in the history). In French, the organisation's
// page with its statistics and tickets, and another one deleted after a confirmation that says its
// people and tickets stay. On the portal, the manager has a tab for the organisation listing its
// tickets, theirs among them.
import { expect, test } from '@playwright/test';
import { app, customer, expectAccessible, expectCall, login, openHistory, organisation, screenshot, signInThroughThePage, staff, tenantUrl, type Org, type Person } from './platform';

// Access tokens may be short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

type Organization = { id: string; name: string; domains: string[]; shared_tickets: boolean; shared_comments: boolean };

test('customer organisations: an admin makes one, a public domain refused beside its row, shares its tickets, adds a manager and moves a ticket into it (en, fr)', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const org = await organisation('custorgs');
  const [admin, buyer] = await Promise.all([staff(org, 'admin', 'Nadia', 'Roux'), customer(org, 'Léa', 'Martin')]);
  const opened = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Commande bloquée en douane', description: 'Le colis attend depuis une semaine.' }), 201);
  const ticket = opened.id as number;
  expect(opened.organization_id ?? null).toBeNull();
  const organizations = async () => ((await expectCall(app(org.slug, 'GET', '/v1/organizations', await as(org, admin)), 200)).data as Organization[]);

  // The admin's way in: the sidebar's Customer organisations, none yet.
  await signInThroughThePage(page, org.slug, admin.email);
  const sidebar = page.getByRole('navigation', { name: 'Main' });
  await sidebar.getByRole('link', { name: 'Customer organisations' }).click();
  await expect(page.getByRole('heading', { name: 'Customer organisations', level: 1 })).toBeVisible();
  await expect(sidebar.getByRole('link', { name: 'Customer organisations' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByText('No customer organisations yet.')).toBeVisible();
  await expectAccessible(page, 'the customer organisations, none yet');

  // A new one: nothing named is said beside the name before anything is sent.
  await page.getByRole('link', { name: 'New customer organisation' }).click();
  await expect(page.getByRole('heading', { name: 'New customer organisation', level: 1 })).toBeVisible();
  const name = page.getByLabel('Name', { exact: true });
  await page.getByRole('button', { name: 'Create customer organisation' }).click();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toBeFocused();
  await expect(page.getByText('Give the organisation a name.')).toBeVisible();
  await name.fill('Acme Industries');
  await page.getByLabel('Domain 1', { exact: true }).fill('Acme-Industries.com');
  await page.getByRole('button', { name: 'Create customer organisation' }).click();
  await expect(page.getByRole('heading', { name: 'Acme Industries', level: 1 })).toBeVisible();
  await expect(page.getByText('The customer organisation “Acme Industries” has been created.')).toBeVisible();
  const [acme] = await organizations();
  expect([acme!.name, acme!.domains, acme!.shared_tickets, acme!.shared_comments]).toEqual(['Acme Industries', ['acme-industries.com'], false, false]);

  // A public mail provider's domain: refused beside the row it was typed in, nothing saved.
  const details = page.getByRole('region', { name: 'Details' });
  await details.getByRole('button', { name: 'Add a domain' }).click();
  const second = details.getByLabel('Domain 2', { exact: true });
  await expect(second).toBeFocused();
  await page.keyboard.type('gmail.com');
  await details.getByRole('button', { name: 'Save changes' }).click();
  await expect(second).toHaveAttribute('aria-invalid', 'true');
  await expect(second).toHaveAccessibleDescription(/gmail\.com is a public mail provider’s domain: anyone may have an address there, so no organisation can hold it\./);
  await expect(second).toBeFocused();
  await expectAccessible(page, 'a customer organisation with a domain refused');
  expect((await organizations())[0]!.domains).toEqual(['acme-industries.com']);

  // Taken out again, and the tickets shared: saved.
  await details.getByRole('button', { name: 'Remove domain 2' }).click();
  await expect(details.getByLabel('Domain 2', { exact: true })).toHaveCount(0);
  const sharedTickets = details.getByRole('switch', { name: 'Colleagues see each other’s tickets' });
  const sharedComments = details.getByRole('switch', { name: 'Colleagues reply on each other’s tickets' });
  await expect(sharedTickets).toHaveAccessibleDescription(/every member reads the organisation’s tickets, not only their own/);
  await expect(sharedComments).toHaveAccessibleDescription(/Rating it, changing its status and copying people stay its requester’s\./);
  await expect(sharedTickets).not.toBeChecked();
  await sharedTickets.focus();
  await page.keyboard.press('Space');
  await expect(sharedTickets).toBeChecked();
  await details.getByRole('button', { name: 'Save changes' }).click();
  await expect(details.getByText('The customer organisation “Acme Industries” has been saved.')).toBeVisible();
  const shared = (await organizations())[0]!;
  expect([shared.domains, shared.shared_tickets, shared.shared_comments]).toEqual([['acme-industries.com'], true, false]);

  // A member: nobody chosen is said beside the field; then the customer found by name, a manager.
  const members = page.getByRole('region', { name: 'Members' });
  await expect(members.getByText('No members yet.')).toBeVisible();
  await members.getByRole('button', { name: 'Add to the organisation' }).click();
  const search = members.getByRole('combobox', { name: 'Customer to add' });
  await expect(search).toHaveAttribute('aria-invalid', 'true');
  await expect(search).toHaveAccessibleDescription(/Choose a customer in the list first\./);
  await expect(search).toBeFocused();
  await page.keyboard.type('Martin');
  await expect(members.getByRole('option', { name: new RegExp(buyer.email) })).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(search).toHaveValue(`Léa Martin (${buyer.email})`);
  await members.getByLabel('Role', { exact: true }).selectOption('manager');
  await members.getByRole('button', { name: 'Add to the organisation' }).click();
  await expect(members.getByText('Léa Martin has been added to the organisation as “Manager”.')).toBeVisible();
  const léa = members.getByRole('list', { name: 'Members of Acme Industries' }).getByRole('listitem', { name: 'Léa Martin' });
  await expect(léa).toContainText('Primary organisation');
  await expect(léa.getByLabel('Role of Léa Martin')).toHaveValue('manager');
  await expect(search).toHaveValue('');
  const statistics = page.getByRole('region', { name: 'Statistics' });
  await expect(statistics).toContainText('Members1');
  await expectAccessible(page, 'a customer organisation’s page');
  await screenshot(page, 'customer-organisation-en');

  // The ticket Léa opened before is in no organisation: moved into hers from the customer's panel.
  await page.goto(`${tenantUrl(org.slug)}/tickets/${ticket}`);
  await expect(page.getByRole('heading', { name: 'Commande bloquée en douane', level: 1 })).toBeVisible();
  const customerPanel = page.getByRole('region', { name: 'Customer', exact: true });
  const theirs = customerPanel.getByRole('list', { name: 'The customer’s organisations' });
  await expect(theirs.getByRole('link', { name: 'Acme Industries' })).toBeVisible();
  await expect(theirs).toContainText('Manager');
  await expect(theirs).toContainText('Primary organisation');
  const where = customerPanel.getByLabel('This ticket’s organisation');
  await expect(where).toHaveValue('');
  await expect(where).toHaveAccessibleDescription('One of its requester’s organisations, or none.');
  await where.selectOption({ label: 'Acme Industries' });
  await customerPanel.getByRole('button', { name: 'Move the ticket' }).click();
  await expect(page.getByText('The ticket is now in the customer organisation “Acme Industries”.')).toBeVisible();
  await expect(where).toHaveValue(acme!.id);
  await expect(customerPanel.getByRole('button', { name: 'Move the ticket' })).toBeDisabled();
  expect((await expectCall(app(org.slug, 'GET', `/v1/tickets/${ticket}`, await as(org, admin)), 200)).organization_id).toBe(acme!.id);
  const history = await openHistory(page);
  await expect(history).toContainText('moved it to the customer organisation “Acme Industries”.');
  await expectAccessible(page, 'a ticket with its customer organisation');

  // In French: the organisation's page from the customer's panel, its statistics and its ticket.
  await page.getByLabel('Language').selectOption('fr');
  const principal = page.getByRole('navigation', { name: 'Navigation principale' });
  const client = page.getByRole('region', { name: 'Client', exact: true });
  await expect(client.getByLabel('Organisation de ce ticket')).toHaveValue(acme!.id);
  await client.getByRole('link', { name: 'Acme Industries' }).click();
  await expect(page.getByRole('heading', { name: 'Acme Industries', level: 1 })).toBeVisible();
  await expect(principal.getByRole('link', { name: 'Organisations clientes' })).toHaveAttribute('aria-current', 'true');
  await expect(page.getByRole('region', { name: 'Informations' }).getByRole('switch', { name: 'Les collègues voient les tickets les uns des autres' })).toBeChecked();
  const statistiques = page.getByRole('region', { name: 'Statistiques' });
  await expect(statistiques).toContainText('Tickets ouverts1');
  await expect(statistiques).toContainText('Tickets des 12 derniers mois1');
  await expect(page.getByRole('list', { name: 'Tickets de Acme Industries' }).getByRole('link', { name: /Commande bloquée en douane/ })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Membres de Acme Industries' })).toContainText('Organisation principale');
  await expectAccessible(page, 'a customer organisation’s page in French');
  await screenshot(page, 'customer-organisation-fr');

  // Another one, deleted after a confirmation that says its people and tickets stay.
  const beta = await expectCall(app(org.slug, 'POST', '/v1/organizations', await as(org, admin), { name: 'Beta Conseil' }), 201);
  await principal.getByRole('link', { name: 'Organisations clientes' }).click();
  await expect(page.getByRole('heading', { name: 'Organisations clientes', level: 1 })).toBeVisible();
  await expect(page.getByText('2 organisations clientes, par nom.')).toBeVisible();
  await page.getByRole('link', { name: 'Beta Conseil' }).click();
  await expect(page.getByRole('heading', { name: 'Beta Conseil', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Supprimer Beta Conseil' }).click();
  await expect(page.getByText('Supprimer l’organisation cliente « Beta Conseil » ? Ses personnes et ses tickets restent ; ses tickets ne seront plus dans aucune organisation.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Oui, supprimer Beta Conseil' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Organisations clientes', level: 1 })).toBeVisible();
  await expect(page.getByText('L’organisation cliente « Beta Conseil » a été supprimée. Ses personnes et ses tickets restent.')).toBeVisible();
  await expect(page.getByText('1 organisation cliente, par nom.')).toBeVisible();
  await expectCall(app(org.slug, 'GET', `/v1/organizations/${beta.id as string}`, await as(org, admin)), 404);
  await expectAccessible(page, 'the customer organisations in French');

  // The portal: the manager has a tab for the organisation, listing its tickets (theirs among them).
  const context = await browser.newContext();
  const portal = await context.newPage();
  await signInThroughThePage(portal, org.slug, buyer.email);
  await expect(portal.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  const tabs = portal.getByRole('navigation', { name: 'Tickets shown' });
  await expect(tabs.getByRole('link', { name: 'Opened by me' })).toHaveAttribute('aria-current', 'page');
  await tabs.getByRole('link', { name: 'Acme Industries' }).click();
  await expect(tabs.getByRole('link', { name: 'Acme Industries' })).toHaveAttribute('aria-current', 'page');
  await expect(portal.getByText('As a manager of Acme Industries, you see all of its tickets.')).toBeVisible();
  await expect(portal.getByRole('link', { name: /Commande bloquée en douane/ })).toBeVisible();
  await expectAccessible(portal, 'the portal’s tab of a customer organisation');
  await context.close();
});
