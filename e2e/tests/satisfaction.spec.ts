// Customer satisfaction: the mail telling a customer their ticket is resolved carries five rating
// links; opening one records the rating with no sign-in, a comment can follow, and the admin
// dashboard's satisfaction panel counts it under the agent who resolved the ticket. In the
// portal, a resolved ticket asks "How did we do?" and takes 1 to 5 stars and a comment.
import { expect, test } from '@playwright/test';
import { linkFromMail, waitForMail } from './mail';
import {
  type Org,
  type Person,
  app,
  control,
  customer,
  expectAccessible,
  expectCall,
  login,
  organisation,
  screenshot,
  signInThroughThePage,
  staff,
  tenantUrl,
} from './platform';

// Access tokens are short in these runs: each call through the API signs in afresh.
const as = (org: Org, who: Person | { email: string }) => login(org.slug, who.email);

/** A ticket of `buyer`'s, answered and resolved by `agent` through the API. */
async function resolvedTicket(org: Org, agent: Person, buyer: Person, subject: string): Promise<{ id: number; number: string }> {
  const ticket = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject, description: 'Détails du problème.' }), 201);
  const id = ticket.id as number;
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/assign`, await as(org, agent), { assigned_to: agent.id }), 200);
  const started = await app(org.slug, 'POST', `/v1/tickets/${id}/status`, await as(org, agent), { status: 'in_progress' });
  expect([200, 409]).toContain(started.status);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/messages`, await as(org, agent), { message: 'Le remplacement part aujourd’hui.' }), 201);
  await expectCall(app(org.slug, 'POST', `/v1/tickets/${id}/status`, await as(org, agent), { status: 'resolved' }), 200);
  return { id, number: ticket.ticket_number as string };
}

test('satisfaction: the resolution mail’s link rates with no sign-in, a comment follows, the dashboard shows it', async ({ page, browser }) => {
  const org = await organisation('csat');
  const [agent, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), customer(org, 'Léa', 'Martin')]);
  // Notification mail goes only to a confirmed address: the customer follows the registration's link.
  const verify = await linkFromMail(buyer.email, '/verify-email');
  await expectCall(control('POST', '/v1/auth/email/verify', { body: { token: new URL(verify.link, 'http://x').searchParams.get('token')! } }), 204);

  const ticket = await resolvedTicket(org, agent, buyer, 'Théière arrivée cassée');
  const mail = await waitForMail(buyer.email, (m) => m.links.some((l) => new URL(l).pathname === '/rate'), 'with rating links');
  const ratings = mail.links.map((l) => new URL(l)).filter((u) => u.pathname === '/rate');
  expect(ratings.map((u) => u.searchParams.get('rating')).sort()).toEqual(['1', '2', '3', '4', '5']);
  expect(new Set(ratings.map((u) => u.searchParams.get('token'))).size).toBe(1);
  const four = ratings.find((u) => u.searchParams.get('rating') === '4')!;

  // Signed out, in a fresh browser: the rating is recorded as the page opens.
  await page.goto(`${tenantUrl(org.slug)}${four.pathname}${four.search}`);
  await expect(page.getByRole('heading', { name: 'How did we do?', level: 1 })).toBeVisible();
  await expect(page.getByText('Thank you! Your rating is recorded.')).toBeVisible();
  await expect(page.getByRole('img', { name: '4 out of 5' })).toBeVisible();
  await expect(page.getByText(`Ticket ${ticket.number}: Théière arrivée cassée`)).toBeVisible();
  await expectAccessible(page, 'the rating page');
  const rated = await expectCall(app(org.slug, 'GET', `/v1/tickets/${ticket.id}/satisfaction`, await as(org, buyer)), 200);
  expect(rated.rateable).toBe(false);
  expect((rated.rating as { rating: number }).rating).toBe(4);

  // A comment, once.
  await page.getByLabel('Anything to add? (optional)').fill('Réponse rapide, merci !');
  await page.getByRole('button', { name: 'Send comment' }).click();
  await expect(page.getByText('Thank you for your comment.')).toBeVisible();
  await expect(page.locator('blockquote')).toHaveText('Réponse rapide, merci !');
  await screenshot(page, 'rate-page-en');
  const commented = await expectCall(app(org.slug, 'GET', `/v1/tickets/${ticket.id}/satisfaction`, await as(org, buyer)), 200);
  expect(commented.rating).toMatchObject({ rating: 4, comment: 'Réponse rapide, merci !' });

  // The same link again, or another score: the first rating stands, and no second comment.
  const five = ratings.find((u) => u.searchParams.get('rating') === '5')!;
  await page.goto(`${tenantUrl(org.slug)}${five.pathname}${five.search}`);
  await expect(page.getByText('This ticket’s resolution has already been rated: the first rating stands.')).toBeVisible();
  await expect(page.getByRole('img', { name: '4 out of 5' })).toBeVisible();
  await expect(page.getByLabel('Anything to add? (optional)')).toHaveCount(0);
  // A link that was never sent.
  await page.goto(`${tenantUrl(org.slug)}/rate?token=not-a-real-token&rating=5`);
  await expect(page.getByRole('alert')).toContainText('This rating link is not valid, or it has expired.');

  // The owner's dashboard.
  const context = await browser.newContext();
  const desk = await context.newPage();
  await signInThroughThePage(desk, org.slug, org.ownerEmail);
  await expect(desk.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  const panel = desk.getByRole('region', { name: 'Customer satisfaction' });
  await expect(panel).toBeVisible();
  await expect(panel.locator('.tile').filter({ hasText: 'Average rating' })).toContainText('4.0');
  await expect(panel.locator('.tile').filter({ hasText: 'Ratings' }).last()).toContainText('1');
  await expect(panel.getByRole('table', { name: 'Ratings by agent' }).getByRole('row', { name: /Inès Moreau/ })).toContainText('4.0');
  await expect(panel.getByRole('table', { name: 'Ratings by week' })).toContainText('4.0');
  await expect(panel.getByRole('img', { name: /Bar chart: the average rating/ })).toBeVisible();
  await expectAccessible(desk, 'the dashboard with ratings');
  await panel.scrollIntoViewIfNeeded();
  await screenshot(desk, 'admin-satisfaction-en');
  await desk.getByLabel('Language').selectOption('fr');
  await expect(desk.getByRole('region', { name: 'Satisfaction des clients' })).toContainText('4,0');
  await context.close();
});

test('satisfaction: in the portal, a resolved ticket asks how we did and takes stars and a comment', async ({ page, browser }) => {
  const org = await organisation('widget');
  const [agent, buyer] = await Promise.all([staff(org, 'agent', 'Inès', 'Moreau'), customer(org, 'Léa', 'Martin')]);
  const ticket = await resolvedTicket(org, agent, buyer, 'Remboursement reçu ?');

  await signInThroughThePage(page, org.slug, buyer.email);
  await expect(page.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await page.goto(`${tenantUrl(org.slug)}/tickets/${ticket.id}`);
  const widget = page.getByRole('region', { name: 'How did we do?' });
  await expect(widget).toBeVisible();
  await expectAccessible(page, 'the rating widget');

  // No star chosen: said beside the stars.
  await widget.getByRole('button', { name: 'Send my rating' }).click();
  await expect(widget.getByText('Choose from 1 to 5 stars.', { exact: true })).toBeVisible();
  await widget.getByRole('button', { name: '5 stars' }).click();
  await expect(widget.getByRole('button', { name: '5 stars' })).toHaveAttribute('aria-pressed', 'true');
  await expect(widget.getByRole('button', { name: '1 star', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await widget.getByLabel('Comment (optional)').fill('Parfait.');
  await widget.getByRole('button', { name: 'Send my rating' }).click();
  await expect(widget.getByText('Thank you for your rating.')).toBeVisible();
  await expect(widget.getByRole('img', { name: '5 out of 5' })).toBeVisible();
  await expect(widget.locator('blockquote')).toHaveText('Parfait.');
  await expect(widget.getByRole('button', { name: 'Send my rating' })).toHaveCount(0);
  const stored = await expectCall(app(org.slug, 'GET', `/v1/tickets/${ticket.id}/satisfaction`, await as(org, buyer)), 200);
  expect(stored.rating).toMatchObject({ rating: 5, comment: 'Parfait.' });

  // Still there after a reload, as given.
  await page.reload();
  await expect(page.getByRole('region', { name: 'How did we do?' }).getByRole('img', { name: '5 out of 5' })).toBeVisible();

  // The agent sees it beside the customer's next ticket.
  const next = await expectCall(app(org.slug, 'POST', '/v1/tickets', await as(org, buyer), { subject: 'Autre question', description: 'Encore moi.' }), 201);
  const context = await browser.newContext();
  const desk = await context.newPage();
  await signInThroughThePage(desk, org.slug, agent.email);
  await expect(desk.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await desk.goto(`${tenantUrl(org.slug)}/tickets/${next.id as number}`);
  const side = desk.getByRole('region', { name: 'Customer' });
  await expect(side).toContainText('5.0 out of 5, from 1 rating');
  await expect(side).toContainText('Parfait.');
  await expect(side.getByRole('link', { name: ticket.number, exact: true })).toBeVisible();
  await context.close();
});
