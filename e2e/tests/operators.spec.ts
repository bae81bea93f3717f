// Platform operators on the control host: they sign in without an organisation, see every
// organisation with where its data is kept, filter the list (the address keeps the filters
// through a reload), page through it, move an organisation to its own database and back, in
// English and in French; anyone else is told the area is theirs only.
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
    await expect(row.getByRole('cell')).toHaveText([org.slug, 'Active', 'Shared database', 'default', /\S/, /\S/, 'Move…']);
  }
  await expectAccessible(page, 'the list of organisations');

  // The filters by keyboard: a placement chosen with the arrows, a cluster typed, Enter applies.
  // On a cluster no organisation is on: another test of the run may have an organisation in its
  // own database on the default cluster while this one looks.
  await page.getByLabel('Placement').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByLabel('Placement')).toHaveValue('dedicated');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Cluster')).toBeFocused();
  await page.keyboard.type('nowhere');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(`${TENANTS}?placement=dedicated&cluster=nowhere`);
  await expect(page.getByText('No organisation matches these filters.')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  await expectAccessible(page, 'the list of organisations, none matching');
  // A reload keeps them.
  await page.reload();
  await expect(page.getByText('No organisation matches these filters.')).toBeVisible();
  await expect(page.getByLabel('Placement')).toHaveValue('dedicated');
  await expect(page.getByLabel('Cluster')).toHaveValue('nowhere');

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

test('an operator moves an organisation to its own database by keyboard and back, and reads the form in French', async ({ page }) => {
  const org = await organisation('mv');
  const name = `${org.slug} SAV`;
  const operator = await operatorLogin();

  await page.goto(TENANTS);
  await page.getByLabel('Email').fill(OPERATOR.email);
  await page.getByLabel('Password').fill(OPERATOR.password);
  await page.getByLabel('Password').press('Enter');
  await expect(page.getByRole('heading', { name: 'Organisations', level: 1 })).toBeVisible();
  const row = await rowOf(page, org.slug);
  const cells = row.getByRole('cell');
  await expect(cells).toHaveText([org.slug, 'Active', 'Shared database', 'default', /\S/, /\S/, 'Move…']);
  const poolDatabase = (await cells.nth(4).textContent()) ?? '';
  const move = row.getByRole('button', { name: `Move ${name}` });

  // By keyboard: the row's button opens the form, its first field focused, on the placement the
  // organisation is not in; Escape closes it, the focus back on the button.
  await move.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Move ${name}` });
  await expect(dialog).toBeVisible();
  const to = dialog.getByLabel('Move to');
  const cluster = dialog.getByLabel('Cluster');
  await expect(to).toBeFocused();
  await expect(to).toHaveValue('dedicated');
  await expect(to.locator('option:checked')).toHaveText('Own database');
  await expect(dialog).toContainText('Now: Shared database on cluster default.');
  await expect(cluster).toHaveValue('');
  await expect(cluster).toHaveAccessibleDescription('A database cluster’s name. Leave empty to stay on its own cluster.');
  await expectAccessible(page, 'the form to move an organisation');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(move).toBeFocused();

  // A cluster the platform does not have is refused beside its field, which takes the focus.
  await page.keyboard.press('Enter');
  await expect(to).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(cluster).toBeFocused();
  await page.keyboard.type('nowhere');
  await page.keyboard.press('Enter');
  await expect(cluster).toHaveAttribute('aria-invalid', 'true');
  await expect(cluster).toHaveAccessibleDescription(/No active cluster has this name\.$/);
  await expect(cluster).toBeFocused();
  await expectAccessible(page, 'the form to move an organisation, its cluster refused');

  // Emptied, the cluster is its own: the move starts, the form closes, the focus back on the
  // button, and the page says how it goes until it is done.
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await expect(cluster).toHaveValue('');
  await expect(cluster).not.toHaveAttribute('aria-invalid', 'true');
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Start the move' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(move).toBeFocused();
  const progress = page.getByRole('status').filter({ hasText: name });
  await expect(progress).toHaveText(new RegExp(`^${name}: (Copying its data…|Switching: its changes wait a few seconds…)$`));
  await expect(progress).toHaveText(`${name}: Moved to its own database on cluster default.`, { timeout: 60_000 });
  await expect(cells.nth(2)).toHaveText('Own database');
  await expect(cells.nth(3)).toHaveText('default');
  await expect(cells.nth(4)).not.toHaveText(poolDatabase);
  const dedicated = await expectCall(control('GET', `/v1/tenants/${org.slug}/placement`, { token: operator }), 200);
  expect(dedicated).toMatchObject({ mode: 'dedicated', cluster: 'default', move: { status: 'done', to: { mode: 'dedicated', cluster: 'default' } } });
  await expect(cells.nth(4)).toHaveText(dedicated.database as string);
  await expectAccessible(page, 'an organisation moved to its own database');

  // In French, the same form in its words; Cancel gives the focus back to the button.
  await page.getByLabel('Language').selectOption('fr');
  await expect(progress).toHaveText(`${name} : Déplacée vers une base dédiée sur le cluster default.`);
  await expect(cells.nth(2)).toHaveText('Base dédiée');
  const moveInFrench = row.getByRole('button', { name: `Déplacer ${name}` });
  await expect(moveInFrench).toHaveText('Déplacer…');
  await moveInFrench.click();
  const dialogInFrench = page.getByRole('dialog', { name: `Déplacer ${name}` });
  await expect(dialogInFrench.getByLabel('Déplacer vers')).toBeFocused();
  await expect(dialogInFrench.getByLabel('Déplacer vers').locator('option:checked')).toHaveText('Base partagée');
  await expect(dialogInFrench).toContainText('Actuellement : Base dédiée sur le cluster default.');
  await expect(dialogInFrench.getByLabel('Cluster')).toHaveAccessibleDescription('Le nom d’un cluster de bases de données. Laissez vide pour rester sur son cluster actuel.');
  await expect(dialogInFrench.getByRole('button', { name: 'Lancer le déplacement' })).toBeVisible();
  await expectAccessible(page, 'the form to move an organisation in French');
  await dialogInFrench.getByRole('button', { name: 'Annuler' }).click();
  await expect(dialogInFrench).toBeHidden();
  await expect(moveInFrench).toBeFocused();
  await page.getByLabel('Langue').selectOption('en');

  // The placement it has already is refused in plain words; the other one moves it back.
  await move.click();
  await expect(to).toHaveValue('pooled');
  await to.selectOption('dedicated');
  await dialog.getByRole('button', { name: 'Start the move' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('It is there already: choose another placement or another cluster.');
  await expectAccessible(page, 'the form to move an organisation, the move refused');
  await to.selectOption('pooled');
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Start the move' }).click();
  await expect(dialog).toBeHidden();
  await expect(progress).toHaveText(`${name}: Moved to a shared database on cluster default.`, { timeout: 60_000 });
  await expect(cells).toHaveText([org.slug, 'Active', 'Shared database', 'default', /\S/, /\S/, 'Move…']);
  const pooled = await expectCall(control('GET', `/v1/tenants/${org.slug}/placement`, { token: operator }), 200);
  expect(pooled).toMatchObject({ mode: 'pooled', cluster: 'default', move: { status: 'done', to: { mode: 'pooled' } } });
  await expect(cells.nth(4)).toHaveText(pooled.database as string);
  await expectAccessible(page, 'an organisation moved back to a shared database');
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
