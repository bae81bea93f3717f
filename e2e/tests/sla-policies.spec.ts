// SLA policies by condition: an admin opens Settings > SLA policy, where the policies by condition
// follow the default one (none at first), and adds one from the keyboard only (urgent and high
// tickets of the Billing team, tagged vip or refund, from VIP customers, counted in a schedule's
// hours; the customer organisations passed over): a target of 0 minutes is refused beside its
// field before anything is sent. A second policy's name taken (whatever the case) is refused
// beside the name, and a team deleted while the form was open by the server, beside the teams; it
// is kept for a customer organisation ticked, named in its summary. The second is moved above the
// first, focus following it; a third is deleted after a confirmation in place. The API holds what
// the page shows. A rule's condition on the same customer organisation, chosen by its name, is
// held by the API as its id. A ticket the first policy matches names it and its schedule in its
// service targets
// (paused outside business hours), and the next reply awaited once the customer writes after a
// reply; a ticket none matches follows the default policy, around the clock. Targets are typed
// in minutes, hours or days, business ones under a schedule, whose business day is said. The
// default policy is then counted in the schedule's hours: a ticket none matches says so, on its
// page and in the queue. The team and the schedule a policy uses are not deleted, said in their
// rows, nor the customer organisation it names, said on its page. In English, then in French.
import { expect, test, type Page } from '@playwright/test';
import {
  type Org,
  type Person,
  app,
  customer,
  expectAccessible,
  expectCall,
  login,
  openSettings,
  organisation,
  screenshot,
  signInThroughThePage,
  staff,
  tenantUrl,
} from './platform';

type Target = { response_minutes: number; next_response_minutes: number | null; resolution_minutes: number };
type Policy = {
  name: string;
  conditions: {
    priorities: string[] | null;
    team_ids: string[] | null;
    organization_ids: string[] | null;
    tags_any: string[] | null;
    categories: string[] | null;
    vip: boolean | null;
  };
  schedule_id: string | null;
  targets: Record<string, Target | null>;
};

// Access tokens may be short in these runs: a call made late in a test signs in afresh.
const as = (org: Org, who: Person) => login(org.slug, who.email);

/** The names of the policies as the page lists them, in order. */
const listed = (page: Page) => page.locator('.policy-list > li strong');

/** Types over what a field holds, from the keyboard. */
async function retype(page: Page, text: string) {
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

test('sla policies: an admin orders policies by condition, and a ticket follows the first that matches', async ({ page }) => {
  test.setTimeout(240_000);
  const org = await organisation('slapolicies');
  const [admin, vip, buyer] = await Promise.all([staff(org, 'admin', 'Nadia', 'Roux'), customer(org, 'Léa', 'Martin'), customer(org, 'Hugo', 'Petit')]);
  await expectCall(app(org.slug, 'PATCH', `/v1/users/${vip.id}`, admin.token, { vip: true }), 200);
  // Open one hour a day, twelve hours from now: closed while the test runs.
  const opens = (new Date().getUTCHours() + 12) % 24;
  const hours = { start: `${String(opens).padStart(2, '0')}:00`, end: opens === 23 ? '24:00' : `${String(opens + 1).padStart(2, '0')}:00` };
  const schedule = await expectCall(
    app(org.slug, 'POST', '/v1/schedules', admin.token, {
      name: 'Support hours',
      time_zone: 'UTC',
      intervals: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, ...hours })),
    }),
    201,
  );
  const billing = await expectCall(app(org.slug, 'POST', '/v1/teams', admin.token, { name: 'Billing', assignment: 'manual', member_ids: [] }), 201);
  const weekend = await expectCall(app(org.slug, 'POST', '/v1/teams', admin.token, { name: 'Weekend crew', assignment: 'manual', member_ids: [] }), 201);
  const acme = await expectCall(app(org.slug, 'POST', '/v1/organizations', admin.token, { name: 'Acme Industries' }), 201);
  const defaults = (await expectCall(app(org.slug, 'GET', '/v1/sla/policy', admin.token), 200)).targets as Record<string, { response_minutes: number; resolution_minutes: number }>;

  await signInThroughThePage(page, org.slug, admin.email);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await openSettings(page, 'SLA policy');
  await expect(page.getByRole('heading', { name: 'SLA policy', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Default policy', level: 2 })).toBeVisible();
  const section = page.getByRole('region', { name: 'Policies by condition' });
  await expect(section).toContainText('the first policy whose conditions all match a ticket gives its targets');
  await expect(section).toContainText('No policies by condition: every ticket follows the default policy.');

  // From the keyboard only: the form opens on its name, then each condition in turn.
  await section.getByRole('button', { name: 'Add a policy' }).focus();
  await page.keyboard.press('Enter');
  const form = section.locator('form.policy-form');
  await expect(form.getByLabel('Name of the policy')).toBeFocused();
  await page.keyboard.type('VIP billing');
  await page.keyboard.press('Tab');
  await expect(form.getByRole('checkbox', { name: 'Urgent' })).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await expect(form.getByRole('checkbox', { name: 'High' })).toBeFocused();
  await page.keyboard.press('Space');
  // Only the priorities ticked have targets now.
  await expect(form.getByRole('group', { name: 'Medium', exact: true })).toHaveCount(0);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(form.getByRole('checkbox', { name: 'Billing' })).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await expect(form.getByRole('checkbox', { name: 'Weekend crew' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(form.getByRole('group', { name: 'Customer organisations' }).getByRole('checkbox', { name: 'Acme Industries' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(form.getByLabel('Tags')).toBeFocused();
  await page.keyboard.type('VIP, refund');
  await page.keyboard.press('Tab');
  await expect(form.getByLabel('Categories')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(form.getByLabel('Customers')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(form.getByLabel('Customers')).toHaveValue('vip');
  await page.keyboard.press('Tab');
  await expect(form.getByLabel('Business hours')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(form.getByLabel('Business hours')).toHaveValue(schedule.id as string);
  // What a business day of the schedule is: open an hour a day, one business hour.
  await expect(form.getByText('1 business hour = 1 business day of Support hours')).toBeVisible();
  // The targets start from the default policy's, in hours; a first reply of 0.
  const urgent = form.getByRole('group', { name: 'Urgent', exact: true });
  const firstReply = urgent.getByLabel('First reply within', { exact: true });
  await page.keyboard.press('Tab');
  await expect(firstReply).toBeFocused();
  await expect(firstReply).toHaveValue(String(defaults.urgent!.response_minutes / 60));
  await expect(urgent.getByLabel('Unit: First reply within')).toHaveValue('hours');
  await retype(page, '0');
  await page.keyboard.press('Tab');
  await expect(urgent.getByLabel('Unit: First reply within')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(urgent.getByLabel('Next reply within', { exact: true })).toBeFocused();
  // 30 in minutes, the unit chosen from the keyboard.
  await page.keyboard.type('30');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowUp');
  await expect(urgent.getByLabel('Unit: Next reply within')).toHaveValue('minutes');
  await expect(urgent.getByText('That is 30 min of business hours.')).toBeVisible();
  const high = form.getByRole('group', { name: 'High', exact: true });
  await high.getByLabel('Next reply within', { exact: true }).focus();
  await page.keyboard.type('1');
  await expect(high.getByText('That is 1 business day (1 hr of business hours).')).toBeVisible();
  await page.keyboard.press('Enter');
  const refused = firstReply;
  await expect(refused).toHaveAttribute('aria-invalid', 'true');
  await expect(refused).toHaveAccessibleDescription(/Enter a duration of whole minutes, from 1 minute to 525,600 minutes \(a year\)\./);
  await expect(refused).toBeFocused();
  await expectAccessible(page, 'the policy form with an error');
  await retype(page, '15');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowUp');
  await expect(urgent.getByLabel('Unit: First reply within')).toHaveValue('minutes');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByText('The policy “VIP billing” has been added, in position 1.')).toBeVisible();
  await expect(section.getByRole('button', { name: 'Add a policy' })).toBeFocused();
  const first = section.getByRole('listitem', { name: 'VIP billing' });
  await expect(first.locator('.policy-conditions')).toHaveText('Urgent, High · Team Billing · tags refund, vip · VIP customers');
  await expect(first.locator('.policy-hours')).toHaveText('Support hours');
  await expect(first).toContainText('Urgent: first reply 15 min of business hours, next reply 30 min of business hours, resolution 4 business days (4 hr of business hours)');

  // A second: its name taken whatever the case, then a team deleted meanwhile, refused by the
  // server beside the teams.
  await section.getByRole('button', { name: 'Add a policy' }).click();
  await expect(form.getByLabel('Name of the policy')).toBeFocused();
  await form.getByLabel('Name of the policy').fill('vip BILLING');
  await form.getByRole('checkbox', { name: 'Weekend crew' }).check();
  await form.getByLabel('Categories').fill('Refund');
  await form.getByRole('button', { name: 'Add the policy' }).click();
  await expect(form.getByLabel('Name of the policy')).toHaveAccessibleDescription(/Another policy already has this name\./);
  await expect(form.getByLabel('Name of the policy')).toBeFocused();
  await form.getByLabel('Name of the policy').fill('Refunds');
  await expectCall(app(org.slug, 'DELETE', `/v1/teams/${weekend.id as string}`, await as(org, admin)), 204);
  await form.getByRole('button', { name: 'Add the policy' }).click();
  const teams = form.getByRole('group', { name: 'Teams' });
  await expect(teams).toContainText('A team ticked no longer exists: untick it.');
  await expect(form.getByRole('checkbox', { name: 'Weekend crew' })).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page, 'the policy form with a refusal of the server');
  await form.getByRole('checkbox', { name: 'Weekend crew' }).uncheck();
  // For one customer organisation, ticked by its name.
  await form.getByRole('group', { name: 'Customer organisations' }).getByRole('checkbox', { name: 'Acme Industries' }).check();
  await form.getByRole('button', { name: 'Add the policy' }).click();
  await expect(page.getByText('The policy “Refunds” has been added, in position 2.')).toBeVisible();
  await expect(section.getByRole('listitem', { name: 'Refunds' }).locator('.policy-conditions')).toHaveText('Customer organisation Acme Industries · category refund');
  await expect(section.getByRole('listitem', { name: 'Refunds' }).locator('.policy-hours')).toHaveText('24/7');
  await expect(listed(page)).toHaveText(['VIP billing', 'Refunds']);

  // Moved up from the keyboard: focus stays with it.
  await section.getByRole('button', { name: 'Move up: Refunds' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('The policy “Refunds” is now in position 1.')).toBeVisible();
  await expect(listed(page)).toHaveText(['Refunds', 'VIP billing']);
  await expect(section.getByRole('button', { name: 'Move down: Refunds' })).toBeFocused();
  await expect(section.getByRole('button', { name: 'Move up: Refunds' })).toBeDisabled();

  // A third, deleted after a confirmation in place.
  await section.getByRole('button', { name: 'Add a policy' }).click();
  await form.getByLabel('Name of the policy').fill('Temporary');
  await form.getByRole('checkbox', { name: 'Low' }).check();
  await form.getByRole('button', { name: 'Add the policy' }).click();
  await expect(page.getByText('3 policies, in the order they are tried: the first that matches applies.')).toBeVisible();
  await section.getByRole('button', { name: 'Delete Temporary' }).click();
  await expect(section.getByRole('button', { name: 'Yes, delete Temporary' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByText('The policy “Temporary” has been deleted.')).toBeVisible();
  await expect(listed(page)).toHaveText(['Refunds', 'VIP billing']);
  await expect(section.getByRole('button', { name: 'Edit VIP billing' })).toBeFocused();
  await expectAccessible(page, 'the SLA policies');
  await screenshot(page, 'admin-sla-policies-en');

  // The API holds what the page shows.
  const held = (await expectCall(app(org.slug, 'GET', '/v1/sla/policies', await as(org, admin)), 200)).policies as Policy[];
  const fromDefault = (p: string, next: number | null = null): Target => ({ response_minutes: defaults[p]!.response_minutes, next_response_minutes: next, resolution_minutes: defaults[p]!.resolution_minutes });
  expect(held.map((p) => p.name)).toEqual(['Refunds', 'VIP billing']);
  expect(held[0]).toEqual({
    name: 'Refunds',
    conditions: { priorities: null, team_ids: null, organization_ids: [acme.id], tags_any: null, categories: ['refund'], vip: null },
    schedule_id: null,
    targets: Object.fromEntries(['low', 'medium', 'high', 'urgent'].map((p) => [p, fromDefault(p)])),
  });
  expect({ ...held[1]!, conditions: { ...held[1]!.conditions, priorities: [...(held[1]!.conditions.priorities ?? [])].sort() } }).toEqual({
    name: 'VIP billing',
    conditions: { priorities: ['high', 'urgent'], team_ids: [billing.id], organization_ids: null, tags_any: ['refund', 'vip'], categories: null, vip: true },
    schedule_id: schedule.id,
    targets: { urgent: { ...fromDefault('urgent', 30), response_minutes: 15 }, high: fromDefault('high', 60), medium: null, low: null },
  });

  // A rule's condition on the same customer organisation: chosen by its name, held as its id.
  await openSettings(page, 'Rules');
  const rules = page.getByRole('region', { name: 'The organisation’s rules' });
  await rules.getByRole('button', { name: 'Add a rule' }).click();
  const ruleForm = rules.locator('form.rule-form');
  await ruleForm.getByLabel('Name of the rule').fill('Acme first');
  await ruleForm.getByRole('button', { name: 'Add a condition to “All of these”' }).click();
  const customerOrganisation = ruleForm.getByRole('group', { name: 'All: condition 1' });
  await customerOrganisation.getByLabel('Field').selectOption({ label: 'Customer organisation' });
  await expect(customerOrganisation.getByLabel('Operator').locator('option')).toHaveText(['is', 'is not', 'is one of', 'is none of', 'is not set', 'is set']);
  await expect(customerOrganisation.getByLabel('Value').locator('option')).toHaveText(['Choose…', 'Acme Industries']);
  await customerOrganisation.getByLabel('Value').focus();
  await page.keyboard.type('Acme');
  await expect(customerOrganisation.getByLabel('Value')).toHaveValue(acme.id as string);
  await ruleForm.getByRole('button', { name: 'Add the rule' }).click();
  await expect(page.getByText('The rule “Acme first” has been added, in position 1.')).toBeVisible();
  const rulesHeld = (await expectCall(app(org.slug, 'GET', '/v1/rules', await as(org, admin)), 200)) as unknown as { name: string; conditions: unknown }[];
  expect(rulesHeld.map((r) => [r.name, r.conditions])).toEqual([['Acme first', { all: [{ field: 'customer.organization_id', op: 'is', value: acme.id }], any: [] }]]);

  // A ticket the VIP policy matches: its name and its schedule's in the service targets, the
  // clock held outside business hours.
  const matched = await expectCall(
    app(org.slug, 'POST', '/v1/tickets', await as(org, admin), {
      subject: 'Facture en double',
      description: 'Deux prélèvements pour la même commande.',
      priority: 'high',
      tags: ['refund'],
      team_id: billing.id,
      user_id: vip.id,
    }),
    201,
  );
  await page.goto(`${tenantUrl(org.slug)}/tickets/${matched.id as number}`);
  const targets = page.getByRole('region', { name: 'Service targets' });
  await expect(targets.locator('.sla-policy-name')).toHaveText('VIP billing');
  await expect(targets.locator('.sla-hours')).toHaveText('Support hours');
  await expect(targets).toContainText('Paused outside business hours');
  // A reply, then the customer writes again: the next reply is awaited.
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${matched.id as number}/messages`, await as(org, admin), { message: 'Nous regardons.' }), 201);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${matched.id as number}/messages`, await as(org, vip), { message: 'Merci, c’est urgent.' }), 201);
  await page.reload();
  await expect(targets.locator('.sla-next-response')).toContainText('Due');
  await expect(targets.locator('.badge')).toHaveText(/^Next reply due .*, business hours$/);
  await expectAccessible(page, 'a ticket under a policy by condition');

  // A ticket none matches: the default policy, around the clock.
  const plain = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Adresse à changer', description: 'Nouvelle adresse.' }), 201);
  await page.goto(`${tenantUrl(org.slug)}/tickets/${plain.id as number}`);
  await expect(targets.locator('.sla-policy-name')).toHaveText('Default policy');
  await expect(targets.locator('.sla-hours')).toHaveText('24/7');
  await expect(targets).not.toContainText('Paused outside business hours');
  await expect(targets.locator('.badge')).not.toContainText('business hours');

  // The default policy counted in the schedule's hours: its targets read in business time, a
  // business day of the schedule said under the choice.
  await openSettings(page, 'SLA policy');
  const fallback = page.getByRole('region', { name: 'Default policy' });
  await expect(fallback.getByText('24/7: the targets count every hour, and a day is 24 hours.')).toBeVisible();
  const urgentDefault = fallback.getByRole('group', { name: 'Urgent priority' });
  await expect(urgentDefault.getByLabel('First reply within', { exact: true })).toHaveValue('1');
  await expect(urgentDefault.getByText('That is 1 hr.')).toBeVisible();
  await fallback.getByLabel('Business hours').focus();
  await page.keyboard.press('ArrowDown');
  await expect(fallback.getByLabel('Business hours')).toHaveValue(schedule.id as string);
  await expect(fallback.getByText('1 business hour = 1 business day of Support hours')).toBeVisible();
  await expect(urgentDefault.getByText('That is 1 business day (1 hr of business hours).')).toBeVisible();
  await urgentDefault.getByLabel('First reply within', { exact: true }).fill('2');
  await urgentDefault.getByLabel('Unit: First reply within').selectOption('days');
  await expect(urgentDefault.getByText('That is 2 business days (2 hr of business hours).')).toBeVisible();
  // The auto-close delays stay wall-clock time.
  await expect(fallback.getByLabel('Unit: Resolved, closes after').locator('option')).toHaveText(['minutes', 'hours', 'days']);
  await expectAccessible(page, 'the default policy under a schedule');
  await fallback.getByRole('button', { name: 'Save the SLA policy' }).click();
  await expect(fallback.getByText('The SLA policy has been saved. It applies to new tickets.')).toBeVisible();
  const stored = await expectCall(app(org.slug, 'GET', '/v1/sla/policy', await as(org, admin)), 200);
  expect(stored.schedule_id).toBe(schedule.id);
  expect((stored.targets as Record<string, { response_minutes: number }>).urgent!.response_minutes).toBe(120);
  await page.reload();
  await expect(fallback.getByLabel('Business hours')).toHaveValue(schedule.id as string);
  await expect(urgentDefault.getByLabel('First reply within', { exact: true })).toHaveValue('2');
  await expect(urgentDefault.getByLabel('Unit: First reply within')).toHaveValue('days');

  // A ticket none matches now counts the schedule's hours: its badge says so, in the queue too.
  const office = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Colis en retard', description: 'Toujours rien.' }), 201);
  await page.goto(`${tenantUrl(org.slug)}/tickets/${office.id as number}`);
  await expect(targets.locator('.sla-policy-name')).toHaveText('Default policy');
  await expect(targets.locator('.sla-hours')).toHaveText('Support hours');
  await expect(targets).toContainText('Paused outside business hours');
  await expect(targets.locator('.badge')).toHaveText(/^First reply due .*, business hours$/);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All tickets' }).click();
  await expect(page.getByRole('listitem').filter({ hasText: 'Colis en retard' }).locator('.badge--sla-ok, .badge--sla-soon')).toHaveText(/, business hours$/);

  // The team a policy's conditions name is not deleted: said in its row.
  await openSettings(page, 'Teams');
  const billingRow = page.getByRole('listitem', { name: 'Billing' });
  await billingRow.getByRole('button', { name: 'Delete Billing' }).click();
  await billingRow.getByRole('button', { name: 'Yes, delete Billing' }).click();
  await expect(billingRow.getByRole('alert')).toContainText('This team has not been deleted: an SLA policy’s conditions name it.');
  await expect(billingRow.getByRole('button', { name: 'Delete Billing' })).toBeFocused();

  // The customer organisation a policy names is not deleted: said on its page, its Delete button
  // focused again.
  await page.goto(`${tenantUrl(org.slug)}/organizations/${acme.id as string}`);
  await page.getByRole('button', { name: 'Delete Acme Industries' }).click();
  await page.getByRole('button', { name: 'Yes, delete Acme Industries' }).click();
  const acmeRefusal = page.getByRole('alert').filter({ hasText: 'An SLA policy names this organisation: change the policy first.' });
  await expect(acmeRefusal).toContainText('The customer organisation “Acme Industries” has not been deleted.');
  await expect(acmeRefusal.getByRole('link', { name: 'Open the SLA policies' })).toHaveAttribute('href', '/admin/sla');
  await expect(page.getByRole('button', { name: 'Delete Acme Industries' })).toBeFocused();
  await expectAccessible(page, 'a customer organisation an SLA policy names, not deleted');
  await expectCall(app(org.slug, 'GET', `/v1/organizations/${acme.id as string}`, await as(org, admin)), 200);

  // The schedule a policy uses is not deleted: said in its row, its Delete button focused again.
  await openSettings(page, 'Business hours');
  const support = page.getByRole('listitem', { name: 'Support hours' });
  await support.getByRole('button', { name: 'Delete Support hours' }).click();
  await support.getByRole('button', { name: 'Yes, delete Support hours' }).click();
  await expect(support.getByRole('alert')).toContainText('The schedule “Support hours” has not been deleted: an SLA policy counts its targets in it.');
  await expect(support.getByRole('button', { name: 'Delete Support hours' })).toBeFocused();
  await expect(support.getByRole('link', { name: 'Open the SLA policies' })).toHaveAttribute('href', '/admin/sla');
  await expectAccessible(page, 'the business hours page with a refusal');
  expect(((await expectCall(app(org.slug, 'GET', '/v1/schedules', await as(org, admin)), 200)) as unknown as { name: string }[]).map((s) => s.name)).toEqual(['Support hours']);

  // In French.
  await support.getByRole('link', { name: 'Open the SLA policies' }).click();
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Politique de SLA', level: 1 })).toBeVisible();
  const sectionFr = page.getByRole('region', { name: 'Politiques selon les conditions' });
  await expect(page.getByRole('heading', { name: 'Politique par défaut', level: 2 })).toBeVisible();
  const vipRow = sectionFr.getByRole('listitem', { name: 'VIP billing' });
  await expect(vipRow.locator('.policy-conditions')).toHaveText('Urgente, Haute · Équipe Billing · étiquettes refund, vip · Clients VIP');
  await expect(sectionFr.getByRole('listitem', { name: 'Refunds' }).locator('.policy-hours')).toHaveText('24 h/24, 7 j/7');
  await expect(sectionFr.getByRole('listitem', { name: 'Refunds' }).locator('.policy-conditions')).toHaveText('Organisation cliente Acme Industries · catégorie refund');
  await expect(sectionFr.getByRole('button', { name: 'Monter : VIP billing' })).toBeVisible();
  await vipRow.getByRole('button', { name: 'Modifier VIP billing' }).click();
  await expect(vipRow.getByLabel('Nom de la politique')).toBeFocused();
  await vipRow.getByLabel('Nom de la politique').fill('Refunds');
  await vipRow.getByRole('button', { name: 'Enregistrer les modifications' }).click();
  await expect(vipRow.getByLabel('Nom de la politique')).toHaveAccessibleDescription(/Une autre politique porte déjà ce nom\./);
  await expect(vipRow.getByRole('group', { name: 'Urgente', exact: true }).getByLabel('Prochaine réponse sous', { exact: true })).toHaveValue('30');
  await expect(vipRow.getByRole('group', { name: 'Urgente', exact: true }).getByLabel('Unité : Prochaine réponse sous')).toHaveValue('minutes');
  await expect(vipRow.getByText('1 heure ouvrée = 1 jour ouvré de Support hours')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Politique par défaut' }).getByText('1 heure ouvrée = 1 jour ouvré de Support hours')).toBeVisible();
  await expectAccessible(page, 'les politiques de SLA');
  await vipRow.getByRole('button', { name: 'Annuler' }).click();
  await expect(vipRow.getByRole('button', { name: 'Modifier VIP billing' })).toBeFocused();
  await screenshot(page, 'admin-sla-policies-fr');
  await page.goto(`${tenantUrl(org.slug)}/tickets/${matched.id as number}`);
  const cibles = page.getByRole('region', { name: 'Engagements de service' });
  await expect(cibles).toContainText('En pause hors des heures ouvrées');
  await expect(cibles.locator('.badge')).toHaveText(/^Prochaine réponse attendue .*, en heures ouvrées$/);
  await expect(cibles.locator('.sla-policy-name')).toHaveText('VIP billing');
  await expect(cibles).toContainText('Prochaine réponse');
});
