// Rules: an admin opens Settings > Rules (none at first) and adds one from the keyboard only, its
// pickers typed by what they hold (a condition on the subject; actions setting the priority,
// adding a tag, moving the ticket to a team and setting a dropdown field to one of its options).
// A second rule's name taken (whatever the case) is refused beside the name, then a condition on
// a ticket field deleted meanwhile is refused by the server beside that condition's field, with
// a summary at the form's end; removed from the keyboard, the rule is added. A third, run by the
// time, is added. The second is moved up from the keyboard (focus following it), the first
// dragged back above it, each move one change of its position; the second is switched off. The
// API holds what the page shows. The first rule tried on an existing ticket says what it would
// change and that nothing was changed (and the ticket is as it was); a ticket a customer then
// opens is changed by it: its history names the rule, and the rule's log of runs names the
// ticket, linked, with what the rule did. The third is deleted after a confirmation in place.
// In English, then in French.
import { expect, test, type Page } from '@playwright/test';
import { app, customer, expectAccessible, expectCall, login, openHistory, openSettings, organisation, screenshot, signInThroughThePage, staff, tenantUrl, type Org, type Person } from './platform';

type Rule = {
  id: string;
  name: string;
  enabled: boolean;
  position: number;
  trigger: unknown;
  conditions: { all: unknown[]; any: unknown[] };
  actions: unknown[];
};

// Access tokens may be short in these runs: a call made late in a test signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

/** The names of the rules as the page lists them, in order. */
const listed = (page: Page) => page.locator('.rule-list > li strong');

async function rulesOf(org: Org, admin: Person): Promise<Rule[]> {
  return (await expectCall(app(org.slug, 'GET', '/v1/rules', await as(org, admin)), 200)) as unknown as Rule[];
}

test('rules: an admin writes, orders and tries rules, and a rule changes a new ticket', async ({ page }) => {
  test.setTimeout(240_000);
  const org = await organisation('rules');
  const [admin, buyer] = await Promise.all([staff(org, 'admin', 'Nadia', 'Roux'), customer(org, 'Léa', 'Martin')]);
  const billing = await expectCall(app(org.slug, 'POST', '/v1/teams', admin.token, { name: 'Billing', assignment: 'manual', member_ids: [] }), 201);
  await expectCall(
    app(org.slug, 'POST', '/v1/fields', admin.token, {
      key: 'product',
      label: { en: 'Product', fr: 'Produit' },
      type: 'dropdown',
      options: [
        { value: 'phone', label: { en: 'Phone', fr: 'Téléphone' } },
        { value: 'tablet', label: { en: 'Tablet', fr: 'Tablette' } },
      ],
    }),
    201,
  );
  await expectCall(app(org.slug, 'POST', '/v1/fields', admin.token, { key: 'legacy_code', label: { en: 'Legacy code' }, type: 'text' }), 201);
  // A ticket from before any rule, to try them on.
  const earlier = await expectCall(app(org.slug, 'POST', '/v1/tickets', buyer.token, { subject: 'Invoice paid twice', description: 'I was charged twice for my invoice.' }), 201);

  await signInThroughThePage(page, org.slug, admin.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await openSettings(page, 'Rules');
  await expect(page.getByRole('heading', { name: 'Rules', level: 1 })).toBeVisible();
  const section = page.getByRole('region', { name: 'The organisation’s rules' });
  await expect(section).toContainText('No rules yet: nothing happens to tickets by itself.');
  await expectAccessible(page, 'the rules page');

  // From the keyboard only: the name, then a condition and the actions, each picker offering
  // what its field takes.
  await section.getByRole('button', { name: 'Add a rule' }).focus();
  await page.keyboard.press('Enter');
  const form = section.locator('form.rule-form');
  await expect(form.getByLabel('Name of the rule')).toBeFocused();
  await page.keyboard.type('Route billing');
  await page.keyboard.press('Tab');
  await expect(form.getByRole('checkbox', { name: 'Enabled' })).toBeFocused();
  await expect(form.getByRole('checkbox', { name: 'Enabled' })).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(form.getByLabel('Runs')).toBeFocused();
  await expect(form.getByLabel('Runs')).toHaveValue('ticket.created');
  await page.keyboard.press('Tab');
  await expect(form.getByRole('button', { name: 'Add a condition to “All of these”' })).toBeFocused();
  await page.keyboard.press('Enter');
  const subject = form.getByRole('group', { name: 'All: condition 1' });
  await expect(subject.getByLabel('Field')).toBeFocused();
  // The message's fields are for rules run when a message is added only.
  await expect(subject.getByLabel('Field').locator('option', { hasText: 'Message text' })).toHaveCount(0);
  await expect(subject.getByLabel('Field').locator('option', { hasText: 'Product (ticket field)' })).toHaveCount(1);
  await page.keyboard.type('Subject');
  await expect(subject.getByLabel('Field')).toHaveValue('subject');
  await page.keyboard.press('Tab');
  await expect(subject.getByLabel('Operator')).toBeFocused();
  await expect(subject.getByLabel('Operator').locator('option')).toHaveText(['is', 'is not', 'is one of', 'is none of', 'contains', 'does not contain', 'is not set', 'is set']);
  await page.keyboard.type('contains');
  await expect(subject.getByLabel('Operator')).toHaveValue('contains');
  await page.keyboard.press('Tab');
  await expect(subject.getByLabel('Value')).toBeFocused();
  await page.keyboard.type('invoice');
  // The first action is there already: the priority, urgent.
  const first = form.getByRole('group', { name: 'Action 1' });
  await expect(first.getByLabel('Action', { exact: true })).toHaveValue('set_priority');
  await expect(first.getByLabel('Priority')).toHaveValue('urgent');
  await form.getByRole('button', { name: 'Add an action' }).focus();
  await page.keyboard.press('Enter');
  const tags = form.getByRole('group', { name: 'Action 2' });
  await expect(tags.getByLabel('Action', { exact: true })).toBeFocused();
  await page.keyboard.type('Add tags');
  await expect(tags.getByLabel('Action', { exact: true })).toHaveValue('add_tags');
  await page.keyboard.press('Tab');
  await expect(tags.getByLabel('Tags')).toBeFocused();
  await page.keyboard.type('Billing');
  await form.getByRole('button', { name: 'Add an action' }).focus();
  await page.keyboard.press('Enter');
  const team = form.getByRole('group', { name: 'Action 3' });
  await expect(team.getByLabel('Action', { exact: true })).toBeFocused();
  await page.keyboard.type('Move to a team');
  await page.keyboard.press('Tab');
  await expect(team.getByLabel('Team')).toBeFocused();
  await expect(team.getByLabel('Team').locator('option')).toHaveText(['No team', 'Billing']);
  await page.keyboard.type('Billing');
  await expect(team.getByLabel('Team')).toHaveValue(billing.id as string);
  await form.getByRole('button', { name: 'Add an action' }).focus();
  await page.keyboard.press('Enter');
  const product = form.getByRole('group', { name: 'Action 4' });
  await page.keyboard.type('Set a ticket field');
  await page.keyboard.press('Tab');
  await expect(product.getByLabel('Ticket field')).toBeFocused();
  await page.keyboard.type('Product');
  await page.keyboard.press('Tab');
  // The field's own control: its options.
  await expect(product.getByLabel('Product', { exact: true })).toBeFocused();
  await expect(product.getByLabel('Product', { exact: true }).locator('option')).toHaveText(['Not set', 'Phone', 'Tablet']);
  await page.keyboard.type('Phone');
  await form.getByRole('button', { name: 'Add the rule' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('The rule “Route billing” has been added, in position 1.')).toBeVisible();
  await expect(section.getByRole('button', { name: 'Add a rule' })).toBeFocused();
  const routing = section.getByRole('listitem', { name: 'Route billing' });
  await expect(routing.locator('.rule-trigger')).toHaveText('When a ticket is created');
  await expect(routing.locator('.rule-size')).toHaveText('1 condition, 4 actions');
  await expect(routing.getByRole('switch', { name: 'Enabled: Route billing' })).toHaveAttribute('aria-checked', 'true');

  // A second: its name taken whatever the case, beside the name; then a condition on a ticket
  // field deleted since the page was opened, refused by the server beside that field.
  await section.getByRole('button', { name: 'Add a rule' }).click();
  await form.getByLabel('Name of the rule').fill('route BILLING');
  await form.getByLabel('Runs').selectOption({ label: 'When a message is added' });
  await form.getByRole('button', { name: 'Add a condition to “All of these”' }).click();
  const sender = form.getByRole('group', { name: 'All: condition 1' });
  await sender.getByLabel('Field').selectOption({ label: 'Message written by' });
  await expect(sender.getByLabel('Operator').locator('option')).toHaveText(['is', 'is not', 'is one of', 'is none of']);
  await sender.getByLabel('Value').selectOption({ label: 'The customer' });
  await form.getByRole('button', { name: 'Add a condition to “At least one of these”' }).click();
  const vip = form.getByRole('group', { name: 'At least one: condition 1' });
  await vip.getByLabel('Field').selectOption({ label: 'VIP customer' });
  await expect(vip.getByLabel('Value').locator('option')).toHaveText(['Yes', 'No']);
  await form.getByRole('button', { name: 'Add a condition to “All of these”' }).click();
  const legacy = form.getByRole('group', { name: 'All: condition 2' });
  await legacy.getByLabel('Field').selectOption({ label: 'Legacy code (ticket field)' });
  await legacy.getByLabel('Operator').selectOption({ label: 'is one of' });
  await legacy.getByLabel('Values').fill('A1, B2');
  await form.getByRole('group', { name: 'Action 1' }).getByLabel('Priority').selectOption({ label: 'High' });
  await form.getByRole('button', { name: 'Add the rule' }).click();
  await expect(form.getByLabel('Name of the rule')).toHaveAccessibleDescription(/Another rule already has this name\./);
  await expect(form.getByLabel('Name of the rule')).toBeFocused();
  await form.getByLabel('Name of the rule').fill('VIP first');
  await expectCall(app(org.slug, 'DELETE', '/v1/fields/legacy_code', await as(org, admin)), 204);
  await form.getByRole('button', { name: 'Add the rule' }).click();
  const refused = legacy.getByLabel('Field');
  await expect(refused).toHaveAttribute('aria-invalid', 'true');
  await expect(refused).toHaveAccessibleDescription(/This field cannot be used here: choose another\./);
  await expect(refused).toBeFocused();
  await expect(form.getByRole('alert')).toHaveText('The rule has not been saved: 1 place to correct, marked above.');
  await expect(form.getByLabel('Name of the rule')).not.toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page, 'the rule form with a refusal of the server');
  // The refused condition removed from the keyboard: focus goes to the one before it.
  await legacy.getByRole('button', { name: 'Remove condition 2 of “All of these”' }).focus();
  await page.keyboard.press('Enter');
  await expect(form.getByRole('group', { name: 'All: condition 2' })).toHaveCount(0);
  await expect(sender.getByRole('button', { name: 'Remove condition 1 of “All of these”' })).toBeFocused();
  await form.getByRole('button', { name: 'Add the rule' }).click();
  await expect(page.getByText('The rule “VIP first” has been added, in position 2.')).toBeVisible();
  await expect(section.getByRole('listitem', { name: 'VIP first' }).locator('.rule-size')).toHaveText('2 conditions, 1 action');

  // A third, run by the time.
  await section.getByRole('button', { name: 'Add a rule' }).click();
  await form.getByLabel('Name of the rule').fill('Close quiet tickets');
  await form.getByLabel('Runs').selectOption({ label: 'Some time after something happened' });
  await form.getByLabel('After (minutes)').fill('2880');
  await expect(form.getByText('That is 2 days.')).toBeVisible();
  await form.getByLabel('Counted from when').selectOption({ label: 'the team last replied' });
  await form.getByRole('group', { name: 'Action 1' }).getByLabel('Action', { exact: true }).selectOption({ label: 'Set the status' });
  await form.getByRole('group', { name: 'Action 1' }).getByLabel('Status').selectOption({ label: 'Closed' });
  await form.getByRole('button', { name: 'Add the rule' }).click();
  await expect(page.getByText('The rule “Close quiet tickets” has been added, in position 3.')).toBeVisible();
  await expect(section.getByRole('listitem', { name: 'Close quiet tickets' }).locator('.rule-trigger')).toHaveText('2 days after the team last replied');
  await expect(page.getByText('3 rules, in the order they run.')).toBeVisible();

  // Moved up from the keyboard: one change of its position; focus stays with it.
  await section.getByRole('button', { name: 'Move up: VIP first' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('The rule “VIP first” is now in position 1.')).toBeVisible();
  await expect(listed(page)).toHaveText(['VIP first', 'Route billing', 'Close quiet tickets']);
  await expect(section.getByRole('button', { name: 'Move down: VIP first' })).toBeFocused();
  await expect(section.getByRole('button', { name: 'Move up: VIP first' })).toBeDisabled();
  expect((await rulesOf(org, admin)).map((r) => [r.name, r.position])).toEqual([
    ['VIP first', 1],
    ['Route billing', 2],
    ['Close quiet tickets', 3],
  ]);
  // Dragged back by its handle onto the first place (both rows in view: a scroll while the
  // button is held cancels a drag).
  const top = section.getByRole('listitem', { name: 'VIP first' });
  await top.scrollIntoViewIfNeeded();
  await section.getByRole('listitem', { name: 'Route billing' }).locator('.rule-grip').dragTo(top);
  await expect(page.getByText('The rule “Route billing” is now in position 1.')).toBeVisible();
  await expect(listed(page)).toHaveText(['Route billing', 'VIP first', 'Close quiet tickets']);
  expect((await rulesOf(org, admin)).map((r) => [r.name, r.position])).toEqual([
    ['Route billing', 1],
    ['VIP first', 2],
    ['Close quiet tickets', 3],
  ]);

  // Switched off from the keyboard.
  const vipSwitch = section.getByRole('switch', { name: 'Enabled: VIP first' });
  await vipSwitch.focus();
  await page.keyboard.press('Space');
  await expect(vipSwitch).toHaveAttribute('aria-checked', 'false');
  await expect(vipSwitch).toBeFocused();
  await expect(page.getByText('The rule “VIP first” is disabled: it does nothing until it is enabled again.')).toBeVisible();
  await expect(section.getByRole('listitem', { name: 'VIP first' })).toContainText('Disabled');

  // The API holds what the page shows.
  const held = await rulesOf(org, admin);
  expect(held.map((r) => [r.name, r.enabled])).toEqual([
    ['Route billing', true],
    ['VIP first', false],
    ['Close quiet tickets', true],
  ]);
  expect(held[0]).toMatchObject({
    trigger: 'ticket.created',
    conditions: { all: [{ field: 'subject', op: 'contains', value: 'invoice' }], any: [] },
    actions: [
      { type: 'set_priority', value: 'urgent' },
      { type: 'add_tags', value: ['billing'] },
      { type: 'set_team', value: billing.id },
      { type: 'set_field', key: 'product', value: 'phone' },
    ],
  });
  expect(held[1]).toMatchObject({
    trigger: 'message.added',
    conditions: { all: [{ field: 'message.sender_type', op: 'is', value: 'customer' }], any: [{ field: 'customer.vip', op: 'is', value: true }] },
    actions: [{ type: 'set_priority', value: 'high' }],
  });
  expect(held[2]).toMatchObject({ trigger: { after_minutes: 2880, since: 'last_staff_reply' }, actions: [{ type: 'set_status', value: 'closed' }] });

  // Tried on the earlier ticket: what it would change, and nothing changed.
  await routing.getByRole('button', { name: 'Try on a ticket: Route billing' }).click();
  const number = routing.getByLabel('Ticket number');
  await expect(number).toBeFocused();
  await page.keyboard.type('TKT-00000000');
  await page.keyboard.press('Enter');
  await expect(number).toHaveAccessibleDescription(/No ticket has the number TKT-00000000\./);
  await number.fill((earlier.ticket_number as string).toLowerCase());
  await routing.getByRole('button', { name: 'Try', exact: true }).click();
  const outcome = routing.getByRole('status');
  await expect(outcome).toContainText(`${earlier.ticket_number as string}: the conditions hold. The rule would make these changes:`);
  await expect(outcome.getByRole('listitem')).toContainText(['Priority: from Medium to Urgent', 'Tag added: “billing”.', 'Team: from No team to Billing', 'Product: from Not set to Phone']);
  await expect(outcome).toContainText('Nothing has been changed: this was only a try.');
  const untouched = await expectCall(app(org.slug, 'GET', `/v1/tickets/${earlier.id as number}`, await as(org, admin)), 200);
  expect([untouched.priority, untouched.tags, untouched.team_id ?? null]).toEqual(['medium', [], null]);

  // A ticket a customer opens now is changed by the rule.
  const opened = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Where is my invoice?', description: 'I cannot find the invoice for my order.' }), 201);
  const ticket = opened.id as number;
  await expect
    .poll(async () => {
      const now = await expectCall(app(org.slug, 'GET', `/v1/tickets/${ticket}`, await as(org, admin)), 200);
      return [now.priority, now.tags, now.team_id];
    }, { timeout: 30_000 })
    .toEqual(['urgent', ['billing'], billing.id]);

  // Its log names the ticket, linked, with what it did.
  await routing.getByRole('button', { name: 'Last runs: Route billing' }).click();
  await expect(routing.getByRole('button', { name: 'Last runs: Route billing' })).toHaveAttribute('aria-expanded', 'true');
  const runs = routing.getByRole('table', { name: 'Runs of Route billing, newest first' });
  const run = runs.getByRole('row', { name: new RegExp(opened.ticket_number as string) });
  await expect(run).toContainText('Ticket created');
  await expect(run).toContainText('Direct');
  await expect(run).toContainText('Priority: from Medium to Urgent');
  await expect(run).toContainText('Tag added: “billing”.');
  await expect(run.getByRole('link', { name: opened.ticket_number as string })).toHaveAttribute('href', `/tickets/${ticket}`);
  await expectAccessible(page, 'the rules, one tried and its runs');
  await screenshot(page, 'admin-rules-en');

  // Its history names the rule.
  await run.getByRole('link', { name: opened.ticket_number as string }).click();
  await expect(page.getByRole('heading', { name: 'Where is my invoice?', level: 1 })).toBeVisible();
  const history = await openHistory(page);
  await expect(history).toContainText('Rule “Route billing” changed the priority from “Medium” to “Urgent”.');
  await expectAccessible(page, 'a ticket a rule changed');

  // The third deleted after a confirmation in place: focus goes to the row before it.
  await openSettings(page, 'Rules');
  const quiet = section.getByRole('listitem', { name: 'Close quiet tickets' });
  await quiet.getByRole('button', { name: 'Delete Close quiet tickets' }).click();
  await expect(quiet.getByRole('button', { name: 'Yes, delete Close quiet tickets' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByText('The rule “Close quiet tickets” has been deleted.')).toBeVisible();
  await expect(listed(page)).toHaveText(['Route billing', 'VIP first']);
  await expect(section.getByRole('button', { name: 'Edit VIP first' })).toBeFocused();
  expect((await rulesOf(org, admin)).map((r) => r.name)).toEqual(['Route billing', 'VIP first']);

  // In French.
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Règles', level: 1 })).toBeVisible();
  const sectionFr = page.getByRole('region', { name: 'Les règles de l’organisation' });
  const routingFr = sectionFr.getByRole('listitem', { name: 'Route billing' });
  await expect(routingFr.locator('.rule-trigger')).toHaveText('Quand un ticket est créé');
  await expect(routingFr.locator('.rule-size')).toHaveText('1 condition, 4 actions');
  await expect(sectionFr.getByRole('switch', { name: 'Activée : VIP first' })).toHaveAttribute('aria-checked', 'false');
  await expect(sectionFr.getByRole('button', { name: 'Monter : VIP first' })).toBeVisible();
  await routingFr.getByRole('button', { name: 'Essayer sur un ticket : Route billing' }).click();
  await routingFr.getByLabel('Numéro du ticket').fill(earlier.ticket_number as string);
  await routingFr.getByRole('button', { name: 'Essayer', exact: true }).click();
  await expect(routingFr.getByRole('status')).toContainText('Priorité : de Moyenne à Urgente');
  await expect(routingFr.getByRole('status')).toContainText('Rien n’a été modifié : ce n’était qu’un essai.');
  const vipFr = sectionFr.getByRole('listitem', { name: 'VIP first' });
  await vipFr.getByRole('button', { name: 'Modifier VIP first' }).click();
  await expect(vipFr.getByLabel('Nom de la règle')).toBeFocused();
  await expect(vipFr.getByRole('group', { name: 'Toutes : condition 1' }).getByLabel('Champ')).toHaveValue('message.sender_type');
  await expect(vipFr.getByRole('group', { name: 'Au moins une : condition 1' }).getByLabel('Valeur')).toHaveValue('true');
  await vipFr.getByLabel('Nom de la règle').fill('ROUTE billing');
  await vipFr.getByRole('button', { name: 'Enregistrer les modifications' }).click();
  await expect(vipFr.getByLabel('Nom de la règle')).toHaveAccessibleDescription(/Une autre règle porte déjà ce nom\./);
  await expectAccessible(page, 'les règles');
  await vipFr.getByRole('button', { name: 'Annuler' }).click();
  await expect(vipFr.getByRole('button', { name: 'Modifier VIP first' })).toBeFocused();
  await screenshot(page, 'admin-rules-fr');
  await page.goto(`${tenantUrl(org.slug)}/tickets/${ticket}`);
  await expect(await openHistory(page, 'Historique')).toContainText('Règle « Route billing » a changé la priorité de « Moyenne » à « Urgente ».');
});
