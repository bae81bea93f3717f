// Participants and linked tickets. An agent copies an address on a ticket (the address refused
// beside the field when it is the customer's, a follower refused when not on the staff), makes a
// colleague a follower (suggested from the team as the name is typed), follows the ticket
// themself, then takes the colleague off (the focus going to the row left) and stops following;
// the customer copies a colleague of their own in the portal. A public reply reaches the copied
// addresses by mail, each addressed to them with the customer in Cc; an internal note reaches
// none of them; the footer's link of that mail takes its reader off the conversation, signed
// out. Then two tickets linked as parent and child show each other's status as it changes; the
// parent resolved with its open children names the child its status kept open; a customer's
// message split off from its menu, opened from the keyboard, opens the new ticket, related to the
// first (the team's messages have no menu). In English, then in French.
import { expect, test, type Page } from '@playwright/test';
import type { AddressObject } from 'mailparser';
import { type Mail, inbox, linkFromMail, waitForMail } from './mail';
import { app, control, customer, expectAccessible, expectCall, login, openHistory, organisation, screenshot, signInThroughThePage, staff, tenantUrl, type Org, type Person, uniqueEmail } from './platform';

// Access tokens are short in these runs: a call made late in a test signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

type Participant = { id: number; email: string; name: string; kind: 'cc' | 'follower' };

/** The addresses a mail's `To:` or `Cc:` names, lower-case. */
function addressed(mail: Mail, header: 'to' | 'cc'): string[] {
  const value = mail.headers.get(header) as AddressObject | AddressObject[] | undefined;
  const groups = Array.isArray(value) ? value : value ? [value] : [];
  return groups.flatMap((group) => group.value.map((a) => (a.address ?? '').toLowerCase()));
}

/** The ticket's Participants region, beside the thread. */
const participantsRegion = (page: Page, name = 'Participants') => page.getByRole('region', { name, exact: true });

test('participants: staff copy an address and follow a ticket, the customer copies a colleague; the copied get public replies by mail and leave from it', async ({ page, browser }) => {
  test.setTimeout(240_000);
  const org = await organisation('cc');
  const [agent, nadia, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), staff(org, 'admin', 'Nadia', 'Roux'), customer(org, 'Léa', 'Martin')]);
  // Notification mail goes to a confirmed address: the customer follows the registration's link.
  const verify = await linkFromMail(buyer.email, '/verify-email');
  await expectCall(control('POST', '/v1/auth/email/verify', { body: { token: new URL(verify.link, 'http://x').searchParams.get('token')! } }), 204);
  const ticket = await expectCall(app(org.slug, 'POST', '/v1/tickets', buyer.token, { subject: 'Panne du routeur', description: 'Plus de connexion depuis ce matin.' }), 201);
  const id = ticket.id as number;
  const number = ticket.ticket_number as string;
  const zoe = uniqueEmail('zoe');
  const marc = uniqueEmail('marc');

  await signInThroughThePage(page, org.slug, agent.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await page.goto(`${tenantUrl(org.slug)}/tickets/${id}`);
  await expect(page.getByRole('heading', { name: 'Panne du routeur', level: 1 })).toBeVisible();
  const people = participantsRegion(page);
  await expect(people).toContainText('Nobody is in copy or follows this ticket.');
  // Folded beside the thread while nobody is on the ticket: its heading opens it.
  await people.getByRole('heading', { name: 'Participants' }).click();
  const email = people.getByLabel('Email address');
  await expect(email).toHaveAccessibleDescription(/any address may be typed/);
  await expectAccessible(page, 'a ticket without participants');

  // The form's own check, then the server's refusal of the customer's address, beside the field.
  await email.fill('zoe@');
  await people.getByRole('button', { name: 'Add participant' }).click();
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAccessibleDescription(/Enter an email address like name@example\.com\./);
  await email.fill(buyer.email);
  await people.getByRole('button', { name: 'Add participant' }).click();
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(people.getByRole('alert')).toContainText('Please correct the highlighted fields.');
  await expect(email).toHaveValue(buyer.email);

  // An address in copy, with a name.
  await email.fill(zoe);
  await people.getByLabel('Name (optional)').fill('Zoé Petit');
  await expect(people.getByLabel('Add as')).toHaveValue('cc');
  await people.getByRole('button', { name: 'Add participant' }).click();
  await expect(page.getByText('Zoé Petit is now in copy.')).toBeVisible();
  const list = people.getByRole('list', { name: 'People on this ticket' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('listitem').first()).toContainText('Zoé Petit');
  await expect(list.getByRole('listitem').first()).toContainText(zoe);
  await expect(list.getByRole('listitem').first()).toContainText('In copy');
  await expect(email).toHaveValue('');
  await expect(email).toBeFocused();

  // A follower must be on the staff: the server's refusal is said beside the form's field it names.
  await email.fill(uniqueEmail('outsider'));
  await people.getByLabel('Add as').selectOption('follower');
  await people.getByRole('button', { name: 'Add participant' }).click();
  await expect(people.locator('form [aria-invalid="true"]')).toHaveCount(1);
  await expect(people.getByRole('alert')).toContainText('Please correct the highlighted fields.');

  // A colleague as a follower, suggested from the team as the name is typed.
  await email.fill('');
  await email.pressSequentially('nad');
  await expect(people.locator(`datalist option[value="${nadia.email}"]`)).toBeAttached();
  await expect(people.locator(`datalist option[value="${buyer.email}"]`)).toHaveCount(0);
  await email.fill(nadia.email);
  await people.getByLabel('Add as').selectOption('follower');
  await people.getByRole('button', { name: 'Add participant' }).click();
  await expect(page.getByText('Nadia Roux now follows this ticket.')).toBeVisible();

  // The agent follows the ticket themself.
  await people.getByRole('button', { name: 'Follow this ticket' }).click();
  await expect(page.getByText('You now follow this ticket.')).toBeVisible();
  await expect(people).toContainText('You follow this ticket.');
  await expect(list.getByRole('listitem')).toHaveCount(3);
  await expect(list.getByRole('listitem').filter({ hasText: 'Inès Moreau' })).toContainText('Follower');
  const held = (await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}/participants`, await as(org, agent)), 200)) as unknown as Participant[];
  expect(held.map((p) => [p.email, p.kind])).toEqual([
    [zoe, 'cc'],
    [nadia.email, 'follower'],
    [agent.email, 'follower'],
  ]);
  await expect(await openHistory(page)).toContainText(`put “${zoe}” in copy.`, { timeout: 30_000 });
  await expectAccessible(page, 'a ticket with its participants');
  await screenshot(page, 'console-ticket-participants-en');

  // Nadia taken off: the focus goes to the row taking her place. Then the agent stops following.
  await list.getByRole('button', { name: 'Remove Nadia Roux' }).click();
  await expect(page.getByText('Nadia Roux is no longer on this ticket.')).toBeVisible();
  await expect(list.getByRole('button', { name: 'Remove Inès Moreau' })).toBeFocused();
  await people.getByRole('button', { name: 'Stop following' }).click();
  await expect(page.getByText('You no longer follow this ticket.')).toBeVisible();
  await expect(people.getByRole('button', { name: 'Follow this ticket' })).toBeFocused();
  await expect(list.getByRole('listitem')).toHaveCount(1);

  // The customer, in the portal: those in copy, not the followers; a colleague added.
  const portal = await browser.newContext();
  const mine = await portal.newPage();
  await signInThroughThePage(mine, org.slug, buyer.email);
  await expect(mine.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await mine.goto(`${tenantUrl(org.slug)}/tickets/${id}`);
  const copied = mine.getByRole('region', { name: 'People copied' });
  const copiedList = copied.getByRole('list', { name: 'People copied on this ticket' });
  await expect(copiedList.getByRole('listitem')).toHaveCount(1);
  await expect(copiedList).toContainText('Zoé Petit');
  await copied.getByLabel('Your colleague’s email').fill(marc);
  await copied.getByLabel('Name (optional)').fill('Marc Roux');
  await copied.getByRole('button', { name: 'Add colleague' }).click();
  await expect(copied.getByText('Marc Roux is now copied on this ticket.')).toBeVisible();
  await expect(copiedList.getByRole('listitem')).toHaveCount(2);
  await expect(copiedList.getByRole('button', { name: 'Remove Marc Roux' })).toBeVisible();
  await expectAccessible(mine, 'the portal’s people copied');
  await screenshot(mine, 'portal-people-copied-en');
  const seen = (await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}/participants`, await as(org, buyer)), 200)) as unknown as Participant[];
  expect(seen.map((p) => [p.email, p.kind])).toEqual([
    [zoe, 'cc'],
    [marc, 'cc'],
  ]);
  await mine.getByLabel('Language').selectOption('fr');
  const copiés = mine.getByRole('region', { name: 'Personnes en copie' });
  await expect(copiés.getByRole('button', { name: 'Retirer Marc Roux' })).toBeVisible();
  await expect(copiés.getByRole('button', { name: 'Ajouter le collègue' })).toBeVisible();
  await expectAccessible(mine, 'les personnes en copie du portail');
  await portal.close();

  // An internal note, then a public reply: the reply reaches those in copy, the note none.
  await page.reload();
  await page.getByRole('radio', { name: 'Internal note' }).check();
  await page.getByLabel('Your note for the team').fill('Note interne : vérifier le routeur du client.');
  await page.getByRole('button', { name: 'Add internal note' }).click();
  await expect(page.getByRole('article', { name: /^Internal note by You/ })).toBeVisible();
  await page.getByRole('radio', { name: 'Public reply' }).check();
  await page.getByLabel('Your reply to the customer').fill('Nous avons trouvé la cause de la panne.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await expect(page.getByRole('article', { name: /^Reply by You/ })).toBeVisible();
  // Each one in copy gets a mail of their own, addressed to them, the customer in Cc.
  const replied = (address: string) => (m: Mail) => m.text.includes('Nous avons trouvé la cause de la panne.') && addressed(m, 'to').includes(address);
  const reply = await waitForMail(zoe, replied(zoe), 'addressed to them with the agent’s public reply', 90);
  expect(addressed(reply, 'to')).toEqual([zoe]);
  expect(addressed(reply, 'cc')).toContain(buyer.email);
  const marcs = await waitForMail(marc, replied(marc), 'addressed to them with the agent’s public reply', 90);
  for (const address of [zoe, marc]) {
    expect((await inbox(address)).filter((m) => m.text.includes('vérifier le routeur'))).toEqual([]);
  }

  // The footer's link of Marc's own mail (each one's link names its reader) takes Marc off the
  // conversation, signed out.
  const leave = marcs.links.map((l) => new URL(l)).find((url) => url.pathname === '/leave');
  expect(leave, marcs.links.join(' ')).toBeDefined();
  const visitor = await browser.newContext();
  const outside = await visitor.newPage();
  await outside.goto(`${tenantUrl(org.slug)}${leave!.pathname}${leave!.search}`);
  await expect(outside.getByRole('heading', { name: 'Leave the conversation' })).toBeVisible();
  await expect(outside.getByText(`${marc} will no longer receive the messages of ticket ${number}.`)).toBeVisible();
  await expect(outside.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(outside, 'the leave page');
  await screenshot(outside, 'leave-page-en');
  const left = (await expectCall(app(org.slug, 'GET', `/v1/tickets/${id}/participants`, await as(org, agent)), 200)) as unknown as Participant[];
  expect(left.map((p) => p.email)).toEqual([zoe]);
  await outside.goto(`${tenantUrl(org.slug)}/leave?token=not-a-real-token`);
  await expect(outside.getByRole('alert')).toContainText('This link is not valid, or it has expired.');
  await outside.getByLabel('Language').selectOption('fr');
  await expect(outside.getByRole('heading', { name: 'Quitter la conversation' })).toBeVisible();
  await expect(outside.getByRole('alert')).toContainText('Ce lien n’est pas valide, ou il a expiré.');
  await visitor.close();

  // In French, on the console.
  await page.getByLabel('Language').selectOption('fr');
  const participants = participantsRegion(page);
  await expect(participants.getByRole('list', { name: 'Personnes sur ce ticket' }).getByRole('listitem')).toHaveCount(1);
  await expect(participants).toContainText('En copie');
  await expect(participants.getByRole('button', { name: 'Suivre ce ticket' })).toBeVisible();
  await expect(participants.getByLabel('Ajouter comme')).toBeVisible();
  await expect(participants.getByRole('button', { name: 'Retirer Zoé Petit' })).toBeVisible();
  await expect(await openHistory(page, 'Historique')).toContainText(`a mis « ${zoe} » en copie.`);
  await expectAccessible(page, 'un ticket et ses participants');
});

test('linked tickets: each shows the other’s status, a parent resolves its open children, and a message is split off from its menu', async ({ page }) => {
  test.setTimeout(240_000);
  const org = await organisation('links');
  const [agent, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), customer(org, 'Léa', 'Martin')]);
  const open = (subject: string, description: string) => expectCall(app(org.slug, 'POST', '/v1/tickets', buyer.token, { subject, description }), 201);
  const parent = await open('Panne générale du service', 'Plus rien ne fonctionne depuis ce matin.');
  const child = await open('Le site ne répond plus', 'Impossible de me connecter.');
  const second = await open('Facture introuvable', 'Je ne trouve pas ma facture de mars.');
  // A message on the second ticket, about something else: it will be split off.
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${second.id as number}/messages`, buyer.token, { message: 'Autre chose : ma livraison est en retard.' }), 201);

  await signInThroughThePage(page, org.slug, agent.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await page.goto(`${tenantUrl(org.slug)}/tickets/${child.id as number}`);
  await expect(page.getByRole('heading', { name: 'Le site ne répond plus', level: 1 })).toBeVisible();
  const linked = page.getByRole('region', { name: 'Linked tickets' });
  await expect(linked).toContainText('No linked tickets.');
  // Folded beside the thread while nothing is linked: its heading opens it.
  await linked.getByRole('heading', { name: 'Linked tickets' }).click();

  // The parent, by its number typed in lower case.
  const field = linked.getByLabel('Ticket number or id');
  await field.fill((parent.ticket_number as string).toLowerCase());
  await linked.getByLabel('The other ticket is').selectOption('parent');
  await linked.getByRole('button', { name: 'Link ticket' }).click();
  await expect(page.getByText(`${parent.ticket_number as string} is now the parent of this ticket.`)).toBeVisible();
  const rows = linked.getByRole('list', { name: 'Tickets linked to this one' }).getByRole('listitem');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Parent');
  await expect(rows.first()).toContainText('Open');
  await expect(field).toHaveValue('');

  // The ticket itself is refused beside the field, which keeps what was typed.
  await field.fill(String(child.id as number));
  await linked.getByRole('button', { name: 'Link ticket' }).click();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveValue(String(child.id as number));
  await expectAccessible(page, 'a child and its parent');

  // The parent shows the child, and its status as it changes elsewhere.
  await rows.first().getByRole('link', { name: `${parent.ticket_number as string} Panne générale du service` }).click();
  await expect(page.getByRole('heading', { name: 'Panne générale du service', level: 1 })).toBeVisible();
  const children = page.getByRole('region', { name: 'Linked tickets' }).getByRole('list', { name: 'Tickets linked to this one' }).getByRole('listitem');
  const childRow = children.filter({ hasText: child.ticket_number as string });
  await expect(childRow).toContainText('Child');
  await expect(childRow).toContainText('Open');
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${child.id as number}/assign`, await as(org, agent), { assigned_to: agent.id }), 200);
  await expect(childRow).toContainText('In progress', { timeout: 20_000 });

  // A second child, by its id.
  await page.getByRole('region', { name: 'Linked tickets' }).getByLabel('Ticket number or id').fill(String(second.id as number));
  await page.getByRole('region', { name: 'Linked tickets' }).getByLabel('The other ticket is').selectOption('child');
  await page.getByRole('region', { name: 'Linked tickets' }).getByRole('button', { name: 'Link ticket' }).click();
  await expect(page.getByText(`${second.ticket_number as string} is now a child of this ticket.`)).toBeVisible();
  await expect(children).toHaveCount(2);

  // Resolved with its open children: the one still open cannot be, and is named.
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await expect(page.getByText('Current status: In progress')).toBeVisible();
  const status = page.getByRole('region', { name: 'Status' });
  const along = status.getByRole('checkbox', { name: 'Also resolve its open children' });
  await expect(along).toHaveAccessibleDescription('2 children of this ticket are not resolved yet.');
  await along.check();
  await status.getByRole('button', { name: 'Resolve' }).click();
  await expect(page.getByText('Status is now “Resolved”. 1 of its children could not be resolved.')).toBeVisible();
  await expect(status).toContainText('1 child could not be resolved from its status:');
  await expect(status.getByRole('link', { name: second.ticket_number as string })).toBeVisible();
  await expect(childRow).toContainText('Resolved');
  await expect(children.filter({ hasText: second.ticket_number as string })).toContainText('Open');
  const resolved = await expectCall(app(org.slug, 'GET', `/v1/tickets/${child.id as number}`, await as(org, agent)), 200);
  expect(resolved.status).toBe('resolved');
  await expectAccessible(page, 'a parent resolved with its children');
  await screenshot(page, 'console-ticket-links-en');

  // The customer's message on the second ticket, split off from its menu, from the keyboard.
  await status.getByRole('link', { name: second.ticket_number as string }).click();
  await expect(page.getByRole('heading', { name: 'Facture introuvable', level: 1 })).toBeVisible();
  const message = page.getByRole('article', { name: /^Message from Léa Martin/ });
  const menuButton = message.getByRole('button', { name: /^Actions: Message from Léa Martin/ });
  await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
  await menuButton.focus();
  await page.keyboard.press('Enter');
  const split = page.getByRole('menu').getByRole('menuitem', { name: 'Split into a new ticket' });
  await expect(split).toBeFocused();
  await expect(menuButton).toHaveAttribute('aria-expanded', 'true');
  await expectAccessible(page, 'a message’s menu');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(menuButton).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(split).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Split into a new ticket' });
  const subject = dialog.getByLabel('Subject of the new ticket');
  await expect(subject).toHaveValue('Facture introuvable');
  await expect(subject).toBeFocused();
  await subject.fill('Livraison en retard');
  await expectAccessible(page, 'the split dialog');
  await dialog.getByRole('button', { name: 'Split', exact: true }).click();
  await page.waitForURL((url) => /^\/tickets\/\d+$/.test(url.pathname) && url.pathname !== `/tickets/${second.id as number}`);
  await expect(page.getByRole('heading', { name: 'Livraison en retard', level: 1 })).toBeVisible();
  await expect(page.getByText(`Split from ${second.ticket_number as string}, to which this ticket is related.`)).toBeVisible();
  const related = page.getByRole('region', { name: 'Linked tickets' }).getByRole('listitem').filter({ hasText: second.ticket_number as string });
  await expect(related).toContainText('Related');
  // The message left the first thread: it is the new ticket's description, the customer's.
  await expect(page.getByRole('article', { name: /^Description from Léa Martin/ })).toContainText('ma livraison est en retard');
  const newId = Number(new URL(page.url()).pathname.split('/').pop());
  const opened = await expectCall(app(org.slug, 'GET', `/v1/tickets/${newId}`, await as(org, agent)), 200);
  expect(opened.subject).toBe('Livraison en retard');
  expect(opened.user_id).toBe(buyer.id);
  const rest = await expectCall(app(org.slug, 'GET', `/v1/tickets/${second.id as number}/messages`, await as(org, agent)), 200);
  expect(JSON.stringify(rest)).not.toContain('ma livraison est en retard');
  // The team's own messages have no menu: only the customer's side may be split off.
  await page.getByLabel('Your reply to the customer').fill('Nous regardons votre livraison.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  const answer = page.getByRole('article', { name: /^Reply by You/ });
  await expect(answer).toBeVisible();
  await expect(answer.getByRole('button', { name: /^Actions:/ })).toHaveCount(0);
  await expectAccessible(page, 'a ticket split off another');

  // In French: the panel, the menu of the customer's next message, and the dialog.
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${newId}/messages`, await as(org, buyer), { message: 'Et le numéro de suivi ?' }), 201);
  await expect(page.getByRole('article', { name: /^Message from Léa Martin/ })).toContainText('Et le numéro de suivi ?', { timeout: 20_000 });
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Livraison en retard', level: 1 })).toBeVisible();
  const liés = page.getByRole('region', { name: 'Tickets liés' });
  await expect(liés.getByRole('list', { name: 'Tickets liés à celui-ci' }).getByRole('listitem').filter({ hasText: second.ticket_number as string })).toContainText('Associé');
  await expect(liés.getByRole('button', { name: `Retirer le lien vers ${second.ticket_number as string}` })).toBeVisible();
  await expect(liés.getByLabel('L’autre ticket est')).toBeVisible();
  const menuFr = page.getByRole('article', { name: /^Message de Léa Martin/ }).getByRole('button', { name: /^Actions : Message de Léa Martin/ });
  await menuFr.click();
  await page.getByRole('menuitem', { name: 'Scinder en un nouveau ticket' }).click();
  const dialogFr = page.getByRole('dialog', { name: 'Scinder en un nouveau ticket' });
  await expect(dialogFr.getByLabel('Objet du nouveau ticket')).toHaveValue('Livraison en retard');
  await expectAccessible(page, 'la fenêtre de scission');
  await dialogFr.getByRole('button', { name: 'Annuler' }).click();
  await expect(dialogFr).toBeHidden();
  await expect(menuFr).toBeFocused();
  await screenshot(page, 'console-ticket-links-fr');
});
