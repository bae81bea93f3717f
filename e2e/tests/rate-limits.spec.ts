// Rate limits fit the app's own use: a signed-in person loading 20 console pages by address within
// a minute, then opening 5 tabs at once, is never answered 429. Every API answer is watched; where
// the services send their budget (`RateLimit-Remaining`), the lowest seen is printed with the
// number of requests made.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { app, customer, expectCall, organisation, signInThroughThePage, tenantUrl } from './platform';

/** Watches every API answer of the context: the 429s, how many, the lowest budget left. */
function watch(context: BrowserContext) {
  const seen = { requests: 0, refused: [] as string[], lowest: null as number | null };
  context.on('response', (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/v1/')) return;
    seen.requests += 1;
    if (response.status() === 429) seen.refused.push(`${response.request().method()} ${url.pathname}${url.search}`);
    const remaining = Number(response.headers()['ratelimit-remaining']);
    if (Number.isFinite(remaining)) seen.lowest = seen.lowest === null ? remaining : Math.min(seen.lowest, remaining);
  });
  return seen;
}

/** A page loaded by its address, done once its heading shows and nothing is loading. */
async function load(page: Page, url: string) {
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  await expect(page.locator('.loading')).toHaveCount(0);
}

test('rate limits: 20 console pages by address within a minute, then 5 tabs at once, never a 429', async ({ page, context }) => {
  test.setTimeout(180_000);
  const org = await organisation('limits');
  const buyer = await customer(org);
  const ids: number[] = [];
  for (const subject of ['Colis abîmé', 'Remboursement en attente', 'Mauvaise taille']) {
    const ticket = await expectCall(app(org.slug, 'POST', '/v1/tickets', buyer.token, { subject, description: `${subject}.`, category: 'delivery' }), 201);
    ids.push(ticket.id as number);
  }
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await expect(page.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();

  const base = tenantUrl(org.slug);
  const paths = [
    '/',
    '/?view=unassigned',
    '/?view=all',
    ...ids.map((id) => `/tickets/${id}`),
    '/admin/team',
    '/admin/teams',
    '/admin/macros',
    '/admin/categories',
    '/admin/fields',
    '/admin/sla',
    '/admin/schedules',
    '/admin/rules',
    '/admin/integrations',
    '/admin/mailbox',
    '/quarantine',
    '/help-center',
    '/admin',
    '/admin/reports',
  ];
  expect(paths.length).toBe(20);
  const seen = watch(context);
  const started = Date.now();
  for (const path of paths) await load(page, `${base}${path}`);
  const took = Date.now() - started;
  console.log(`20 pages by address in ${took} ms: ${seen.requests} API requests, lowest budget left ${seen.lowest ?? 'not sent'}`);
  expect(took, '20 pages loaded within a minute').toBeLessThan(60_000);

  // Five tabs at once, on the pages a person keeps open (the first one closed: each tab holds its
  // live stream, and a browser opens at most six connections to one HTTP/1.1 origin, which the
  // edge's HTTP/2 lifts).
  await page.close();
  const tabs = await Promise.all(Array.from({ length: 5 }, () => context.newPage()));
  const opened = ['/', `/tickets/${ids[0]}`, `/tickets/${ids[1]}`, '/?view=all', '/admin/teams'];
  await Promise.all(tabs.map((tab, i) => load(tab, `${base}${opened[i]}`)));
  console.log(`then 5 tabs at once: ${seen.requests} API requests in all, lowest budget left ${seen.lowest ?? 'not sent'}`);
  expect(seen.refused, 'requests answered 429').toEqual([]);
  if (seen.lowest !== null) expect(seen.lowest, 'budget left').toBeGreaterThan(0);
  await Promise.all(tabs.map((tab) => tab.close()));
});
