// Notifications: the bell tells a customer of an agent's reply (the notification worker runs
// inside app-api), its entries lead to their ticket and are read once followed; the settings page
// saves and keeps the choices; a notification mail's unsubscribe link turns that kind of email off.
import { expect, test, type Page } from '@playwright/test';
import { linkFromMail, waitForMail } from './mail';
import {
  type Org,
  type Person,
  app,
  control,
  customer,
  eventually,
  expectAccessible,
  expectCall,
  login,
  openAccountMenu,
  organisation,
  signInThroughThePage,
  staff,
  tenantUrl,
} from './platform';

const bell = (page: Page) => page.getByRole('button', { name: /^Notifications/ });

// Access tokens are short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

test('the bell shows an agent reply, leads to the ticket and marks it read; mark all as read', async ({ page }) => {
  const org = await organisation('bell');
  const [agent, me] = await Promise.all([staff(org, 'agent'), customer(org)]);
  const ticket = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, me), { subject: 'Théière cassée', description: 'Arrivée en morceaux.' }), 201);
  const id = ticket.id as number;

  await signInThroughThePage(page, org.slug, me.email);
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await expect(bell(page)).toBeVisible();

  // The agent answers through the API: the worker writes the customer's notification, and the
  // bell's poll brings the count.
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, await as(org, agent), { message: 'Nous vous en envoyons une autre.' }), 201);
  const unread = await eventually('the reply’s notification', async () => {
    const list = await expectCall(app(org.slug, 'GET', '/v1/notifications', await as(org, me)), 200);
    const items = list.data as { kind: string; ticket_id: number }[];
    return items.some((n) => n.kind === 'message_added' && n.ticket_id === id) ? (list.unread_count as number) : undefined;
  }, 45);
  await expect(bell(page)).toHaveAccessibleName(`Notifications, ${unread} unread`, { timeout: 20_000 });
  await expect(bell(page)).toHaveAttribute('aria-expanded', 'false');

  await bell(page).click();
  const panel = page.getByRole('region', { name: 'Notifications' });
  await expect(panel).toBeVisible();
  const entry = panel.getByRole('listitem').filter({ has: page.locator(`a[href="/tickets/${id}"]`) }).first();
  await expect(entry).toContainText('Unread');
  await expectAccessible(page, 'the notifications panel');

  // Escape closes the panel and gives the focus back to the bell.
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(bell(page)).toBeFocused();

  await bell(page).click();
  await panel.locator(`a[href="/tickets/${id}"]`).first().click();
  await page.waitForURL(`**/tickets/${id}`);
  await expect(page.getByRole('heading', { name: /Théière cassée/ })).toBeVisible();
  await expect(panel).toHaveCount(0);
  const after = await expectCall(app(org.slug, 'GET', '/v1/notifications', await as(org, me)), 200);
  const newest = (after.data as { ticket_id: number; read_at: string | null }[]).find((n) => n.ticket_id === id);
  expect(newest?.read_at).not.toBeNull();

  // Another reply, then everything marked read at once.
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, await as(org, agent), { message: 'Elle part demain.' }), 201);
  // Its notification written (another one unread would let the bell show a count before it).
  const waiting = await eventually('the second reply’s notification', async () => {
    const list = await expectCall(app(org.slug, 'GET', '/v1/notifications', await as(org, me)), 200);
    const items = list.data as { kind: string; ticket_id: number }[];
    const replies = items.filter((n) => n.kind === 'message_added' && n.ticket_id === id).length;
    return replies >= 2 ? (list.unread_count as number) : undefined;
  }, 45);
  await expect(bell(page)).toHaveAccessibleName(`Notifications, ${waiting} unread`, { timeout: 20_000 });
  await bell(page).click();
  await panel.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(bell(page)).toHaveAccessibleName('Notifications');
  await expect(panel.getByText('Unread')).toHaveCount(0);
  const none = await expectCall(app(org.slug, 'GET', '/v1/notifications?unread=true', await as(org, me)), 200);
  expect(none.unread_count).toBe(0);
});

test('the notification settings save and stay; customers see only their kinds, staff all', async ({ page, browser }) => {
  const org = await organisation('prefs');
  const [agent, me] = await Promise.all([staff(org, 'agent'), customer(org)]);

  await signInThroughThePage(page, org.slug, me.email);
  await (await openAccountMenu(page)).getByRole('link', { name: 'Notification settings' }).click();
  await expect(page.getByRole('heading', { name: 'Notification settings', level: 1 })).toBeVisible();
  const byEmail = page.getByRole('checkbox', { name: 'New messages, by email' });
  await expect(byEmail).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Missed service targets, by email' })).toHaveCount(0);
  await expect(page.getByRole('checkbox', { name: 'Tickets assigned to me, in the app' })).toHaveCount(0);
  await expectAccessible(page, 'the notification settings');

  const wasOn = await byEmail.isChecked();
  await byEmail.setChecked(!wasOn);
  await page.getByRole('checkbox', { name: 'Status changes, in the app' }).setChecked(false);
  await page.getByLabel('Language of emails').selectOption('fr');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Your notification settings are saved.')).toBeVisible();

  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'New messages, by email' })).toBeChecked({ checked: !wasOn });
  await expect(page.getByRole('checkbox', { name: 'Status changes, in the app' })).not.toBeChecked();
  await expect(page.getByLabel('Language of emails')).toHaveValue('fr');
  const stored = await expectCall(app(org.slug, 'GET', '/v1/me/notification-preferences', await as(org, me)), 200);
  expect((stored.email as Record<string, boolean>).message_added).toBe(!wasOn);
  expect((stored.in_app as Record<string, boolean>).status_changed).toBe(false);
  expect(stored.language).toBe('fr');

  // Staff are asked about every kind.
  const context = await browser.newContext();
  const staffPage = await context.newPage();
  await signInThroughThePage(staffPage, org.slug, agent.email);
  await expect(staffPage.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await (await openAccountMenu(staffPage)).getByRole('link', { name: 'Notification settings' }).click();
  await expect(staffPage.getByRole('checkbox', { name: 'Missed service targets, by email' })).toBeVisible();
  await expect(staffPage.getByRole('checkbox', { name: 'Tickets assigned to me, in the app' })).toBeVisible();
  await expect(staffPage.getByRole('button', { name: /^Notifications/ })).toBeVisible();
  await context.close();
});

test('a notification mail’s unsubscribe link turns that email off; a bad link says so', async ({ page }) => {
  const org = await organisation('unsub');
  const [agent, me] = await Promise.all([staff(org, 'agent'), customer(org)]);
  // Notification mail goes only to a confirmed address: the customer follows the registration's link.
  const verify = await linkFromMail(me.email, '/verify-email');
  await expectCall(control('POST', '/v1/auth/email/verify', { body: { token: new URL(verify.link, 'http://x').searchParams.get('token')! } }), 204);

  const ticket = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, me), { subject: 'Facture en double', description: 'Deux prélèvements.' }), 201);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${ticket.id as number}/messages`, await as(org, agent), { message: 'Nous remboursons le second.' }), 201);
  // The mail's unsubscribe link (the List-Unsubscribe header's one-click address, or the page's
  // link in the body) carries the token the page posts.
  const mail = await waitForMail(me.email, (m) => m.text.includes('Nous remboursons le second.'), 'with the agent’s reply');
  expect(mail.links.some((l) => new URL(l).pathname === `/tickets/${ticket.id as number}`)).toBe(true);
  const unsubscribe = mail.links.map((l) => new URL(l)).find((u) => /^\/(v1\/notifications\/)?unsubscribe$/.test(u.pathname));
  expect(unsubscribe, mail.links.join(' ')).toBeDefined();
  const token = unsubscribe!.searchParams.get('token')!;

  // Signed out, in a fresh browser.
  await page.goto(`${tenantUrl(org.slug)}/unsubscribe?token=${encodeURIComponent(token)}`);
  await expect(page.getByRole('heading', { name: 'Unsubscribe' })).toBeVisible();
  await expect(page.getByText(/You will no longer receive emails about “.+”\./)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Manage your notification settings' })).toBeVisible();
  await expectAccessible(page, 'the unsubscribe page');
  const after = await expectCall(app(org.slug, 'GET', '/v1/me/notification-preferences', await as(org, me)), 200);
  expect((after.email as Record<string, boolean>).message_added).toBe(false);
  await expect(page.getByText('You will no longer receive emails about “New messages”.')).toBeVisible();

  await page.goto(`${tenantUrl(org.slug)}/unsubscribe?token=not-a-real-token`);
  await expect(page.getByRole('alert')).toContainText('This unsubscribe link is not valid, or it has expired.');
});
