// Nothing wider than the window: the console's dashboard (its service-targets card, charts and
// tables, the satisfaction panel), the ticket list, a ticket page with its properties panel, the
// sidebar (behind the Menu button below 900 px), the settings area and the account menu, from a
// phone to a wide screen. A table wider than its card scrolls inside its own container, never
// the page. The menus open and close from the keyboard.
import { expect, test, type Page } from '@playwright/test';
import { type Org, type Person, accountMenuButton, app, customer, expectAccessible, expectCall, login, organisation, screenshot, signInThroughThePage, staff } from './platform';

const WIDTHS = [360, 768, 1024, 1280, 1920];
/** Below this width the sidebar folds behind the Menu button. */
const SIDEBAR_FROM = 900;

// Access tokens may be short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

/** The page's width against the window's, and the elements whose right edge passes the window's
 * (those inside a container that scrolls sideways are not counted: they scroll there). */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const scrolls = (element: Element | null): boolean => {
      for (let e = element; e && e !== document.body; e = e.parentElement) {
        const x = getComputedStyle(e).overflowX;
        if ((x === 'auto' || x === 'scroll' || x === 'hidden') && e.clientWidth < width) return true;
      }
      return false;
    };
    const out = [...document.body.querySelectorAll('*')]
      .filter((e) => {
        const box = e.getBoundingClientRect();
        return box.width > 0 && box.right > width + 1 && !scrolls(e.parentElement);
      })
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.trim().replace(/\s+/g, '.')}` : ''}`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, out: out.slice(0, 10) };
  });
}

async function expectWithinWindow(page: Page, where: string) {
  const measured = await overflow(page);
  expect(measured.out, `elements past the right edge of ${where}`).toEqual([]);
  expect(measured.scrollWidth, `width of ${where}`).toBeLessThanOrEqual(measured.innerWidth);
}

test('layout: the dashboard, the ticket list, a ticket page, the sidebar and the settings fit the window from 360 to 1920 px', async ({ page }) => {
  test.setTimeout(240_000);
  const org = await organisation('fit');
  const [agent, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), customer(org, 'Léa', 'Martin')]);
  // Enough for every card to show its chart and table: open tickets, one resolved and rated.
  const made = [];
  for (const subject of ['Colis abîmé pendant la livraison', 'Paiement refusé deux fois de suite', 'Retour à organiser']) {
    made.push(await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject, description: 'Détails du problème.' }), 201));
  }
  const rated = made[0]!.id as number;
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${rated}/assign`, await as(org, agent), { assigned_to: agent.id }), 200);
  const started = await app(org.slug, 'POST', `/v1/tickets/${rated}/status`, await as(org, agent), { status: 'in_progress' });
  expect([200, 409]).toContain(started.status);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${rated}/messages`, await as(org, agent), { message: 'Le remplacement part aujourd’hui.' }), 201);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${rated}/status`, await as(org, agent), { status: 'resolved' }), 200);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${rated}/satisfaction`, await as(org, buyer), { rating: 4, comment: 'Rapide.' }), 201);
  const open = made[1]!.id as number;

  await page.setViewportSize({ width: 1280, height: 900 });
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await expect(page.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  const origin = page.url().split('/').slice(0, 3).join('/');
  const sidebar = page.getByRole('navigation', { name: 'Main' });
  const menu = page.getByRole('button', { name: 'Menu', exact: true });

  // The sidebar's queues with what they hold (the resolved ticket is not counted), the one shown
  // marked as the current page.
  await expect(sidebar.getByRole('link', { name: 'My tickets' })).toHaveAccessibleName('My tickets, 0 not yet resolved');
  await expect(sidebar.getByRole('link', { name: 'Unassigned' })).toHaveAccessibleName('Unassigned, 2 not yet resolved');
  await expect(sidebar.getByRole('link', { name: 'All tickets' })).toHaveAccessibleName('All tickets, 2 not yet resolved');
  await expect(sidebar.getByRole('link', { name: 'My tickets' })).toHaveAttribute('aria-current', 'page');
  await expectAccessible(page, 'the console with its sidebar');

  // The account menu from the keyboard: Enter opens it on its first item, Escape closes it and
  // gives focus back; Space opens it too.
  const account = accountMenuButton(page);
  await expect(account).toHaveAccessibleName('Camille Durand, Account menu');
  await account.focus();
  await page.keyboard.press('Enter');
  const own = page.getByRole('navigation', { name: 'Your account' });
  await expect(own.getByRole('link', { name: 'Notification settings' })).toBeFocused();
  await expect(account).toHaveAttribute('aria-expanded', 'true');
  await expectAccessible(page, 'the account menu');
  await page.keyboard.press('Escape');
  await expect(own).toBeHidden();
  await expect(account).toBeFocused();
  await page.keyboard.press('Space');
  await expect(own.getByRole('link', { name: 'Notification settings' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(own.getByRole('link', { name: 'Account security' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(account).toBeFocused();

  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });

    await page.goto(`${origin}/admin`);
    await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
    await expect(page.getByRole('table', { name: /Tickets not closed, by status/ })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Customer satisfaction' }).getByRole('table').first()).toBeVisible();
    // The charts are drawn (Chart.js sizes their canvases to their boxes).
    await expect.poll(() => page.locator('canvas').evaluateAll((all) => all.filter((c) => (c as HTMLCanvasElement).style.boxSizing === 'border-box').length)).toBeGreaterThanOrEqual(2);
    await expectWithinWindow(page, `the dashboard at ${width} px`);

    // The sidebar: beside the page from 900 px, behind the Menu button below, opened and closed
    // from the keyboard.
    if (width >= SIDEBAR_FROM) {
      await expect(sidebar).toBeVisible();
      await expect(menu).toBeHidden();
    } else {
      await expect(sidebar).toBeHidden();
      await menu.focus();
      await page.keyboard.press('Enter');
      await expect(menu).toHaveAttribute('aria-expanded', 'true');
      await expect(sidebar.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('aria-current', 'page');
      await expectWithinWindow(page, `the open sidebar at ${width} px`);
      if (width === 360) await screenshot(page, 'console-menu-phone-en');
      await page.keyboard.press('Escape');
      await expect(sidebar).toBeHidden();
      await expect(menu).toBeFocused();
      await menu.click();
    }
    await sidebar.getByRole('link', { name: 'All tickets' }).click();
    await expect(page.getByRole('heading', { name: 'All tickets', level: 1 })).toBeVisible();
    // Following a link folds the sidebar away again on a phone.
    if (width >= SIDEBAR_FROM) await expect(sidebar.getByRole('link', { name: 'All tickets' })).toHaveAttribute('aria-current', 'page');
    else await expect(sidebar).toBeHidden();
    // The resolved one is not in the default filter.
    await expect(page.getByRole('list', { name: 'Tickets in this queue' }).getByRole('link')).toHaveCount(2);
    await expectWithinWindow(page, `the ticket list at ${width} px`);

    await page.goto(`${origin}/tickets/${open}`);
    await expect(page.getByRole('heading', { name: 'Paiement refusé deux fois de suite', level: 1 })).toBeVisible();
    const properties = page.getByRole('region', { name: 'Ticket properties' });
    for (const name of ['Status', 'Assignee', 'Priority']) await expect(properties.getByRole('region', { name, exact: true })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Customer' })).toBeVisible();
    await expectWithinWindow(page, `a ticket page at ${width} px`);

    // The settings area and its own navigation.
    await page.goto(`${origin}/admin/sla`);
    await expect(page.getByRole('heading', { name: 'SLA policy', level: 1 })).toBeVisible();
    const settings = page.getByRole('navigation', { name: 'Settings' });
    await expect(settings.getByRole('link', { name: 'SLA policy' })).toHaveAttribute('aria-current', 'page');
    await expect(settings.getByRole('link')).toHaveText(['Organisation', 'Team', 'Customers', 'Integrations', 'Single sign-on', 'Macros', 'SLA policy', 'Business hours', 'Teams', 'Categories', 'Fields', 'Rules', 'Mailbox', 'Quarantine']);
    await expectWithinWindow(page, `the settings at ${width} px`);
    if (width === 1280) await screenshot(page, 'console-settings-en');

    // The account menu's panel stays inside the window.
    await accountMenuButton(page).click();
    await expect(page.getByRole('navigation', { name: 'Your account' })).toBeVisible();
    await expectWithinWindow(page, `the account menu at ${width} px`);
    await page.keyboard.press('Escape');
  }
});
