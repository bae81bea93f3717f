// The console's words about people agree with what happened: an invitation says where it was
// mailed, someone who just joined can be chosen without a reload, customers are listed apart
// from the members, and counts take their plural.
import { expect, test } from '@playwright/test';
import { app, customer, expectAccessible, expectCall, openSettings, organisation, signInThroughThePage, staff, uniqueEmail } from './platform';

test('an invitation says where it was mailed; customers are listed apart from the members', async ({ page }) => {
  const org = await organisation('words');
  const buyer = await customer(org, 'Léa', 'Martin');
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await openSettings(page, 'Team');

  const email = uniqueEmail('invited');
  await page.getByLabel('Email of the person to invite').fill(email);
  await page.getByRole('button', { name: 'Create invitation' }).click();
  await expect(page.getByText(`Invitation mailed to ${email}.`, { exact: false })).toBeVisible();
  await expect(page.getByText('The mail carries this link.', { exact: false })).toBeVisible();

  // The members are the support team: the customer is not among them.
  await expect(page.getByLabel('Role of Camille Durand')).toHaveValue('owner');
  await expect(page.getByLabel('Role of Léa Martin')).toHaveCount(0);
  await expectAccessible(page, 'the team page');

  await openSettings(page, 'Customers');
  await expect(page.getByRole('heading', { name: 'Customers', level: 1 })).toBeVisible();
  const list = page.getByRole('region', { name: 'All customers' });
  await expect(list.getByText('Léa Martin')).toBeVisible();
  await expect(list.getByText(buyer.email)).toBeVisible();
  await expect(list.getByText('1 customer.')).toBeVisible();
  await expect(list.getByText('Camille Durand')).toHaveCount(0);
  await expectAccessible(page, 'the customers page');

  // Found by part of the address, with the keyboard alone.
  await page.getByLabel('Find a customer by name or address').fill('nobody-here');
  await page.keyboard.press('Enter');
  await expect(page.getByText('No customer matches.')).toBeVisible();
  await page.getByLabel('Find a customer by name or address').fill(buyer.email.slice(0, 12));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: /Customers matching/ }).getByText('Léa Martin')).toBeVisible();

  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Clients', level: 1 })).toBeVisible();
  await expectAccessible(page, 'la page des clients');
});

test('someone who just joined is in the team picker and the assignee picker without a reload', async ({ page }) => {
  const org = await organisation('joined');
  const buyer = await customer(org);
  await expectCall(app(org.slug, 'POST', '/v1/tickets', buyer.token, { subject: 'Colis abîmé', description: 'Le carton est enfoncé.' }), 201);
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await openSettings(page, 'Teams');
  const members = page.getByRole('group', { name: 'Members' });
  await expect(members.getByRole('checkbox', { name: 'Camille Durand' })).toBeVisible();
  await expect(members.getByRole('checkbox', { name: 'Nora Petit' })).toHaveCount(0);

  // Nora joins while the console stays open.
  await staff(org, 'agent', 'Nora', 'Petit');
  await openSettings(page, 'Team');
  await openSettings(page, 'Teams');
  await expect(members.getByRole('checkbox', { name: 'Nora Petit' })).toBeVisible();

  // And she can be given a ticket.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All tickets' }).click();
  await page.getByRole('link', { name: /Colis abîmé/ }).click();
  await page.getByRole('button', { name: 'Choose someone else' }).click();
  const assignee = page.getByLabel('Assign to someone else');
  await expect(assignee.getByRole('option', { name: 'Nora Petit' })).toHaveCount(1);
});

test('a file size takes its plural: 1 byte, 157 bytes', async ({ page }) => {
  const org = await organisation('bytes');
  const buyer = await customer(org);
  await expectCall(app(org.slug, 'POST', '/v1/tickets', buyer.token, { subject: 'Facture', description: 'Jointe.' }), 201);
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All tickets' }).click();
  await page.getByRole('link', { name: /Facture/ }).click();
  await page.getByLabel('Attach files').setInputFiles([
    { name: 'one.txt', mimeType: 'text/plain', buffer: Buffer.from('x') },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.alloc(157, 'a') },
  ]);
  await expect(page.getByText('1 byte', { exact: true })).toBeVisible();
  await expect(page.getByText('157 bytes', { exact: true })).toBeVisible();
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByText('157 octets', { exact: true })).toBeVisible();
});
