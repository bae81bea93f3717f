// Ticket reports: four tickets made through the API (three in a team, two of them answered,
// resolved and one rated); the owner opens Ticket reports from the sidebar with the keyboard and
// reads the last 30 days by team and by week (the counts in the table), then by priority; a first
// day after the last is refused by the server beside From; the range's tickets download as CSV,
// a line each; the email digest is set (every week, an hour, a time zone, two addresses, a bad
// one said beside its row first) and kept after a reload. In English, then in French.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { type Org, type Person, app, customer, expectAccessible, expectCall, login, organisation, screenshot, signInThroughThePage, staff } from './platform';

// Access tokens may be short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person | { email: string }) => login(org.slug, who.email);

/** Today in the browser's zone (playwright.config.ts: Europe/Paris), as `YYYY-MM-DD`. */
const parisDay = (offsetDays = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(Date.now() + offsetDays * 86_400_000));

/** The report's table row of a group (its header cell), and its cells after it. */
const reportRow = (page: Page, group: string) => page.locator('table.reports-table tbody tr').filter({ has: page.getByRole('rowheader', { name: group, exact: true }) });
/** The cells of a row with periods: period, created, resolved, reopened, …, SLA met, satisfaction. */
const cell = (row: Locator, n: number) => row.getByRole('cell').nth(n);

test('reports: the owner reads the performance report, downloads the CSV and sets the digest', async ({ page }) => {
  test.setTimeout(180_000);
  const org = await organisation('reports');
  const owner = { email: org.ownerEmail };
  const [agent, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), customer(org, 'Léa', 'Martin')]);
  const team = await expectCall(app(org.slug, 'POST', '/v1/teams', await as(org, owner), { name: 'Facturation', assignment: 'manual', member_ids: [agent.id] }), 201);

  // Four tickets: three in the team (one urgent, one high), one without a team.
  const made: number[] = [];
  for (const subject of ['Double prélèvement', 'Facture introuvable', 'Remboursement en attente', 'Colis abîmé']) {
    const ticket = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject, description: 'Détails du problème.' }), 201);
    made.push(ticket.id as number);
  }
  const [first, second, third, fourth] = made as [number, number, number, number];
  for (const [id, priority] of [
    [first, 'urgent'],
    [second, 'high'],
    [third, 'medium'],
  ] as const) {
    await expectCall(app(org.slug, 'PATCH', `/v1/tickets/${id}`, await as(org, owner), { team_id: team.id as string, priority }), 200);
  }
  await expectCall(app(org.slug, 'PATCH', `/v1/tickets/${fourth}`, await as(org, owner), { priority: 'medium' }), 200);
  // Two answered and resolved by the agent, the first rated 5 by the customer.
  for (const id of [first, second]) {
    await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/assign`, await as(org, agent), { assigned_to: agent.id }), 200);
    const started = await app(org.slug, 'POST', `/v1/tickets/${id}/status`, await as(org, agent), { status: 'in_progress' });
    expect([200, 409]).toContain(started.status);
    await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, await as(org, agent), { message: 'C’est réglé.' }), 201);
    await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/status`, await as(org, agent), { status: 'resolved' }), 200);
  }
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${first}/satisfaction`, await as(org, buyer), { rating: 5 }), 201);

  // The owner opens Ticket reports from the sidebar, with the keyboard.
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ticket reports' });
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Ticket reports', level: 1 })).toBeVisible();
  await expect(link).toHaveAttribute('aria-current', 'page');

  // The defaults: the last 30 days, by team, by week.
  const from = page.getByLabel('From', { exact: true });
  const to = page.getByLabel('To', { exact: true });
  await expect(from).toHaveValue(parisDay(-29));
  await expect(to).toHaveValue(parisDay());
  await expect(page.getByLabel('Group by')).toHaveValue('team');
  await expect(page.getByLabel('Period', { exact: true })).toHaveValue('week');
  const table = page.locator('table.reports-table');
  await expect(table.locator('caption')).toHaveText('Tickets by team and by period (Week)');
  const billing = reportRow(page, 'Facturation');
  await expect(cell(billing, 0)).toHaveText(/^Week of /);
  await expect(cell(billing, 1)).toHaveText('3');
  await expect(cell(billing, 2)).toHaveText('2');
  await expect(cell(billing, 9)).toHaveText('5.0');
  await expect(cell(reportRow(page, 'No team'), 1)).toHaveText('1');
  await expect(cell(reportRow(page, 'No team'), 2)).toHaveText('0');
  await expect(cell(reportRow(page, 'No team'), 4)).toHaveText('—');
  await expect(table.locator('tfoot tr').getByRole('cell').nth(1)).toHaveText('4');
  // Each chart is an image with a summary, its numbers in a table behind a disclosure.
  await expect(page.getByRole('img', { name: /^First response time of Facturation, median and 90th percentile/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Share of tickets within their service targets, for 2 groups by team/ })).toBeVisible();
  await expect(page.getByLabel('Group shown over time (team)')).toHaveValue(team.id as string);
  await expectAccessible(page, 'the reports page');
  await screenshot(page, 'reports-en');

  // By priority: a row per priority, translated.
  await page.getByLabel('Group by').selectOption('priority');
  await page.getByRole('button', { name: 'Show the report' }).click();
  await expect(table.locator('caption')).toHaveText('Tickets by priority and by period (Week)');
  await expect(cell(reportRow(page, 'Urgent'), 1)).toHaveText('1');
  await expect(cell(reportRow(page, 'High'), 1)).toHaveText('1');
  await expect(cell(reportRow(page, 'Medium'), 1)).toHaveText('2');
  await expect(table.locator('tfoot tr').getByRole('cell').nth(1)).toHaveText('4');

  // A first day after the last: the server's refusal beside From, the focus on it.
  await from.fill(parisDay(10));
  await page.getByRole('button', { name: 'Show the report' }).click();
  await expect(from).toHaveAttribute('aria-invalid', 'true');
  await expect(from).toHaveAccessibleDescription(/The first day must be a date, and not after the last day\./);
  await expect(from).toBeFocused();
  await expect(page.getByText('Correct the filters marked above to see the report.')).toBeVisible();
  await expect(table).toHaveCount(0);
  await expectAccessible(page, 'the reports page with a refused filter');
  // No date at all: said before sending.
  await from.fill('');
  await page.getByRole('button', { name: 'Show the report' }).click();
  await expect(from).toHaveAccessibleDescription(/Enter the first day of the range\./);
  await from.fill(parisDay(-29));
  await page.getByRole('button', { name: 'Show the report' }).click();
  await expect(from).not.toHaveAttribute('aria-invalid', 'true');
  await expect(cell(reportRow(page, 'Urgent'), 1)).toHaveText('1');

  // The range's tickets as CSV, a line each.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const csv = await download;
  expect(csv.suggestedFilename()).toMatch(/^tickets-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = await csv.createReadStream().then(async (stream) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  });
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line !== '');
  expect(lines[0]).toMatch(/^number,subject,status,/);
  expect(lines).toHaveLength(1 + made.length);
  expect(text).toContain('Double prélèvement');

  // The digest: every week on Friday at 07:00, Paris time, to two addresses.
  const digest = page.getByRole('region', { name: 'Email digest' });
  await expect(digest).toContainText('None sent yet');
  await digest.getByLabel('Send the digest').selectOption('weekly');
  await digest.getByLabel('On', { exact: true }).selectOption('fri');
  await digest.getByLabel('At', { exact: true }).selectOption('7');
  await digest.getByLabel('Time zone of the digest').fill('Europe/Paris');
  await digest.getByLabel('Email address 1').fill('direction@example.org');
  await digest.getByRole('button', { name: 'Add an address' }).focus();
  await page.keyboard.press('Enter');
  const secondAddress = digest.getByLabel('Email address 2');
  await expect(secondAddress).toBeFocused();
  await page.keyboard.type('not an address');
  await digest.getByRole('button', { name: 'Save the digest settings' }).click();
  await expect(secondAddress).toHaveAttribute('aria-invalid', 'true');
  await expect(secondAddress).toHaveAccessibleDescription(/Enter a valid email address, such as name@example\.com\./);
  await expect(secondAddress).toBeFocused();
  await secondAddress.fill('support-leads@example.org');
  await digest.getByRole('button', { name: 'Save the digest settings' }).click();
  await expect(digest.getByText('The digest settings are saved.')).toBeVisible();
  await expect(digest).not.toContainText('None planned');
  const held = await expectCall(app(org.slug, 'GET', '/v1/reports/digest', await as(org, owner)), 200);
  expect([held.frequency, held.weekday, held.hour, held.time_zone, held.recipients]).toEqual(['weekly', 'fri', 7, 'Europe/Paris', ['direction@example.org', 'support-leads@example.org']]);

  // Kept after a reload.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Ticket reports', level: 1 })).toBeVisible();
  await expect(digest.getByLabel('Send the digest')).toHaveValue('weekly');
  await expect(digest.getByLabel('On', { exact: true })).toHaveValue('fri');
  await expect(digest.getByLabel('At', { exact: true })).toHaveValue('7');
  await expect(digest.getByLabel('Time zone of the digest')).toHaveValue('Europe/Paris');
  await expect(digest.getByLabel('Email address 1')).toHaveValue('direction@example.org');
  await expect(digest.getByLabel('Email address 2')).toHaveValue('support-leads@example.org');
  await expect(cell(reportRow(page, 'Facturation'), 1)).toHaveText('3');
  await expectAccessible(page, 'the reports page with the digest set');

  // In French.
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Rapports des tickets', level: 1 })).toBeVisible();
  await expect(table.locator('caption')).toHaveText('Tickets par équipe et par période (Semaine)');
  await expect(cell(reportRow(page, 'Sans équipe'), 1)).toHaveText('1');
  await expect(cell(reportRow(page, 'Facturation'), 0)).toHaveText(/^Semaine du /);
  await expect(page.getByRole('button', { name: 'Télécharger le CSV' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Synthèse par e-mail' }).getByLabel('Envoyer la synthèse')).toHaveValue('weekly');
  await expectAccessible(page, 'la page des rapports');
  await screenshot(page, 'reports-fr');
});
