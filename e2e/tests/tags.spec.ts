// Tags on tickets: an agent adds tags to a ticket from its properties panel with the keyboard
// alone (the tags in use suggested), takes one off with its button (the focus going to the tag
// left), and is told beside the field, which keeps the focus, when what was typed is not a tag;
// the API holds what the page shows, the history says what changed, and the queue filters by a
// tag kept in its address, its rows showing theirs. Customers are shown none. In English, then in
// French.
import { expect, test, type Page } from '@playwright/test';
import { app, customer, expectAccessible, expectCall, login, openHistory, organisation, screenshot, signInThroughThePage, staff, tenantUrl, type Org, type Person } from './platform';

// Access tokens may be short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

/** The ticket's Tags property, in the panel beside the thread. */
const tagsProperty = (page: Page, names = { panel: 'Ticket properties', tags: 'Tags' }) =>
  page.getByRole('region', { name: names.panel }).getByRole('region', { name: names.tags, exact: true });

test('tags: an agent tags a ticket from the keyboard, takes a tag off, and filters the queue by one', async ({ page }) => {
  test.setTimeout(150_000);
  const org = await organisation('tags');
  const [agent, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), customer(org, 'Léa', 'Martin')]);
  // One ticket opened by the agent for the customer, already tagged; one by the customer.
  const refund = await expectCall(
    app(org.slug, 'POST', '/v1/tickets', await as(org, agent), { subject: 'Remboursement non reçu', description: 'J’attends toujours mon remboursement.', user_id: buyer.id, tags: ['refund'] }),
    201,
  );
  const parcel = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Colis en retard', description: 'Mon colis n’est pas arrivé.' }), 201);
  expect(refund.tags).toEqual(['refund']);
  expect(parcel.tags).toEqual([]);
  // The customer is shown no tags, and may not list them.
  expect((await expectCall(app(org.slug, 'GET', `/v1/tickets/${refund.id as number}`, await as(org, buyer)), 200)).tags).toEqual([]);
  await expectCall(app(org.slug, 'GET', '/v1/tags', await as(org, buyer)), 403);

  await signInThroughThePage(page, org.slug, agent.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();

  // The customer's ticket has no tags yet; the field suggests the tags in use.
  await page.goto(`${tenantUrl(org.slug)}/tickets/${parcel.id as number}`);
  await expect(page.getByRole('heading', { name: 'Colis en retard', level: 1 })).toBeVisible();
  const tags = tagsProperty(page);
  await expect(tags).toContainText('No tags yet.');
  const field = tags.getByLabel('Add a tag');
  await expect(field).toHaveAccessibleDescription(/Press Enter to add it\./);
  await field.focus();
  await expect(tags.locator('datalist option[value="refund"]')).toBeAttached();

  // Two tags added with the keyboard alone: typed, then Enter. The server lower-cases them.
  await page.keyboard.type('Carrier-Late');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Tag “carrier-late” added.')).toBeVisible();
  await expect(tags.getByRole('listitem')).toHaveText(['carrier-late']);
  await expect(field).toHaveValue('');
  await expect(field).toBeFocused();
  await page.keyboard.type('urgent');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Tag “urgent” added.')).toBeVisible();
  await expect(tags.getByRole('listitem')).toHaveText(['carrier-late', 'urgent']);
  await expect(field).toBeFocused();

  // What is not a tag is refused beside the field, which keeps the text and the focus.
  await page.keyboard.type('two words');
  await page.keyboard.press('Enter');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(tags.getByText('“two words” is not a tag')).toBeVisible();
  await expect(field).toHaveAccessibleDescription(/“two words” is not a tag/);
  await expect(field).toHaveValue('two words');
  await expect(field).toBeFocused();
  await expect(tags.getByRole('listitem')).toHaveText(['carrier-late', 'urgent']);

  // One taken off with its button: the focus goes to the tag left.
  await tags.getByRole('button', { name: 'Remove tag urgent' }).click();
  await expect(page.getByText('Tag “urgent” removed.')).toBeVisible();
  await expect(tags.getByRole('listitem')).toHaveText(['carrier-late']);
  await expect(tags.getByRole('button', { name: 'Remove tag carrier-late' })).toBeFocused();

  // The API holds what the page shows; the history says what changed.
  const held = await expectCall(app(org.slug, 'GET', `/v1/tickets/${parcel.id as number}`, await as(org, agent)), 200);
  expect(held.tags).toEqual(['carrier-late']);
  const history = await openHistory(page);
  await expect(history).toContainText('added the tag “carrier-late”.', { timeout: 30_000 });
  await expect(history).toContainText('removed the tag “urgent”.', { timeout: 30_000 });
  await expectAccessible(page, 'a ticket with its tags');
  await screenshot(page, 'ticket-tags-en');
  const inUse = await expectCall(app(org.slug, 'GET', '/v1/tags?q=c', await as(org, agent)), 200);
  expect(inUse).toEqual([{ name: 'carrier-late', count: 1 }]);

  // The queue of unassigned tickets, filtered by a tag: only the ticket holding it, which shows
  // its tags; the filter is in the address and stays there.
  await page.goto(`${tenantUrl(org.slug)}/?view=unassigned`);
  await expect(page.getByRole('heading', { name: 'Unassigned tickets', level: 1 })).toBeVisible();
  const queue = page.getByRole('list', { name: 'Tickets in this queue' });
  await expect(queue.getByRole('link')).toHaveCount(2);
  await expect(queue.getByRole('listitem').filter({ hasText: 'Colis en retard' })).toContainText('Tags: carrier-late');
  const filter = page.getByLabel('Tag', { exact: true });
  await filter.focus();
  await page.keyboard.type('Refund');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/[?&]tag=refund(&|$)/);
  await expect(queue.getByRole('link')).toHaveCount(1);
  await expect(queue.getByRole('link', { name: /Remboursement non reçu/ })).toBeVisible();
  await expect(queue).toContainText('Tags: refund');
  await page.reload();
  await expect(filter).toHaveValue('refund');
  await expect(queue.getByRole('link')).toHaveCount(1);
  await expectAccessible(page, 'the queue filtered by a tag');

  // In French: the filter, the row, and the ticket's tags and history.
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByLabel('Étiquette', { exact: true })).toHaveValue('refund');
  await expect(page.getByRole('list', { name: 'Tickets de cette file' })).toContainText('Étiquettes : refund');
  await screenshot(page, 'queue-tags-fr');
  await page.goto(`${tenantUrl(org.slug)}/tickets/${parcel.id as number}`);
  await expect(page.getByRole('heading', { name: 'Colis en retard', level: 1 })).toBeVisible();
  const étiquettes = tagsProperty(page, { panel: 'Propriétés du ticket', tags: 'Étiquettes' });
  await expect(étiquettes.getByRole('button', { name: 'Retirer l’étiquette carrier-late' })).toBeVisible();
  await expect(étiquettes.getByLabel('Ajouter une étiquette')).toBeVisible();
  await expect(await openHistory(page, 'Historique')).toContainText('a ajouté l’étiquette « carrier-late ».');
  await expectAccessible(page, 'un ticket avec ses étiquettes');
});
