// A ticket page reads as a conversation: the description is the customer's first message, the
// reply box comes right under the thread, beside the compact properties and the less-used panels
// folded. At 1280x800 a ticket with three messages fits in 1,600 px, in English and in French; on
// a 390x844 phone the queue's first ticket and a ticket's thread start on the first screen (the
// queue's filters folded behind a button), and an address is never broken in the middle. The
// heights measured are printed.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { type Org, type Person, app, customer, expectAccessible, expectCall, login, organisation, signInThroughThePage, staff, tenantUrl } from './platform';

// Access tokens may be short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

/** The page's whole height, once nothing on it is still loading. */
async function pageHeight(page: Page): Promise<number> {
  await expect(page.locator('.loading')).toHaveCount(0);
  return page.evaluate(() => document.documentElement.scrollHeight);
}

/** An element's place on the page (not in the window: scrolling does not move it). */
const place = (locator: Locator) =>
  locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return { top: Math.round(box.top + window.scrollY), bottom: Math.round(box.bottom + window.scrollY), left: Math.round(box.left), right: Math.round(box.right) };
  });

/** The lines an element's text is laid out on. */
const lines = (locator: Locator) =>
  locator.evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  });

/** Every element showing `email` on its own holds it on one line. */
async function expectUnbroken(page: Page, email: string, where: string) {
  const shown = page.getByText(email, { exact: true });
  expect(await shown.count(), `the address shown on ${where}`).toBeGreaterThan(0);
  for (const element of await shown.all()) {
    if (await element.isVisible()) expect(await lines(element), `lines of ${email} on ${where}`).toBe(1);
  }
}

test('layout: a ticket is a conversation, short on a desktop, its thread and the queue on the first screen of a phone', async ({ page }) => {
  test.setTimeout(180_000);
  const org = await organisation('compact');
  const [agent, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), customer(org, 'Léa', 'Martin')]);
  const ticket = await expectCall(
    app(org.slug, 'POST', '/v1/tickets', buyer.token, {
      subject: 'Théière arrivée cassée',
      description: 'Le bec est fendu et le couvercle ne ferme plus. Le carton était pourtant intact à la livraison.',
      category: 'delivery',
    }),
    201,
  );
  const id = ticket.id as number;
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/assign`, await as(org, agent), { assigned_to: agent.id }), 200);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, await as(org, agent), { message: 'Bonjour, pouvez-vous envoyer une photo du bec et du carton ?' }), 201);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, await as(org, buyer), { message: 'Voici les photos : le bec est bien fendu, le carton est intact.' }), 201);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, await as(org, agent), { message: 'Client fidèle : proposer un geste commercial.', is_internal: true }), 201);

  await page.setViewportSize({ width: 1280, height: 800 });
  await signInThroughThePage(page, org.slug, agent.email);
  await expect(page.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  await expectAccessible(page, 'the queue at 1280 px');
  await page.goto(`${tenantUrl(org.slug)}/tickets/${id}`);

  // The description is the customer's first message, with its time; three messages follow.
  const messages = page.getByRole('article');
  await expect(messages).toHaveCount(4);
  await expect(messages.first()).toHaveAccessibleName(/^Description from Léa Martin, /);
  await expect(messages.first()).toContainText('Le bec est fendu');
  await expect(messages.first().locator('time')).toBeVisible();

  // The less-used panels beside it are folded, and open from the keyboard.
  const history = page.getByRole('region', { name: 'History', exact: true });
  await expect(history.getByRole('list')).toBeHidden();
  await history.locator('summary').press('Enter');
  await expect(history.getByRole('list')).toBeVisible();
  await expectAccessible(page, 'the ticket with its history open');
  await history.locator('summary').press('Enter');
  await expect(history.getByRole('list')).toBeHidden();

  for (const [language, properties, composer] of [
    ['en', 'Ticket properties', 'Write on this ticket'],
    ['fr', 'Propriétés du ticket', 'Écrire sur ce ticket'],
  ] as const) {
    if (language === 'fr') await page.getByLabel('Language').selectOption('fr');
    await expect(page.getByRole('form', { name: composer })).toBeVisible();
    const height = await pageHeight(page);
    const reply = await place(page.getByRole('form', { name: composer }));
    const side = await place(page.getByRole('region', { name: properties }));
    console.log(`ticket at 1280x800 (${language}): scrollHeight ${height} px; composer top ${reply.top}, left ${reply.left}, right ${reply.right}; properties top ${side.top}, bottom ${side.bottom}, left ${side.left}`);
    expect(height, `height of the ticket page (${language})`).toBeLessThanOrEqual(1600);
    // Above the properties' end, or in a column of its own to their left.
    expect(reply.top < side.bottom || reply.right <= side.left, `the composer beside or above the properties (${language})`).toBe(true);
    await expectUnbroken(page, buyer.email, `the ticket at 1280 px (${language})`);
    await expectAccessible(page, `the ticket at 1280 px (${language})`);
  }
  await page.getByLabel('Langue').selectOption('en');

  // A phone: the queue's first ticket on the first screen, the filters behind their button.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${tenantUrl(org.slug)}/`);
  const row = page.getByRole('list', { name: 'Tickets in this queue' }).getByRole('listitem').first();
  await expect(row).toContainText('Théière arrivée cassée');
  const first = await place(row);
  console.log(`queue at 390x844: first ticket row top ${first.top} px, page ${await pageHeight(page)} px`);
  expect(first.top, 'top of the first ticket row on a phone').toBeLessThan(844);
  const filters = page.getByRole('button', { name: 'Filters' });
  const search = page.getByLabel('Search tickets');
  await expect(filters).toHaveAttribute('aria-expanded', 'false');
  await expect(search).toBeHidden();
  await expectAccessible(page, 'the queue on a phone');
  await filters.click();
  await expect(filters).toHaveAttribute('aria-expanded', 'true');
  await expect(search).toBeVisible();
  await expectAccessible(page, 'the queue on a phone, its filters shown');
  await filters.press('Enter');
  await expect(filters).toHaveAttribute('aria-expanded', 'false');
  await expect(search).toBeHidden();

  // A ticket on a phone: its thread starts on the first screen, the address on one line.
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { name: 'Théière arrivée cassée', level: 1 })).toBeVisible();
  await expect(messages).toHaveCount(4);
  const opening = await place(messages.first());
  console.log(`ticket at 390x844: first message top ${opening.top} px, page ${await pageHeight(page)} px`);
  expect(opening.top, 'top of the thread on a phone').toBeLessThan(844);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await expectUnbroken(page, buyer.email, 'the ticket on a phone');
  await expectAccessible(page, 'the ticket on a phone');
});
