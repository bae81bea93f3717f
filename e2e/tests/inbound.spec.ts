// Email in, from the console: an admin sets up the mailbox so that unknown senders are
// quarantined; two such mails are posted by the organisation's mail server (an `inbound:email`
// key); the quarantine lists them, one is released (it becomes a ticket), the other discarded
// after a confirmation; the released sender's reply by mail joins the ticket, marked "by email",
// with its original to download; agents see the quarantine but cannot act on it.
import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { app, appRaw, expectAccessible, expectCall, openSettings, organisation, screenshot, signInThroughThePage, staff } from './platform';

type Json = Record<string, unknown>;

const imapAddress = process.env.TEST_IMAP_ADDR ?? '127.0.0.1:2143';
const mailPassword = process.env.TEST_MAIL_PASSWORD ?? 'helpdeskly-test';

/** A raw message as a mail server posts it. */
function mail(from: string, name: string, subject: string, body: string) {
  const text = [
    `From: ${name} <${from}>`,
    'To: support@shop.example',
    `Subject: ${subject}`,
    `Message-ID: <${randomUUID()}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
  return { type: 'message/rfc822', text };
}

async function openFromSettings(page: Page, link: string, heading: string) {
  await openSettings(page, link);
  await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
}

test('email in: quarantined mail is released into a ticket or discarded, and a reply by mail shows its original', async ({ page, browser }) => {
  const org = await organisation('mailin');
  const agent = await staff(org, 'agent', 'Inès', 'Moreau');
  await signInThroughThePage(page, org.slug, org.ownerEmail);
  await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();

  // The mailbox: unknown senders are quarantined. A bad address is refused beside its field.
  await openFromSettings(page, 'Mailbox', 'Mailbox');
  await expect(page.getByText('No mailbox is set up.')).toBeVisible();
  const server = page.getByLabel('IMAP server address');
  await server.fill('ftp://mail.example.com');
  await page.getByLabel('Username').fill(`support-${randomUUID().slice(0, 8)}@shop.example`);
  await page.getByLabel('Password', { exact: true }).fill(mailPassword);
  await page.getByRole('button', { name: 'Save the mailbox' }).click();
  await expect(page.getByText('The address must start with imaps:// or imap://.')).toBeVisible();
  await server.fill(`imap://${imapAddress}`);
  await page.getByLabel('Create a customer account for unknown senders').uncheck();
  await page.getByRole('button', { name: 'Save the mailbox' }).click();
  await expect(page.getByText('The mailbox settings have been saved.', { exact: false })).toBeVisible();
  const saved = await expectCall(app(org.slug, 'GET', '/v1/channels/email', org.ownerToken), 200);
  expect(saved).toMatchObject({ imap_url: `imap://${imapAddress}`, create_customers: false, folder: 'INBOX' });
  expect(JSON.stringify(saved)).not.toContain(mailPassword);
  await expectAccessible(page, 'the mailbox page');

  // Two unknown senders write; the organisation's mail server posts their mail.
  const key = await expectCall(app(org.slug, 'POST', '/v1/api-keys', org.ownerToken, { name: 'Mail relay', scopes: ['inbound:email'] }), 201);
  const relay = key.key as string;
  const ada = `ada-${randomUUID().slice(0, 8)}@example.com`;
  const spam = `win-${randomUUID().slice(0, 8)}@example.com`;
  const held = await expectCall(appRaw(org.slug, 'POST', '/v1/inbound/email', relay, mail(ada, 'Ada Lovelace', 'Broken kettle', 'The kettle leaks from its base.')), 202);
  expect(held).toMatchObject({ outcome: 'quarantined', reason: 'unknown_sender', ticket_id: null });
  await expectCall(appRaw(org.slug, 'POST', '/v1/inbound/email', relay, mail(spam, 'Winner', 'You won a prize', 'Click here.')), 202);

  // The quarantine lists both, newest first, with the reason.
  await openFromSettings(page, 'Quarantine', 'Quarantine');
  const rows = page.getByRole('table', { name: 'Emails in quarantine, newest first' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText('You won a prize');
  await expect(rows.nth(2)).toContainText('Broken kettle');
  await expect(rows.nth(2)).toContainText('Unknown sender (customer accounts are not created)');
  await expectAccessible(page, 'the quarantine');
  await screenshot(page, 'console-quarantine-en');

  // The prize mail is discarded after a confirmation in place.
  await page.getByRole('button', { name: 'Discard “You won a prize”' }).click();
  await expect(page.getByText(`Discard “You won a prize” from Winner`, { exact: false })).toBeVisible();
  await page.getByRole('button', { name: 'Yes, discard it' }).click();
  await expect(page.getByText(`The email from Winner`, { exact: false })).toBeVisible();

  // Ada's is released: it becomes a ticket, for a new customer account.
  await page.getByRole('button', { name: 'Release “Broken kettle”' }).click();
  await expect(page.getByText('has been released: it is now a ticket.', { exact: false })).toBeVisible();
  const all = await expectCall(app(org.slug, 'GET', '/v1/inbound/emails?state=all', org.ownerToken), 200);
  const released = (all.items as Json[]).find((m) => m.id === held.inbound_email_id)!;
  expect(released.outcome).toBe('released');
  const ticketId = released.ticket_id as number;
  expect(ticketId).toBeGreaterThan(0);
  const ticket = await expectCall(app(org.slug, 'GET', `/v1/tickets/${ticketId}`, org.ownerToken), 200);
  expect(ticket.subject).toBe('Broken kettle');
  const discarded = (all.items as Json[]).find((m) => m.subject === 'You won a prize')!;
  expect(discarded).toMatchObject({ outcome: 'discarded', ticket_id: null });

  // Ada answers by mail: her reply joins the ticket, marked "by email", its original a click away.
  const number = ticket.ticket_number as string;
  const reply = mail(ada, 'Ada Lovelace', `Re: [${number}] Broken kettle`, 'A photo follows.\r\n\r\nOn Monday, Support wrote:\r\n> Could you send a photo?');
  expect(await expectCall(appRaw(org.slug, 'POST', '/v1/inbound/email', relay, reply), 202)).toMatchObject({ outcome: 'appended', ticket_id: ticketId });
  await page.getByRole('link', { name: 'Open the ticket of “Broken kettle”' }).click();
  await expect(page.getByRole('heading', { name: 'Broken kettle', level: 1 })).toBeVisible();
  const message = page.getByRole('article').filter({ hasText: 'A photo follows.' });
  await expect(message).toContainText('by email');
  await expect(message).not.toContainText('Could you send a photo?');
  const download = page.waitForEvent('download');
  await message.getByRole('button', { name: /^Download the original email of the message by/ }).click();
  const original = await download;
  expect(original.suggestedFilename()).toMatch(/\.eml$/);
  const body = await original.createReadStream().then(async (stream) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  });
  expect(body).toContain('> Could you send a photo?');
  await expectAccessible(page, 'a ticket with a message by email');
  await screenshot(page, 'console-message-by-email-en');

  // Agents see the quarantine, without release or discard, and not the mailbox.
  await expectCall(appRaw(org.slug, 'POST', '/v1/inbound/email', relay, mail(spam, 'Winner', 'Second prize', 'Click.')), 202);
  const context = await browser.newContext();
  const other = await context.newPage();
  await signInThroughThePage(other, org.slug, agent.email);
  await expect(other.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
  await openFromSettings(other, 'Quarantine', 'Quarantine');
  await expect(other.getByRole('link', { name: 'Mailbox', exact: true })).toHaveCount(0);
  await expect(other.getByRole('row').filter({ hasText: 'Second prize' })).toBeVisible();
  await expect(other.getByRole('button', { name: /^Release/ })).toHaveCount(0);
  await expect(other.getByRole('button', { name: /^Discard/ })).toHaveCount(0);
  await context.close();
});
