// What the tests arrange through the API rather than the browser: organisations, their people,
// an agent's work on a ticket. The services run on 127.0.0.1; the browser reaches them by name
// (localhost for sign-up, {slug}.localhost for an organisation).
import { randomUUID } from 'node:crypto';
import { expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const controlPort = Number(process.env.E2E_CONTROL_PORT ?? 6500);
const appPort = Number(process.env.E2E_APP_PORT ?? 6501);
export const PASSWORD = 'a long passphrase for tests';
export const accessTokenSeconds = Number(process.env.E2E_ACCESS_TOKEN_SECONDS ?? 900);

/** The sign-up page's address. */
export const controlUrl = `http://localhost:${controlPort}`;
/** An organisation's web app. */
export const tenantUrl = (slug: string) => `http://${slug}.localhost:${appPort}`;

export const uniqueSlug = (prefix = 'e2e') => `${prefix}-${randomUUID().slice(0, 8)}`;
export const uniqueEmail = (who: string) => `${who}-${randomUUID().slice(0, 8)}@example.org`;

type Json = Record<string, unknown>;

/** A body that is not JSON (a raw email, say), with its media type. */
type Raw = { type: string; text: string };

async function call(port: number, method: string, path: string, options: { token?: string; slug?: string; body?: Json; raw?: Raw } = {}) {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.raw !== undefined) headers['content-type'] = options.raw.type;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.slug) headers['x-tenant-slug'] = options.slug;
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers,
    body: options.raw !== undefined ? options.raw.text : options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as Json) : {};
  return { status: response.status, json };
}

export const control = (method: string, path: string, options?: { token?: string; body?: Json }) =>
  call(controlPort, method, path, options);

export const app = (slug: string, method: string, path: string, token: string, body?: Json) =>
  call(appPort, method, path, { slug, token, body });

/** A call to the tenant plane whose body is not JSON (`POST /v1/inbound/email`'s raw message). */
export const appRaw = (slug: string, method: string, path: string, token: string, raw: Raw) =>
  call(appPort, method, path, { slug, token, raw });

/** Calls the API and insists on the expected status; returns the body. */
export async function expectCall(promise: ReturnType<typeof call>, status: number): Promise<Json> {
  const response = await promise;
  expect(response.status, JSON.stringify(response.json)).toBe(status);
  return response.json;
}

/** Polls `probe` every 50 ms until it returns something, for at most `seconds` (the probes are
 * cheap reads: a test waits on the services, not on its own clock). */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, seconds = 30): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export type Org = { slug: string; ownerEmail: string; ownerToken: string };

/** An organisation signed up through the API, active, its owner signed in. */
export async function organisation(prefix = 'e2e'): Promise<Org> {
  const slug = uniqueSlug(prefix);
  const ownerEmail = uniqueEmail('owner');
  await expectCall(
    control('POST', '/v1/tenants/signup', {
      body: {
        organization_name: `${slug} SAV`,
        slug,
        admin: { email: ownerEmail, password: PASSWORD, firstname: 'Camille', lastname: 'Durand' },
      },
    }),
    202,
  );
  await eventually(`${slug} to become active`, async () => {
    const status = await control('GET', `/v1/tenants/${slug}/status`);
    return status.json.status === 'active' ? true : undefined;
  }, 60);
  return { slug, ownerEmail, ownerToken: await login(slug, ownerEmail) };
}

/** The platform operator made for the run (systests/test_web_e2e.py): a platform-wide account,
 * of no organisation. */
export const OPERATOR = {
  email: process.env.E2E_OPERATOR_EMAIL ?? 'operator@example.org',
  password: process.env.E2E_OPERATOR_PASSWORD ?? PASSWORD,
};

/** The platform operator signed in through the API (no organisation named): an access token. */
export async function operatorLogin(): Promise<string> {
  const body = await expectCall(control('POST', '/v1/auth/login', { body: { email: OPERATOR.email, password: OPERATOR.password } }), 200);
  expect(body.role).toBe('platform_admin');
  return body.access_token as string;
}

export async function login(slug: string, email: string): Promise<string> {
  const body = await expectCall(control('POST', '/v1/auth/login', { body: { tenant: slug, email, password: PASSWORD } }), 200);
  return body.access_token as string;
}

export type Person = { email: string; token: string; id: string };

/** A customer registered through the API and signed in, known to the tenant plane. */
export async function customer(org: Org, firstname = 'Léa', lastname = 'Martin'): Promise<Person> {
  const email = uniqueEmail('customer');
  await expectCall(
    control('POST', '/v1/auth/register', { body: { tenant: org.slug, email, password: PASSWORD, firstname, lastname } }),
    201,
  );
  return known(org, email);
}

/** A staff member (agent or admin) invited by the owner, registered through the invitation. */
export async function staff(org: Org, role: 'agent' | 'admin', firstname = 'Hugo', lastname = 'Bernard'): Promise<Person> {
  const email = uniqueEmail(role);
  const invitation = await expectCall(
    control('POST', `/v1/tenants/${org.slug}/invitations`, { token: org.ownerToken, body: { email, role } }),
    201,
  );
  await expectCall(
    control('POST', `/v1/invitations/${invitation.token as string}/accept`, { body: { password: PASSWORD, firstname, lastname } }),
    200,
  );
  return known(org, email);
}

/** Signs `email` in and waits until the tenant plane knows them. */
async function known(org: Org, email: string): Promise<Person> {
  const token = await login(org.slug, email);
  const me = await eventually(`${email} to reach the tenant plane`, async () => {
    const response = await app(org.slug, 'GET', '/v1/me', token);
    return response.status === 200 ? response.json : undefined;
  });
  return { email, token, id: me.id as string };
}

/** Fills the login form on the tenant host and waits for the signed-in page. */
export async function signInThroughThePage(page: Page, slug: string, email: string) {
  await page.goto(`${tenantUrl(slug)}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The signed-in person's account menu in the header, opened: their own pages and signing out. */
export async function openAccountMenu(page: Page) {
  await accountMenuButton(page).click();
  return page.getByRole('navigation', { name: 'Your account' });
}

/** The button that opens the account menu (named by the person, then "Account menu"). */
export const accountMenuButton = (page: Page) => page.getByRole('button', { name: /Account menu$/ });

export async function signOut(page: Page) {
  await (await openAccountMenu(page)).getByRole('button', { name: 'Sign out' }).click();
}

/** Opens a page of the console's settings area: the sidebar's Settings, then the area's own
 * navigation. */
export async function openSettings(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name, exact: true })).toHaveAttribute('aria-current', 'page');
}

/** A ticket's History panel (`name`: its title in the page's language), opened: it is folded, and
 * read once first opened. */
export async function openHistory(page: Page, name = 'History'): Promise<Locator> {
  const region = page.getByRole('region', { name, exact: true });
  const open = await region.locator('details').evaluate((details) => (details as HTMLDetailsElement).open);
  if (!open) await region.locator('summary').click();
  return region;
}

/** axe-core's script, put into a page once per document: `window.axe` stays while the app moves
 * from page to page without loading another document. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** No serious or critical accessibility violation on the page as it is now: every axe rule, run
 * in the page's document (the app has no frames), only violations reported. */
export async function expectAccessible(page: Page, where: string) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const serious = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(serious, `accessibility of ${where}`).toEqual([]);
}

/** A full-page screenshot kept for the manual (scripts/web-e2e.sh --screenshots). */
export async function screenshot(page: Page, name: string) {
  const folder = process.env.E2E_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  // From the top, so what sticks while scrolling (the sidebar) is drawn where it starts.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}
