// Macros: an admin makes them on the console's Macros page (the placeholders shown as help, the
// form's own checks, tags to add, one changed and one deleted in place); an agent takes one into
// the composer from the keyboard (m, then typing to filter, then Enter): its filled text in the
// text box and its changes listed under it, nothing written yet; the agent edits the text,
// removes the tags and sends, and the ticket shows the edited reply, the new status and the new
// priority, without the tags. A macro whose status move the ticket refuses is said in the picker.
import { expect, test, type Page } from '@playwright/test';
import { type Org, type Person, app, customer, expectAccessible, expectCall, login, openSettings, organisation, screenshot, signInThroughThePage, staff, tenantUrl } from './platform';

// Access tokens are short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person | { email: string }) => login(org.slug, who.email);

async function openMacros(page: Page) {
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await openSettings(page, 'Macros');
  await expect(page.getByRole('heading', { name: 'Macros', level: 1 })).toBeVisible();
}

test('macros: an admin makes one, an agent reviews it in the composer with the keyboard and sends it; the reply, status and priority show', async ({ page, browser }) => {
  const org = await organisation('macros');
  const [admin, agent, buyer] = await Promise.all([
    staff(org, 'admin', 'Nadia', 'Roux'),
    staff(org, 'agent', 'Inès', 'Moreau'),
    customer(org, 'Léa', 'Martin'),
  ]);
  const ticket = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Bec de théière fendu', description: 'Arrivée abîmée.' }), 201);
  const id = ticket.id as number;
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/assign`, await as(org, agent), { assigned_to: agent.id }), 200);
  const started = await app(org.slug, 'POST', `/v1/tickets/${id}/status`, await as(org, agent), { status: 'in_progress' });
  expect([200, 409]).toContain(started.status);

  // The admin's page.
  await signInThroughThePage(page, org.slug, admin.email);
  await openMacros(page);
  await expect(page.getByText('No macros yet.')).toBeVisible();
  const form = page.locator('form.macro-form').first();
  await expect(form).toContainText('{{customer.firstname}} the customer’s first name');
  await expect(form).toContainText('{{ticket.number}}');
  await expect(form).toContainText('{{agent.firstname}}');
  await expectAccessible(page, 'the macros page');

  // Nothing given, then an unknown placeholder: said before anything is sent.
  await form.getByRole('button', { name: 'Create macro' }).click();
  await expect(form.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('alert')).toContainText('This macro does nothing yet');
  await form.getByLabel('Name', { exact: true }).fill('Demander une photo');
  await form.getByLabel('Message (optional)').fill('Bonjour {{client}}');
  await form.getByRole('button', { name: 'Create macro' }).click();
  await expect(form.getByText('Unknown placeholder: {{client}}.')).toBeVisible();

  await form
    .getByLabel('Message (optional)')
    .fill('Bonjour {{customer.firstname}}, pouvez-vous nous envoyer une photo du bec ? Ticket {{ticket.number}}. {{agent.firstname}}');
  await form.getByLabel('Status').selectOption({ label: 'Waiting for customer' });
  await form.getByLabel('Priority').selectOption({ label: 'High' });
  await form.getByLabel('Assignment').selectOption({ label: 'The agent applying the macro' });
  // Tags as typed, checked as the server checks them.
  await form.getByLabel('Tags to add (optional)').fill('Relance, photo vip!');
  await form.getByRole('button', { name: 'Create macro' }).click();
  await expect(form.getByText('Not a tag: vip!.')).toBeVisible();
  await form.getByLabel('Tags to add (optional)').fill('Relance, photo');
  await form.getByRole('button', { name: 'Create macro' }).click();
  await expect(page.getByText('The macro “Demander une photo” has been created.')).toBeVisible();
  const photo = page.getByRole('listitem', { name: 'Demander une photo' });
  await expect(photo).toContainText('Replies: “Bonjour {{customer.firstname}}, pouvez-vous');
  await expect(photo).toContainText('Sets the status to “Waiting for customer”');
  await expect(photo).toContainText('Sets the priority to “High”');
  await expect(photo).toContainText('Gives the ticket to the agent applying it');
  await expect(photo).toContainText('Adds the tags “photo”, “relance”');
  // The form is empty again for the next one.
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('');

  // A second one, changed in place: closing, which staff cannot do to a ticket in progress.
  await form.getByLabel('Name', { exact: true }).fill('Doublon');
  await form.getByLabel('Status').selectOption({ label: 'Resolved' });
  await form.getByRole('button', { name: 'Create macro' }).click();
  const duplicate = page.getByRole('listitem', { name: 'Doublon' });
  await duplicate.getByRole('button', { name: 'Edit Doublon' }).click();
  await duplicate.getByLabel('Name', { exact: true }).fill('Clore comme doublon');
  await duplicate.getByLabel('Status').selectOption({ label: 'Closed' });
  await duplicate.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('The macro “Clore comme doublon” has been saved.')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Clore comme doublon' })).toContainText('Sets the status to “Closed”');
  // The same name twice is refused beside the field.
  await form.getByLabel('Name', { exact: true }).fill('Clore comme doublon');
  await form.getByLabel('Priority').selectOption({ label: 'Low' });
  await form.getByRole('button', { name: 'Create macro' }).click();
  await expect(form.getByText('Another macro already has this name.')).toBeVisible();

  // A third one, deleted after a confirmation.
  await form.getByLabel('Name', { exact: true }).fill('À supprimer');
  await form.getByRole('button', { name: 'Create macro' }).click();
  await expect(page.getByRole('listitem', { name: 'À supprimer' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete À supprimer' }).click();
  await page.getByRole('button', { name: 'Yes, delete À supprimer' }).click();
  await expect(page.getByText('The macro “À supprimer” has been deleted.')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'À supprimer' })).toHaveCount(0);
  await expect(page.getByText('2 macros, by name.')).toBeVisible();
  await expectAccessible(page, 'the macros page with two macros');
  const listed = await expectCall(app(org.slug, 'GET', '/v1/macros', await as(org, agent)), 200);
  expect((listed.data as { name: string }[]).map((m) => m.name)).toEqual(['Clore comme doublon', 'Demander une photo']);

  // The agent, on the ticket: no Macros page, but the picker.
  const context = await browser.newContext();
  const desk = await context.newPage();
  await signInThroughThePage(desk, org.slug, agent.email);
  await expect(desk.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(desk.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Quarantine' })).toBeVisible();
  await expect(desk.getByRole('link', { name: 'Macros', exact: true })).toHaveCount(0);
  await desk.goto(`${tenantUrl(org.slug)}/tickets/${id}`);
  await expect(desk.getByRole('heading', { name: 'Bec de théière fendu', level: 1 })).toBeVisible();
  await expect(desk.getByText('Current status: In progress')).toBeVisible();

  // Ctrl+Shift+M opens it from the reply box; Escape closes it and the draft stays.
  await desk.getByLabel('Your reply to the customer').fill('Brouillon');
  await desk.keyboard.press('Control+Shift+M');
  const picker = desk.getByRole('dialog', { name: 'Apply a macro' });
  await expect(picker).toBeVisible();
  await desk.keyboard.press('Escape');
  await expect(picker).toBeHidden();
  await expect(desk.getByLabel('Your reply to the customer')).toHaveValue('Brouillon');

  // m outside a field; typing filters; Enter takes it. First the one the ticket refuses.
  await desk.locator('body').click({ position: { x: 2, y: 2 } });
  await desk.keyboard.press('m');
  await expect(picker).toBeVisible();
  const filter = picker.getByRole('combobox', { name: 'Find a macro' });
  await expect(filter).toBeFocused();
  await expect(picker.getByRole('option')).toHaveCount(2);
  await desk.keyboard.type('doub');
  await expect(picker.getByRole('option')).toHaveCount(1);
  await expect(picker.getByRole('option', { name: /Clore comme doublon/ })).toHaveAttribute('aria-selected', 'true');
  await desk.keyboard.press('Enter');
  await expect(picker.getByRole('alert')).toContainText(
    '“Clore comme doublon” was not applied, nothing changed: a ticket that is “In progress” cannot move to “Closed”.',
  );
  await expect(desk.getByText('Current status: In progress')).toBeVisible();

  // Then the photo request, found by a word of its message.
  await filter.fill('');
  await desk.keyboard.type('photo');
  await expect(picker.getByRole('option')).toHaveCount(1);
  await expect(picker.getByRole('option', { name: /Demander une photo/ })).toContainText('Sets the status to “Waiting for customer”');
  await expectAccessible(desk, 'the macro picker');
  await screenshot(desk, 'console-macro-picker-en');
  const before = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}/messages`, await as(org, agent)), 200);
  await desk.keyboard.press('Enter');
  await expect(picker).toBeHidden();

  // In the composer: the filled text after the draft, the changes listed, nothing written yet.
  const box = desk.getByLabel('Your reply to the customer');
  const filled = `Bonjour Léa, pouvez-vous nous envoyer une photo du bec ? Ticket ${ticket.ticket_number as string}. Inès`;
  await expect(box).toHaveValue(`Brouillon\n\n${filled}`);
  await expect(box).toBeFocused();
  const pending = desk.getByRole('group', { name: 'With this reply, the macro “Demander une photo”:' });
  await expect(pending.getByRole('listitem')).toHaveText([
    /Sets the status to “Waiting for customer”/,
    /Sets the priority to “High”/,
    /Adds the tags “photo”, “relance”/,
  ]);
  await expect(desk.getByRole('radio', { name: 'Internal note' })).toBeDisabled();
  await expect(desk.getByRole('button', { name: 'Send and wait for the customer' })).toHaveCount(0);
  const untouched = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}`, await as(org, agent)), 200);
  expect([untouched.status, untouched.tags]).toEqual(['in_progress', []]);
  const unchanged = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}/messages`, await as(org, agent)), 200);
  expect(unchanged.data).toEqual(before.data);
  await expectAccessible(desk, 'the composer with a macro pending');

  // The keyboard all the way: the text rewritten, the tags removed, then Send.
  await desk.keyboard.press('Control+A');
  await desk.keyboard.type('Bonjour Léa, une photo du bec fendu nous aiderait beaucoup. Inès');
  await desk.keyboard.press('Tab');
  await expect(pending.getByRole('button', { name: 'Remove the status change' })).toBeFocused();
  await desk.keyboard.press('Tab');
  await desk.keyboard.press('Tab');
  await expect(pending.getByRole('button', { name: 'Remove the tags' })).toBeFocused();
  await desk.keyboard.press('Enter');
  await expect(pending.getByRole('listitem')).toHaveCount(2);
  await expect(pending).not.toContainText('Adds the tags');
  await expect(pending.getByRole('button', { name: 'Remove the status change' })).toBeFocused();
  await desk.keyboard.press('Tab');
  await desk.keyboard.press('Tab');
  await expect(pending.getByRole('button', { name: 'Remove macro' })).toBeFocused();
  await desk.keyboard.press('Tab');
  await expect(desk.getByRole('button', { name: 'Send reply' })).toBeFocused();
  await desk.keyboard.press('Enter');

  await expect(desk.getByRole('status').filter({ hasText: 'Sent with the macro “Demander une photo”.' })).toBeVisible();
  const reply = desk.getByRole('article', { name: /^Reply by You/ });
  await expect(reply).toContainText('Bonjour Léa, une photo du bec fendu nous aiderait beaucoup. Inès');
  await expect(desk.getByText('Current status: Waiting for customer')).toBeVisible();
  await expect(desk.getByText('Priority: High').first()).toBeVisible();
  await expect(desk.getByText('You have this ticket.')).toBeVisible();
  await expect(box).toHaveValue('');
  await expect(pending).toHaveCount(0);
  await expect(desk.getByRole('radio', { name: 'Internal note' })).toBeEnabled();

  const after = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}`, await as(org, buyer)), 200);
  expect([after.status, after.priority, after.tags]).toEqual(['waiting_customer', 'high', []]);
  const thread = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}/messages`, await as(org, buyer)), 200);
  const sent = JSON.stringify(thread.data);
  expect(sent).toContain('une photo du bec fendu nous aiderait beaucoup');
  expect(sent).not.toContain('pouvez-vous nous envoyer');
  await context.close();
});
