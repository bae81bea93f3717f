// Cold loads of the web app (scripts/web-bench.sh): each in a new browser context, so nothing is
// cached, with a session cookie of its own where signed in (a returning user opening the app).
// Times are from the navigation's start, as the page measures them (performance.now()).
import { writeFileSync } from 'node:fs';
import { type Browser, type Page, test } from '@playwright/test';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run scripts/web-bench.sh)`);
  return value;
};
const slug = env('BENCH_SLUG');
const tenant = `http://${slug}.localhost:${env('BENCH_APP_PORT')}`;
const runs = Number(env('BENCH_RUNS'));

async function refreshToken(email: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${env('BENCH_CONTROL_PORT')}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: slug, email, password: env('BENCH_PASSWORD') }),
  });
  if (response.status !== 200) throw new Error(`login of ${email}: ${response.status}`);
  return (await response.json()).refresh_token;
}

/** A page in a fresh context, signed in as `email` through its cookie alone when given. */
async function coldPage(browser: Browser, email?: string): Promise<Page> {
  const context = await browser.newContext();
  if (email) {
    const value = await refreshToken(email);
    await context.addCookies([
      { name: 'helpdeskly_refresh', value, domain: `${slug}.localhost`, path: '/v1/auth', httpOnly: true, secure: true, sameSite: 'Strict' },
      // Its readable companion, which tells the app there is a session to restore.
      { name: 'helpdeskly_session', value: '1', domain: `${slug}.localhost`, path: '/', secure: true, sameSite: 'Strict' },
    ]);
  }
  return context.newPage();
}

const now = (page: Page) => page.evaluate(() => performance.now());

test('cold loads', async ({ browser }) => {
  const results: Record<string, number[]> = {};
  const record = (name: string, ms: number) => (results[name] ??= []).push(ms);
  const customer = env('BENCH_CUSTOMER');
  const owner = env('BENCH_OWNER');
  // One load first so the services' own first-request costs are not counted.
  const warm = await coldPage(browser, owner);
  await warm.goto(`${tenant}/?view=all`);
  await warm.getByRole('list', { name: 'Tickets in this queue' }).getByRole('link').first().waitFor();
  await warm.context().close();

  for (let run = 0; run < runs; run++) {
    let page = await coldPage(browser);
    await page.goto(`${tenant}/login`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    record('sign-in page: form shown', await now(page));
    await page.context().close();

    page = await coldPage(browser, customer);
    await page.goto(`${tenant}/`);
    await page.getByRole('link', { name: /Commande \d+ incomplète/ }).first().waitFor();
    record('portal: my tickets shown', await now(page));
    await page.context().close();

    page = await coldPage(browser, owner);
    await page.goto(`${tenant}/?view=all`);
    await page.getByRole('list', { name: 'Tickets in this queue' }).getByRole('link').first().waitFor();
    record('console: queue (all) shown', await now(page));
    await page.context().close();

    // The newest ticket in progress holds the seeded thread of 20 messages.
    page = await coldPage(browser, owner);
    await page.goto(`${tenant}/?view=all&status=in_progress`);
    const first = page.getByRole('list', { name: 'Tickets in this queue' }).getByRole('link').first();
    await first.waitFor();
    await page.evaluate(() => ((window as unknown as { openedAt: number }).openedAt = performance.now()));
    await first.click();
    await page.waitForFunction(() => document.querySelectorAll('article').length >= 20);
    record('console: ticket opened to its 20 messages shown', await page.evaluate(() => performance.now() - (window as unknown as { openedAt: number }).openedAt));
    await page.context().close();
  }
  writeFileSync(env('BENCH_RESULTS'), JSON.stringify(results));
});
