// The console's admin pages: the dashboards, the team (an agent invited by link, who registers
// through it in the browser and signs in), and the settings (the SLA policy with its rules
// beside the fields, the two-factor requirement); none of it for agents.
import { expect, test } from '@playwright/test';
import {
  PASSWORD,
  app,
  customer,
  expectAccessible,
  expectCall,
  openSettings,
  organisation,
  screenshot,
  signInThroughThePage,
  signOut,
  staff,
  tenantUrl,
  uniqueEmail,
  type Person,
} from './platform';

test('admin: the dashboard shows the SLA summary, the workload and the storage', async ({ page }) => {
  const org = await organisation('dash');
  const [agent, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), customer(org)]);
  const subjects = ['Colis abîmé', 'Paiement refusé', 'Retour à organiser'];
  const made = [];
  for (const subject of subjects) {
    made.push(await expectCall(app(org.slug, 'POST', '/v1/tickets', buyer.token, { subject, description: 'Détails.' }), 201));
  }
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${made[0]!.id as number}/assign`, agent.token, { assigned_to: agent.id }), 200);

  const refusedByCsp: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refusedByCsp.push(message.text());
  });
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  // Owners see every ticket.
  await page.getByRole('link', { name: 'All tickets' }).click();
  for (const subject of subjects) await expect(page.getByRole('link', { name: new RegExp(subject) })).toBeVisible();
  await expectAccessible(page, 'all tickets');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  await expect(page.getByRole('img', { name: /3 tickets not closed/ })).toBeVisible();
  await expect(page.getByRole('table', { name: /Tickets not closed, by status/ })).toBeVisible();
  const workload = page.getByRole('table', { name: 'Tickets assigned to each person, by status' });
  await expect(workload.getByRole('row', { name: /Inès Moreau/ })).toContainText('1');
  await expect(page.getByText(/of .* used/)).toBeVisible();
  // The charts are drawn on their canvases (Chart.js sizes them), with nothing refused by the CSP.
  await expect.poll(() => page.locator('canvas').evaluateAll((all) => all.filter((c) => (c as HTMLCanvasElement).style.boxSizing === 'border-box').length)).toBe(2);
  expect(refusedByCsp).toEqual([]);
  await expectAccessible(page, 'the dashboard');
  await screenshot(page, 'admin-dashboard-en');

  // An owner gives a ticket to someone; the workload follows.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All tickets' }).click();
  await page.getByRole('link', { name: /Paiement refusé/ }).click();
  await page.getByRole('button', { name: 'Choose someone else' }).click();
  await page.getByLabel('Assign to someone else').selectOption({ label: 'Inès Moreau' });
  await page.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(page.getByText('Assigned to Inès Moreau.').first()).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expect(workload.getByRole('row', { name: /Inès Moreau/ })).toContainText('2');

  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Tableau de bord', level: 1 })).toBeVisible();
  await expectAccessible(page, 'le tableau de bord');
  await screenshot(page, 'admin-dashboard-fr');
});

test('admin: an invited agent registers through the link in the browser and signs in', async ({ page, browser }) => {
  const org = await organisation('invite');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: tenantUrl(org.slug) });
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await openSettings(page, 'Team');
  await expect(page.getByRole('heading', { name: 'Team', level: 1 })).toBeVisible();
  await expectAccessible(page, 'the team page');
  // The only owner is offered no removal, and told why.
  await expect(page.getByRole('button', { name: 'Remove Camille Durand' })).toHaveCount(0);
  await expect(page.getByText('The organisation’s only owner: make someone else an owner before removing them.')).toBeVisible();

  // Nothing typed: the error is beside the field.
  await page.getByRole('button', { name: 'Create invitation' }).click();
  await expect(page.getByLabel('Email of the person to invite')).toHaveAttribute('aria-invalid', 'true');

  const email = uniqueEmail('newagent');
  await page.getByLabel('Email of the person to invite').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption('agent');
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const field = page.getByLabel('Invitation link');
  await expect(field).toHaveValue(new RegExp(`^${tenantUrl(org.slug)}/invite/[A-Za-z0-9_-]{20,}$`));
  const link = await field.inputValue();
  // Shown in full as text too, and copied by the button.
  await expect(page.getByText(link, { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByText('The link has been copied.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  await expect(page.getByText(email, { exact: true })).toBeVisible();
  await expectAccessible(page, 'the team page with an invitation');

  // A second invitation, revoked.
  const other = uniqueEmail('nobody');
  await page.getByLabel('Email of the person to invite').fill(other);
  await page.getByRole('button', { name: 'Create invitation' }).click();
  await page.getByRole('button', { name: `Revoke the invitation for ${other}` }).click();
  await expect(page.getByRole('button', { name: `Revoke the invitation for ${other}` })).toHaveCount(0);

  // The invitee, in a browser of their own.
  const context = await browser.newContext();
  const invitee = await context.newPage();
  await invitee.goto(link);
  await invitee.getByLabel('First name').fill('Nora');
  await invitee.getByLabel('Last name').fill('Petit');
  await invitee.getByLabel('Password').fill(PASSWORD);
  await invitee.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(invitee.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  // No admin pages for an agent: the settings area lists the quarantine alone.
  await expect(invitee.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' })).toHaveCount(0);
  await invitee.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(invitee.getByRole('heading', { name: 'Quarantine', level: 1 })).toBeVisible();
  await expect(invitee.getByRole('navigation', { name: 'Settings' }).getByRole('link')).toHaveText(['Quarantine']);
  await invitee.goto(`${tenantUrl(org.slug)}/admin/team`);
  await expect(invitee.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await signOut(invitee);
  await expect(invitee.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await signInThroughThePage(invitee, org.slug, email);
  await expect(invitee.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await context.close();

  // The owner sees the new member.
  await page.reload();
  await expect(page.getByLabel('Role of Nora Petit')).toHaveValue('agent');
});

test('admin: the SLA policy and the two-factor requirement', async ({ page }) => {
  const org = await organisation('settings');
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await openSettings(page, 'SLA policy');
  await expect(page.getByRole('heading', { name: 'SLA policy', level: 1 })).toBeVisible();

  const urgent = page.getByRole('group', { name: 'Urgent priority' });
  const response = urgent.getByLabel('First reply within', { exact: true });
  await expect(response).toHaveValue('1');
  await expect(urgent.getByLabel('Unit: First reply within')).toHaveValue('hours');
  await expectAccessible(page, 'the SLA policy');

  // A first reply target past the resolution target: said beside the field, nothing saved.
  await response.fill('5');
  await page.getByRole('button', { name: 'Save the SLA policy' }).click();
  await expect(response).toHaveAttribute('aria-invalid', 'true');
  await expect(urgent.getByText('The first reply target cannot be longer than the resolution target.')).toBeVisible();
  await expect(response).toBeFocused();
  await response.fill('0,5');
  await expect(urgent.getByText('That is 30 min.')).toBeVisible();
  await page.getByRole('button', { name: 'Save the SLA policy' }).click();
  await expect(page.getByText('The SLA policy has been saved. It applies to new tickets.')).toBeVisible();
  const policy = await expectCall(app(org.slug, 'GET', '/v1/sla/policy', org.ownerToken), 200);
  expect((policy.targets as Record<string, Record<string, number>>).urgent!.response_minutes).toBe(30);

  // Requiring 2FA waits for the owner's own.
  await openSettings(page, 'Organisation');
  await expect(page.getByRole('heading', { name: 'Organisation', level: 1 })).toBeVisible();
  await page.getByLabel('Require two-factor authentication for owners and administrators').check();
  await expect(page.getByText('Turn on two-factor authentication for your own account first')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save this setting' })).toBeDisabled();
  await expectAccessible(page, 'the settings with a refusal');
});

test('admin: ticket access decides which tickets an agent sees, from their next page (en, fr)', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const org = await organisation('access');
  const [agent, colleague, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), staff(org, 'agent', 'Hugo', 'Bernard'), customer(org)]);
  const open = async (subject: string, holder: Person) => {
    const created = await expectCall(app(org.slug, 'POST', '/v1/tickets', org.ownerToken, { subject, description: 'Colis perdu.', user_id: buyer.id }), 201);
    await expectCall(app(org.slug, 'POST', `/v1/tickets/${created.id as number}/assign`, org.ownerToken, { assigned_to: holder.id }), 200);
  };
  await open('Colis de Léa', agent);
  await open('Colis de Marc', colleague);

  // By default, every agent sees every ticket: the colleague's is in reach.
  const agentPage = await (await browser.newContext()).newPage();
  await signInThroughThePage(agentPage, org.slug, agent.email);
  await agentPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All tickets' }).click();
  await expect(agentPage.getByRole('heading', { name: 'All tickets', level: 1 })).toBeVisible();
  await expect(agentPage.getByRole('link', { name: /Colis de Marc/ })).toBeVisible();

  // The owner gives agents only their own tickets, with the keyboard.
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await openSettings(page, 'Organisation');
  const access = page.getByRole('group', { name: 'Agents see and work' });
  await expect(access.getByLabel('Every ticket')).toBeChecked();
  await expect(access.getByLabel('Only their own tickets')).toHaveAccessibleDescription('The tickets assigned to them, nothing else.');
  await access.getByLabel('Only their own tickets').focus();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Save ticket access' }).click();
  await expect(page.getByText('The setting has been saved.')).toBeVisible();
  expect((await expectCall(app(org.slug, 'GET', '/v1/ticket-settings', org.ownerToken), 200)).agent_ticket_access).toBe('assigned');
  await expectAccessible(page, 'the ticket access setting');
  await screenshot(page, 'admin-ticket-access-en');

  // The agent's next page: their own ticket only.
  await agentPage.reload();
  await expect(agentPage.getByRole('link', { name: /Colis de Léa/ })).toBeVisible();
  await expect(agentPage.getByRole('link', { name: /Colis de Marc/ })).toHaveCount(0);

  // In French, back to every ticket.
  await page.getByLabel('Language', { exact: true }).selectOption('fr');
  const groupe = page.getByRole('group', { name: 'Les agents voient et traitent' });
  await groupe.getByLabel('Tous les tickets').check();
  await page.getByRole('button', { name: 'Enregistrer l’accès aux tickets' }).click();
  await expect(page.getByText('Le réglage a été enregistré.')).toBeVisible();
  await expectAccessible(page, 'le réglage d’accès aux tickets');
  await agentPage.reload();
  await expect(agentPage.getByRole('link', { name: /Colis de Marc/ })).toBeVisible();
});
