// Nothing wider than the window: the console's dashboard (its service-targets card, charts and
// tables, the satisfaction panel), the ticket list and a ticket page, from a phone to a wide
// screen. A table wider than its card scrolls inside its own container, never the page.
import { expect, test, type Page } from '@playwright/test';
import { type Org, type Person, app, customer, expectCall, login, organisation, signInThroughThePage, staff } from './platform';

const WIDTHS = [360, 768, 1280, 1920];

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

test('layout: the dashboard, the ticket list and a ticket page fit the window from 360 to 1920 px', async ({ page }) => {
  test.setTimeout(150_000);
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
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();

  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });

    await page.goto(`${page.url().split('/').slice(0, 3).join('/')}/admin`);
    await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
    await expect(page.getByRole('table', { name: /Tickets not closed, by status/ })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Customer satisfaction' }).getByRole('table').first()).toBeVisible();
    // The charts are drawn (Chart.js sizes their canvases to their boxes).
    await expect.poll(() => page.locator('canvas').evaluateAll((all) => all.filter((c) => (c as HTMLCanvasElement).style.boxSizing === 'border-box').length)).toBeGreaterThanOrEqual(2);
    await expectWithinWindow(page, `the dashboard at ${width} px`);

    await page.goto(`${page.url().split('/').slice(0, 3).join('/')}/?view=all`);
    // The resolved one is not in the default filter.
    await expect(page.getByRole('list', { name: 'Tickets in this queue' }).getByRole('link')).toHaveCount(2);
    await expectWithinWindow(page, `the ticket list at ${width} px`);

    await page.goto(`${page.url().split('/').slice(0, 3).join('/')}/tickets/${open}`);
    await expect(page.getByRole('heading', { name: 'Paiement refusé deux fois de suite', level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Customer' })).toBeVisible();
    await expectWithinWindow(page, `a ticket page at ${width} px`);
  }
});
