// Platform operators on the control host: they sign in without an organisation, see every
// organisation with where its data is kept, filter the list (the address keeps the filters
// through a reload), page through it, in English and in French; anyone else is told the area
// is theirs only.
import { expect, test, type Page } from '@playwright/test';
import { OPERATOR, PASSWORD, accountMenuButton, control, controlUrl, expectAccessible, expectCall, operatorLogin, organisation, signOut } from './platform';

const TENANTS = `${controlUrl}/operators/tenants`;

/** The table's row of an organisation (named by its address), "Show more" pressed until it is
 * there: the list holds every organisation of the run, oldest first. */
async function rowOf(page: Page, slug: string) {
  const table = page.getByRole('table');
  const row = table.getByRole('row').filter({ has: page.getByRole('cell', { name: slug, exact: true }) });
  const more = page.getByRole('button', { name: 'Show more organisations' });
  await expect(table).toBeVisible();
  // The list of the filters applied, not the last one still shown while it loads.
  await expect(table).not.toHaveAttribute('aria-busy', 'true');
  while (!(await row.isVisible())) {
    await expect(more, `${slug} in the list`).toBeEnabled();
    const shown = await table.getByRole('row').count();
    await more.click();
    await expect.poll(() => table.getByRole('row').count()).toBeGreaterThan(shown);
  }
  return row;
}

test('an operator lists the organisations with their placement, and filters and pages the list', async ({ page }) => {
  const first = await organisation('ops');
  const second = await organisation('ops');

  // Signed out, the list asks to sign in first, and comes back to it afterwards.
  await page.goto(TENANTS);
  await expect(page.getByRole('heading', { name: 'Sign in as a platform operator' })).toBeVisible();
  await expect(page).toHaveURL(/\/operators\/login\?next=/);
  await expectAccessible(page, 'the operators’ sign-in page');
  await page.getByLabel('Email').fill(OPERATOR.email);
  await page.getByLabel('Password').fill(OPERATOR.password);
  await page.getByLabel('Password').press('Enter');
  await expect(page.getByRole('heading', { name: 'Organisations', level: 1 })).toBeVisible();
  await expect(page).toHaveURL(TENANTS);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisations' })).toHaveAttribute('aria-current', 'page');

  for (const org of [first, second]) {
    const row = await rowOf(page, org.slug);
    await expect(row.getByRole('rowheader')).toHaveText(`${org.slug} SAV`);
    // New organisations share their cluster's pool database.
    await expect(row.getByRole('cell')).toHaveText([org.slug, 'Active', 'Shared database', 'default', /\S/, /\S/]);
  }
  await expectAccessible(page, 'the list of organisations');

  // The filters by keyboard: a placement chosen with the arrows, a cluster typed, Enter applies.
  await page.getByLabel('Placement').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByLabel('Placement')).toHaveValue('dedicated');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Cluster')).toBeFocused();
  await page.keyboard.type('default');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${TENANTS}?placement=dedicated&cluster=default`);
  await expect(page.getByText('No organisation matches these filters.')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  await expectAccessible(page, 'the list of organisations, none matching');
  // A reload keeps them.
  await page.reload();
  await expect(page.getByText('No organisation matches these filters.')).toBeVisible();
  await expect(page.getByLabel('Placement')).toHaveValue('dedicated');
  await expect(page.getByLabel('Cluster')).toHaveValue('default');

  // In French, the same page in its words.
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Organisations', level: 1 })).toBeVisible();
  await expect(page.getByText('Aucune organisation ne correspond à ces filtres.')).toBeVisible();
  await expect(page.getByLabel('Hébergement')).toHaveValue('dedicated');
  await expect(page.getByRole('button', { name: 'Appliquer les filtres' })).toBeVisible();
  await expectAccessible(page, 'the list of organisations in French');
  await page.getByLabel('Langue').selectOption('en');

  // Both suspended, then the suspended ones, one a page: "Show more" brings the next.
  const operator = await operatorLogin();
  for (const org of [first, second]) await expectCall(control('POST', `/v1/tenants/${org.slug}/suspend`, { token: operator }), 200);
  await page.route(/\/v1\/tenants\?/, (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('limit', '1');
    return route.continue({ url: url.toString() });
  });
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(TENANTS);
  await expect(page.getByLabel('Placement')).toHaveValue('');
  await page.getByLabel('Status', { exact: true }).selectOption('suspended');
  await page.getByRole('button', { name: 'Apply filters' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${TENANTS}?status=suspended`);
  await expect(page.getByRole('table').getByRole('row').nth(1).getByRole('cell').nth(1)).toHaveText('Suspended');
  await expect(page.getByRole('table')).not.toHaveAttribute('aria-busy', 'true');
  await expect(page.getByRole('status').filter({ hasText: '1 organisation shown, more to load.' })).toBeVisible();
  for (const org of [first, second]) {
    const row = await rowOf(page, org.slug);
    await expect(row.getByRole('cell').nth(1)).toHaveText('Suspended');
  }
  await expect(page.getByRole('table').getByRole('cell', { name: 'Active', exact: true })).toHaveCount(0);
  await expectAccessible(page, 'the suspended organisations');

  // Signing out ends the session: the list asks to sign in again.
  await signOut(page);
  await expect(page.getByRole('heading', { name: 'Sign in as a platform operator' })).toBeVisible();
  await page.goto(TENANTS);
  await expect(page.getByRole('heading', { name: 'Sign in as a platform operator' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisations' })).toHaveCount(0);
});

test('the operators’ area is for platform operators only', async ({ page }) => {
  const org = await organisation('notops');

  // An organisation's owner is no platform operator: the sign-in without an organisation refuses.
  await page.goto(`${controlUrl}/operators/login`);
  await page.getByLabel('Email').fill(org.ownerEmail);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  // A field left empty is said beside it.
  await page.getByLabel('Email').fill('');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Email')).toBeFocused();

  // With the owner's session on this host all the same, the list says plainly whose area it is.
  const signedIn = await page.evaluate(
    async ({ tenant, email, password }) => (await fetch('/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant, email, password }) })).status,
    { tenant: org.slug, email: org.ownerEmail, password: PASSWORD },
  );
  expect(signedIn).toBe(200);
  await page.goto(TENANTS);
  await expect(page.getByRole('alert')).toHaveText('This area is for platform operators only. Sign out, then sign in with a platform operator’s account.');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisations' })).toHaveCount(0);
  await expectAccessible(page, 'the operators’ area refused');
  await expect(accountMenuButton(page)).toBeVisible();
  await signOut(page);
  await expect(page.getByRole('heading', { name: 'Sign in as a platform operator' })).toBeVisible();
});
