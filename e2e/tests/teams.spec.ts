// Teams and automatic assignment: an admin makes a round-robin team on the console's Teams page
// (the form's own checks, the name already taken beside the name, one changed in place and one
// deleted after a confirmation); an agent of the team says in the header that they are
// unavailable, so a ticket moved into the team from its properties panel waits in the team's
// queue (in the sidebar, with its count, for the admin and the agent); available again, the
// agent is handed that ticket, and the next ticket moved into the team goes to them at once. In
// English, then in French.
import { expect, test, type Page } from '@playwright/test';
import { app, customer, expectAccessible, expectCall, login, openHistory, openSettings, organisation, screenshot, signInThroughThePage, staff, tenantUrl, type Org, type Person } from './platform';

// Access tokens may be short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

/** The header's availability switch (named by what it shows: Available or Unavailable). */
const availability = (page: Page) => page.getByRole('banner').getByRole('switch');

/** The ticket's Team property, in the panel beside the thread. */
const teamProperty = (page: Page) => page.getByRole('region', { name: 'Ticket properties' }).getByRole('region', { name: 'Team', exact: true });

test('teams: a round-robin team hands its tickets to its available member; its queue is in the sidebar', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const org = await organisation('teams');
  const [admin, agent, buyer] = await Promise.all([
    staff(org, 'admin', 'Nadia', 'Roux'),
    staff(org, 'agent', 'Inès', 'Moreau'),
    customer(org, 'Léa', 'Martin'),
  ]);
  const first = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Double prélèvement sur ma carte', description: 'Débitée deux fois.' }), 201);
  const second = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Facture introuvable', description: 'Je ne la trouve pas.' }), 201);
  const waiting = first.id as number;
  const routed = second.id as number;

  // The admin's Teams page.
  await signInThroughThePage(page, org.slug, admin.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await openSettings(page, 'Teams');
  await expect(page.getByRole('heading', { name: 'Teams', level: 1 })).toBeVisible();
  await expect(page.getByText('No teams yet.')).toBeVisible();
  const form = page.locator('form.team-form').first();
  await expect(form.getByRole('radio', { name: 'In turn (round robin)' })).toBeChecked();
  await expect(form.getByRole('radio', { name: 'By hand' })).toHaveAccessibleDescription(/wait in the team’s queue/);
  await expectAccessible(page, 'the teams page');

  // Nothing named, then a cap out of range: said beside the fields before anything is sent.
  await form.getByRole('button', { name: 'Create team' }).click();
  await expect(form.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Name', { exact: true })).toBeFocused();
  await expect(form.getByText('Give the team a name.')).toBeVisible();
  await form.getByLabel('Name', { exact: true }).fill('Facturation');
  await form.getByLabel('Description (optional)').fill('Paiements, remboursements, factures.');
  const cap = form.getByLabel('Most tickets in progress per member (optional)');
  await cap.fill('0');
  await form.getByRole('button', { name: 'Create team' }).click();
  await expect(cap).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByText('Enter a whole number from 1 to 1000')).toBeVisible();
  await cap.fill('5');
  const members = form.getByRole('group', { name: 'Members' });
  await members.getByRole('checkbox', { name: 'Inès Moreau' }).check();
  await form.getByRole('radio', { name: 'In turn (round robin)' }).check();
  await form.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByText('The team “Facturation” has been created.')).toBeVisible();
  const billing = page.getByRole('listitem', { name: 'Facturation' });
  await expect(billing).toContainText('In turn (round robin)');
  await expect(billing).toContainText('At most 5');
  await expect(billing).toContainText('1 member');
  await expect(billing.getByRole('list', { name: 'Members of Facturation' })).toContainText('Inès Moreau');
  // The form is empty again for the next one.
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('');
  const made = await expectCall(app(org.slug, 'GET', '/v1/teams', await as(org, agent)), 200);
  const teams = made as unknown as { id: string; name: string; assignment: string; max_open_per_agent: number | null; member_ids: string[] }[];
  expect(teams.map((team) => [team.name, team.assignment, team.max_open_per_agent, team.member_ids])).toEqual([['Facturation', 'round_robin', 5, [agent.id]]]);

  // The same name, whatever the case, is refused beside the field; another one is deleted after
  // a confirmation.
  await form.getByLabel('Name', { exact: true }).fill('FACTURATION');
  await form.getByRole('radio', { name: 'By hand' }).check();
  await form.getByRole('button', { name: 'Create team' }).click();
  await expect(form.getByText('Another team already has this name.')).toBeVisible();
  await expect(form.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await form.getByLabel('Name', { exact: true }).fill('Retours');
  await form.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByText('The team “Retours” has been created.')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Retours' })).toContainText('By hand');
  await expect(page.getByText('2 teams, by name.')).toBeVisible();
  await page.getByRole('button', { name: 'Delete Retours' }).click();
  await expect(page.getByRole('button', { name: 'Yes, delete Retours' })).toBeFocused();
  await page.getByRole('button', { name: 'Yes, delete Retours' }).click();
  await expect(page.getByText('The team “Retours” has been deleted.')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Retours' })).toHaveCount(0);
  await expect(page.getByText('1 team, by name.')).toBeVisible();

  // Changed in place: no cap any more.
  await billing.getByRole('button', { name: 'Edit Facturation' }).click();
  await expect(billing.getByLabel('Name', { exact: true })).toBeFocused();
  await billing.getByLabel('Most tickets in progress per member (optional)').fill('');
  await billing.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('The team “Facturation” has been saved.')).toBeVisible();
  await expect(billing).toContainText('No limit');
  await expectAccessible(page, 'the teams page with a team');
  await screenshot(page, 'admin-teams-en');

  // The team's queue in the admin's sidebar (admins see every team's), empty for now.
  const sidebar = page.getByRole('navigation', { name: 'Main' });
  const billingQueue = sidebar.getByRole('link', { name: /^Facturation/ });
  await expect(billingQueue).toHaveAccessibleName('Facturation, 0 to assign');

  // The agent, in a browser of their own: available, as everyone starts; then not.
  const context = await browser.newContext();
  const desk = await context.newPage();
  await signInThroughThePage(desk, org.slug, agent.email);
  await expect(desk.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  const toggle = availability(desk);
  await expect(toggle).toHaveAccessibleName('Available');
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  await expect(toggle).toHaveAccessibleDescription('Automatic assignment gives you tickets only while you are available.');
  await toggle.focus();
  await desk.keyboard.press('Space');
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await expect(toggle).toHaveAccessibleName('Unavailable');
  expect((await expectCall(app(org.slug, 'GET', '/v1/me', await as(org, agent)), 200)).available).toBe(false);
  const deskSidebar = desk.getByRole('navigation', { name: 'Main' });
  const deskQueue = deskSidebar.getByRole('link', { name: /^Facturation/ });
  await expect(deskQueue).toHaveAccessibleName('Facturation, 0 to assign');
  await expectAccessible(desk, 'the console with the availability switch and a team queue');

  // Nobody of the team can take a ticket now: moved into it from its page, it waits in its queue.
  // The page's first read of the teams meets a server that is busy for a moment (a 503, as under
  // a failover): the sidebar and the ticket try again by themselves, and nothing is missing.
  let busy = 0;
  await page.route(/\/v1\/teams(\?|$)/, async (route) => {
    if (route.request().method() !== 'GET' || busy > 0) return route.fallback();
    busy += 1;
    await route.fulfill({
      status: 503,
      headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '1' },
      body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, code: 'dependency_unavailable' }),
    });
  });
  await page.goto(`${tenantUrl(org.slug)}/tickets/${waiting}`);
  await expect(page.getByRole('heading', { name: 'Double prélèvement sur ma carte', level: 1 })).toBeVisible();
  await expect(billingQueue).toHaveAccessibleName('Facturation, 0 to assign');
  expect(busy).toBe(1);
  await page.unroute(/\/v1\/teams(\?|$)/);
  const team = teamProperty(page);
  await expect(team.getByRole('combobox')).toHaveValue('');
  await team.getByRole('combobox').selectOption({ label: 'Facturation' });
  await team.getByRole('button', { name: 'Change team' }).click();
  await expect(page.getByText('Moved to the team “Facturation”. Nobody in it could take it yet: it waits in the team’s queue.')).toBeVisible();
  await expect(team).toContainText('Assignment: In turn (round robin).');
  await expect(page.getByText('Nobody has this ticket yet.')).toBeVisible();
  await expect(page.getByText('Current status: Open')).toBeVisible();
  await expect(await openHistory(page)).toContainText('moved it to the team “Facturation”');
  await expectAccessible(page, 'a ticket with its team');
  await expect(billingQueue).toHaveAccessibleName('Facturation, 1 to assign', { timeout: 30_000 });

  // The agent sees it counted, and finds it in the team's queue.
  await expect(deskQueue).toHaveAccessibleName('Facturation, 1 to assign', { timeout: 30_000 });
  await deskQueue.click();
  await expect(desk.getByRole('heading', { name: 'Facturation: unassigned tickets', level: 1 })).toBeVisible();
  await expect(deskQueue).toHaveAttribute('aria-current', 'page');
  await expect(desk.getByLabel('Team', { exact: true })).toHaveValue(teams[0]!.id);
  const queue = desk.getByRole('list', { name: 'Tickets in this queue' });
  await expect(queue.getByRole('link')).toHaveCount(1);
  await expect(queue.getByRole('link', { name: /Double prélèvement sur ma carte/ })).toBeVisible();
  await expect(queue).toContainText('Team: Facturation');
  await expectAccessible(desk, 'a team’s queue');

  // Available again: the waiting ticket is handed to the agent.
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  await expect(toggle).toHaveAccessibleName('Available');
  await expect
    .poll(async () => (await expectCall(app(org.slug, 'GET', `/v1/tickets/${waiting}`, await as(org, admin)), 200)).assigned_to, { timeout: 30_000 })
    .toBe(agent.id);
  await expect(deskQueue).toHaveAccessibleName('Facturation, 0 to assign', { timeout: 30_000 });
  await expect(deskSidebar.getByRole('link', { name: 'My tickets' })).toHaveAccessibleName('My tickets, 1 not yet resolved', { timeout: 30_000 });
  await expect(page.getByText('Assigned to Inès Moreau.').first()).toBeVisible({ timeout: 30_000 });
  await expect(await openHistory(page)).toContainText('Automatic assignment', { timeout: 30_000 });

  // The next ticket moved into the team goes to her at once, and the panel says so.
  await page.goto(`${tenantUrl(org.slug)}/tickets/${routed}`);
  await expect(page.getByRole('heading', { name: 'Facture introuvable', level: 1 })).toBeVisible();
  await teamProperty(page).getByRole('combobox').selectOption({ label: 'Facturation' });
  await teamProperty(page).getByRole('button', { name: 'Change team' }).click();
  await expect(page.getByText('Moved to the team “Facturation” and assigned automatically to Inès Moreau.')).toBeVisible();
  const properties = page.getByRole('region', { name: 'Ticket properties' });
  await expect(properties.getByRole('region', { name: 'Assignee' })).toContainText('Assigned to Inès Moreau.');
  await expect(page.getByText('Current status: In progress')).toBeVisible();
  await expect(await openHistory(page)).toContainText('Automatic assignment');
  const after = await expectCall(app(org.slug, 'GET', `/v1/tickets/${routed}`, await as(org, agent)), 200);
  expect([after.team_id, after.assigned_to, after.status]).toEqual([teams[0]!.id, agent.id, 'in_progress']);
  await expect(billingQueue).toHaveAccessibleName('Facturation, 0 to assign', { timeout: 30_000 });
  await expect(deskSidebar.getByRole('link', { name: 'My tickets' })).toHaveAccessibleName('My tickets, 2 not yet resolved', { timeout: 30_000 });

  // In French: the Teams page, the team's queue and the switch.
  await openSettings(page, 'Teams');
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Équipes', level: 1 })).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'Facturation' })).toContainText('À tour de rôle');
  await expect(page.getByRole('listitem', { name: 'Facturation' })).toContainText('Sans limite');
  const principale = page.getByRole('navigation', { name: 'Navigation principale' });
  await expect(principale.getByRole('list', { name: 'Files des équipes' }).getByRole('link')).toHaveAccessibleName('Facturation, 0 à attribuer');
  await expectAccessible(page, 'la page des équipes');
  await screenshot(page, 'admin-teams-fr');

  await desk.getByLabel('Language').selectOption('fr');
  await expect(toggle).toHaveAccessibleName('Disponible');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await expect(toggle).toHaveAccessibleName('Indisponible');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  await expect(toggle).toHaveAccessibleName('Disponible');
  expect((await expectCall(app(org.slug, 'GET', '/v1/me', await as(org, agent)), 200)).available).toBe(true);
  await expectAccessible(desk, 'la console avec la disponibilité');
  await context.close();
});
