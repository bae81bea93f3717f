// The staff console: an agent takes a ticket from the unassigned queue, answers it publicly and
// with an internal note, waits for the customer, sees the customer's answer arrive live, and
// resolves it; only the transitions the state machine gives staff are offered. An agent sees who
// a ticket is from (a VIP said so) and hands it to a colleague. And a member of one organisation
// is nobody on another's host.
import { expect, test, type Page } from '@playwright/test';
import {
  type Org,
  type Person,
  app,
  customer,
  expectAccessible,
  expectCall,
  login,
  organisation,
  screenshot,
  signInThroughThePage,
  signOut,
  staff,
  tenantUrl,
} from './platform';

// Access tokens may be short in these runs: a call made late in a test signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

// A 1x1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/** The status buttons the ticket page offers, by name. */
async function offeredMoves(page: Page): Promise<string[]> {
  const panel = page.getByRole('region', { name: 'Status' });
  return (await panel.getByRole('button').allInnerTexts()).map((s) => s.trim()).sort();
}

test('console: an agent takes, answers, waits for the customer, sees the answer live, and resolves', async ({ page }) => {
  const org = await organisation('console');
  const [agent, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), customer(org, 'Léa', 'Martin')]);
  const ticket = await expectCall(
    app(org.slug, 'POST', '/v1/tickets', buyer.token, { subject: 'Théière arrivée cassée', description: 'Le bec est fendu.', category: 'delivery' }),
    201,
  );
  const id = ticket.id as number;

  await signInThroughThePage(page, org.slug, agent.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await expect(page.getByText('No ticket assigned to you matches these filters.')).toBeVisible();
  await expectAccessible(page, 'the queue, my tickets, empty');

  // The unassigned queue, with the ticket's SLA badge.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Unassigned' }).click();
  const row = page.getByRole('link', { name: /Théière arrivée cassée/ });
  await expect(row).toBeVisible();
  await expect(page.getByText(/First reply due in/)).toBeVisible();
  await expectAccessible(page, 'the unassigned queue');
  await screenshot(page, 'console-queue-en');

  // Shortcuts: ? opens the help, j selects the first ticket, and keys typed in a field stay text.
  await page.getByLabel('Search tickets').fill('jk');
  await expect(page.getByLabel('Search tickets')).toHaveValue('jk');
  await expect(page.getByLabel('Search tickets')).toBeFocused();
  await page.getByLabel('Search tickets').fill('');
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expectAccessible(page, 'the keyboard help');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await page.keyboard.press('j');
  await expect(row).toBeFocused();
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`/tickets/${id}$`));
  await expect(page.getByRole('heading', { name: 'Théière arrivée cassée', level: 1 })).toBeVisible();

  // An open ticket: staff may start it or close it, nothing else.
  expect(await offeredMoves(page)).toEqual(['Close as invalid or duplicate', 'Start working on it']);
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await expect(page.getByText('You have this ticket.')).toBeVisible();
  await expect(page.getByText('Current status: In progress')).toBeVisible();
  expect(await offeredMoves(page)).toEqual(['Put back in the queue', 'Resolve', 'Wait for the customer']);

  // The priority, overridden.
  await page.getByRole('combobox', { name: 'Priority' }).selectOption('high');
  await page.getByRole('button', { name: 'Change priority' }).click();
  await expect(page.getByText('Priority: High').first()).toBeVisible();
  // The history is folded, and read once opened.
  await page.getByRole('region', { name: 'History' }).locator('summary').click();
  await expect(page.getByRole('region', { name: 'History' })).toContainText('changed the priority from “Medium” to “High”');

  // A public reply, with a file dropped in the composer.
  await page.getByLabel('Your reply to the customer').fill('Bonjour, pouvez-vous envoyer une photo du bec ?');
  // Dropped on the zone, then taken back; chosen with the file picker.
  const dropped = await page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['notes'], 'notes.txt', { type: 'text/plain' }));
    return transfer;
  });
  await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer: dropped });
  await page.getByRole('button', { name: 'Remove notes.txt' }).click();
  await expect(page.getByRole('button', { name: 'Remove notes.txt' })).toHaveCount(0);
  await page.getByLabel('Attach files').setInputFiles({ name: 'etiquette.png', mimeType: 'image/png', buffer: PNG });
  await expect(page.getByRole('button', { name: 'Remove etiquette.png' })).toBeVisible();
  await page.getByRole('button', { name: 'Send reply' }).click();
  await expect(page.getByRole('article', { name: /^Reply by You/ })).toContainText('pouvez-vous envoyer une photo');
  // The ticket's files, folded beside the thread until opened.
  await page.getByRole('region', { name: 'Files', exact: true }).getByRole('heading', { name: 'Files' }).click();
  await expect(page.getByRole('img', { name: 'Preview of etiquette.png' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download etiquette.png' }).first()).toBeVisible();

  // An internal note: said to be invisible to the customer, and it is.
  await page.getByRole('radio', { name: 'Internal note' }).check();
  await expect(page.getByText('Only staff will see this note: a customer can never see internal notes.')).toBeVisible();
  await page.getByLabel('Your note for the team').fill('Client fidèle : proposer un geste commercial.');
  await page.getByRole('button', { name: 'Add internal note' }).click();
  const note = page.getByRole('article', { name: /^Internal note by You/ });
  await expect(note).toContainText('geste commercial');
  await expect(note).toContainText('Only staff can see this note.');
  const seen = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}/messages`, await as(org, buyer)), 200);
  expect(JSON.stringify(seen)).not.toContain('geste commercial');

  // Waiting for the customer: staff can no longer move it.
  await page.getByRole('button', { name: 'Wait for the customer' }).click();
  await expect(page.getByText('Current status: Waiting for customer')).toBeVisible();
  expect(await offeredMoves(page)).toEqual([]);
  await expect(page.getByText('SLA paused').first()).toBeVisible();

  // The customer answers through the API while the agent is typing: the answer and the new
  // status show up within 5 seconds, without a reload, and the draft stays as it was.
  await page.getByRole('radio', { name: 'Public reply' }).check();
  await page.getByLabel('Your reply to the customer').fill('Brouillon en cours');
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, await as(org, buyer), { message: 'Voici la photo, le bec est bien fendu.' }), 201);
  await expect(page.getByRole('article', { name: /^Message from Léa Martin/ })).toContainText('le bec est bien fendu', { timeout: 5000 });
  await expect(page.getByText('Current status: In progress')).toBeVisible({ timeout: 5000 });
  await expect(page.getByRole('status').filter({ hasText: 'new message arrived' })).toBeVisible();
  expect(navigations).toEqual([]);
  await expect(page.getByLabel('Your reply to the customer')).toHaveValue('Brouillon en cours');
  await page.getByLabel('Your reply to the customer').fill('');

  // Resolving it; a resolved ticket moves on by the customer or the clock, or staff reopen it
  // with a reason: asked for beside the field, nothing sent without it.
  // The answer and the resolution go in one press: "Send and resolve".
  await page.getByLabel('Your reply to the customer').fill('Un bec neuf part demain, sans frais.');
  await page.getByRole('button', { name: 'Send and resolve' }).click();
  await expect(page.getByText('Reply sent; the ticket is now “Resolved”.')).toBeVisible();
  await expect(page.getByText('Current status: Resolved')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send and resolve' })).toHaveCount(0);
  const thread = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}/messages`, await as(org, buyer)), 200);
  expect(JSON.stringify(thread)).toContain('Un bec neuf part demain');
  expect(await offeredMoves(page)).toEqual(['Reopen']);
  const reopenReason = page.getByLabel('Reason (required to reopen)');
  await page.getByRole('button', { name: 'Reopen' }).click();
  await expect(reopenReason).toBeFocused();
  await expect(reopenReason).toHaveAttribute('aria-invalid', 'true');
  await expect(reopenReason).toHaveAccessibleDescription(/Say why the ticket is reopened\./);
  await expect(page.getByText('Current status: Resolved')).toBeVisible();
  const resolved = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}`, await as(org, buyer)), 200);
  expect(resolved.status).toBe('resolved');
  await expect(page.getByRole('region', { name: 'History' })).toContainText('moved it from “Waiting for customer” to “In progress”');
  await expectAccessible(page, 'a resolved ticket');
  await screenshot(page, 'console-ticket-en');

  // On a phone: one column, nothing hidden, still accessible.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('button', { name: 'Send reply' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await expectAccessible(page, 'a ticket on a phone');
  await screenshot(page, 'console-ticket-phone-en');
  await page.setViewportSize({ width: 1280, height: 720 });

  // In the dark theme, contrast holds too.
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(page, 'a ticket in the dark theme');
  await screenshot(page, 'console-ticket-dark-en');
  await page.emulateMedia({ colorScheme: 'light' });

  // The same ticket in French, reopened with a reason: the customer reads it open again, the
  // history keeps the reason.
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Échanges' })).toBeVisible();
  await expectAccessible(page, 'un ticket résolu');
  await screenshot(page, 'console-ticket-fr');
  await page.getByLabel('Motif (obligatoire pour rouvrir)').fill('La cliente a rappelé : le bec fuit encore.');
  await page.getByRole('button', { name: 'Rouvrir' }).click();
  await expect(page.getByText('Statut actuel : En cours')).toBeVisible();
  const history = page.getByRole('region', { name: 'Historique' });
  await expect(history).toContainText('l’a fait passer de « Résolu » à « En cours ».');
  await expect(history).toContainText('La cliente a rappelé : le bec fuit encore.');
  expect((await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}`, await as(org, buyer)), 200)).status).toBe('in_progress');
  await page.getByRole('link', { name: 'Retour à la file' }).click();
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Mes tickets' }).click();
  await page.getByLabel('Statut').selectOption('any');
  await expect(page.getByRole('link', { name: /Théière arrivée cassée/ })).toBeVisible();
  await expectAccessible(page, 'la file');
  await screenshot(page, 'console-queue-fr');
});

test('console: the queue updates live, filters and searches, and resolves from the keyboard', async ({ page, browser }) => {
  const org = await organisation('queue');
  const [agent, buyer] = await Promise.all([staff(org, 'agent'), customer(org)]);
  const first = await expectCall(app(org.slug, 'POST', '/v1/tickets', buyer.token, { subject: 'Remboursement en attente', description: 'Retour du 3 mars.' }), 201);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${first.id as number}/assign`, agent.token, { assigned_to: agent.id }), 200);

  await signInThroughThePage(page, org.slug, agent.email);
  const mine = page.getByRole('link', { name: /Remboursement en attente/ });
  await expect(mine).toBeVisible();

  // A ticket created elsewhere appears in the unassigned queue without a reload.
  await page.getByRole('link', { name: 'Unassigned' }).click();
  await expect(page.getByText('No unassigned ticket matches these filters.')).toBeVisible();
  await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Colis jamais livré', description: 'Suivi bloqué.' }), 201);
  await expect(page.getByRole('link', { name: /Colis jamais livré/ })).toBeVisible({ timeout: 5000 });
  await expect(page.getByRole('status').filter({ hasText: '1 new ticket arrived.' })).toBeVisible();

  // Search (full text) and a filter, kept in the address.
  await page.getByRole('link', { name: 'My tickets' }).click();
  await page.getByLabel('Search tickets').fill('parapluie');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No ticket assigned to you matches these filters.')).toBeVisible();
  await expect(page).toHaveURL(/q=parapluie/);
  await page.getByLabel('Search tickets').fill('remboursement');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(mine).toBeVisible();
  await page.getByLabel('SLA').selectOption('breached');
  await expect(page.getByText('No ticket assigned to you matches these filters.')).toBeVisible();
  await page.getByLabel('SLA').selectOption('');
  await expect(mine).toBeVisible();

  // A saved filter: a view the server keeps, listed in the sidebar with its exact count.
  await page.getByText('Save these filters').click();
  await page.getByLabel('Name of the saved filter').fill('Remboursements');
  const saved = page.waitForResponse((r) => r.url().endsWith('/v1/views') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Save filter' }).click();
  expect((await saved).status()).toBe(201);
  await page.reload();
  const view = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Remboursements/ });
  await expect(view).toBeVisible();
  await expect(view).toHaveAccessibleName('Remboursements, 1 ticket');
  // Kept on the server, not in this browser: a fresh sign-in elsewhere lists it too.
  const elsewhere = await browser.newContext();
  const desk = await elsewhere.newPage();
  await signInThroughThePage(desk, org.slug, agent.email);
  await expect(desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Remboursements/ })).toHaveAccessibleName('Remboursements, 1 ticket');
  await elsewhere.close();
  await expectAccessible(page, 'the queue with a saved filter');

  // j selects, e resolves the selected ticket.
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('j');
  await expect(mine).toBeFocused();
  await page.keyboard.press('e');
  await expect(page.getByRole('status').filter({ hasText: 'is resolved.' })).toBeVisible();
  const after = await expectCall(app(org.slug, 'GET', `/v1/tickets/${first.id as number}`, await as(org, agent)), 200);
  expect(after.status).toBe('resolved');

  // r opens a ticket at its reply box.
  await page.getByRole('link', { name: 'Unassigned' }).click();
  await expect(page.getByRole('link', { name: /Colis jamais livré/ })).toBeVisible();
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('j');
  await page.keyboard.press('r');
  await expect(page.getByLabel('Your reply to the customer')).toBeFocused();
});

test('console: an agent sees a VIP customer by name and hands the ticket to a colleague', async ({ page }) => {
  const org = await organisation('handover');
  const [agent, colleague, buyer] = await Promise.all([
    staff(org, 'agent', 'Inès', 'Moreau'),
    staff(org, 'agent', 'Hugo', 'Bernard'),
    customer(org, 'Léa', 'Martin'),
  ]);
  await expectCall(app(org.slug, 'PATCH', `/v1/users/${buyer.id}`, org.ownerToken, { vip: true }), 200);
  // Agents here see their own tickets and the queue (not every ticket, the default).
  await expectCall(app(org.slug, 'PATCH', '/v1/ticket-settings', org.ownerToken, { agent_ticket_access: 'teams' }), 200);
  const ticket = await expectCall(app(org.slug, 'POST', '/v1/tickets', buyer.token, { subject: 'Commande incomplète', description: 'Il manque une tasse.' }), 201);
  const id = ticket.id as number;

  await signInThroughThePage(page, org.slug, agent.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await page.goto(`${tenantUrl(org.slug)}/tickets/${id}`);
  await expect(page.getByRole('heading', { name: 'Commande incomplète', level: 1 })).toBeVisible();

  // The header names the customer for an agent too, and says in words that they are a VIP.
  const header = page.locator('.ticket-summary');
  await expect(header).toContainText('Léa Martin');
  await expect(header).toContainText(buyer.email);
  await expect(header.getByText('VIP customer', { exact: true })).toBeVisible();
  await expect(header).toContainText('Nobody yet');
  await expectAccessible(page, 'a VIP customer’s ticket');

  await page.getByRole('button', { name: 'Assign to me' }).click();
  await expect(page.getByText('You have this ticket.')).toBeVisible();
  await expect(header).toContainText('Inès Moreau');

  // Handed over to a colleague from the team list: the agent no longer sees it, and is told so.
  await page.getByRole('button', { name: 'Choose someone else' }).click();
  const someoneElse = page.getByRole('combobox', { name: 'Assign to someone else' });
  await expect(someoneElse.getByRole('option', { name: 'Camille Durand' })).toHaveCount(1);
  await someoneElse.selectOption({ label: 'Hugo Bernard' });
  await page.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Assigned to Hugo Bernard.' })).toContainText('You can no longer see this ticket');
  const handed = await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}`, colleague.token), 200);
  expect(handed.assigned_to).toBe(colleague.id);
  expect(handed.assignee).toMatchObject({ id: colleague.id, firstname: 'Hugo', lastname: 'Bernard' });
  await expectAccessible(page, 'a ticket given away');

  // The colleague finds it in their queue, with the same header.
  await signOut(page);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await signInThroughThePage(page, org.slug, colleague.email);
  await page.getByRole('link', { name: /Commande incomplète/ }).click();
  await expect(page.getByText('You have this ticket.')).toBeVisible();
  await expect(page.locator('.ticket-summary').getByText('VIP customer', { exact: true })).toBeVisible();
  await page.getByRole('region', { name: 'History' }).locator('summary').click();
  await expect(page.getByRole('region', { name: 'History' })).toContainText('Inès Moreau');
});

test('console: an agent of one organisation gets nothing on another organisation host', async ({ page }) => {
  const [a, b] = await Promise.all([organisation('tenanta'), organisation('tenantb')]);
  const [agentA, buyerB] = await Promise.all([staff(a, 'agent'), customer(b)]);
  const secret = await expectCall(app(b.slug, 'POST', '/v1/tickets', buyerB.token, { subject: 'Dossier de B', description: 'Privé.' }), 201);

  // The token of A is refused by B's tenant plane.
  const refused = await app(b.slug, 'GET', '/v1/tickets', agentA.token);
  expect(refused.status).toBe(403);
  expect(refused.json.code).toBe('tenant_mismatch');
  expect((await app(b.slug, 'GET', `/v1/tickets/${secret.id as number}`, agentA.token)).status).toBe(403);

  // Signed in on A, the browser has no session on B's host: B asks to sign in.
  await signInThroughThePage(page, a.slug, agentA.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await page.goto(`${tenantUrl(b.slug)}/tickets/${secret.id as number}`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Dossier de B')).toHaveCount(0);

  // And A's credentials do not open B.
  await signInThroughThePage(page, b.slug, agentA.email);
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Dossier de B')).toHaveCount(0);
});
