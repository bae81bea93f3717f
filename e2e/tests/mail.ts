// The test mail server (mail-devel, multi-user: each recipient address is an IMAP mailbox,
// logged into with the address and one password), read over IMAP: the mail the services sent,
// and the links in it.
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';

const [imapHost, imapPort] = (process.env.TEST_IMAP_ADDR ?? '127.0.0.1:2143').split(':') as [string, string];
const password = process.env.TEST_MAIL_PASSWORD ?? 'helpdeskly-test';

export type Mail = { subject: string; text: string; html: string; headers: ParsedMail['headers']; links: string[] };

/** Every mail in `address`'s inbox, oldest first. */
export async function inbox(address: string): Promise<Mail[]> {
  const client = new ImapFlow({
    host: imapHost,
    port: Number(imapPort),
    secure: false,
    auth: { user: address, pass: password },
    logger: false,
  });
  await client.connect();
  try {
    const mails: Mail[] = [];
    const lock = await client.getMailboxLock('INBOX');
    try {
      const status = client.mailbox;
      if (status && status.exists > 0) {
        for await (const message of client.fetch('1:*', { source: true })) {
          if (message.source) mails.push(read(await simpleParser(message.source)));
        }
      }
    } finally {
      lock.release();
    }
    return mails;
  } finally {
    await client.logout().catch(() => undefined);
  }
}

function read(parsed: ParsedMail): Mail {
  const text = parsed.text ?? '';
  const html = typeof parsed.html === 'string' ? parsed.html : '';
  // The body's links, and the List-Unsubscribe header's (RFC 8058).
  const unsubscribe = parsed.headerLines.filter((h) => h.key === 'list-unsubscribe').map((h) => h.line.replace(/\r?\n\s+/g, ''));
  const sources = [text, html, ...unsubscribe].join('\n');
  const links = [...new Set([...sources.matchAll(/https?:\/\/[^\s"'<>)\]]+/g)].map((m) => m[0].replace(/&amp;/g, '&')))];
  return { subject: parsed.subject ?? '', text, html, headers: parsed.headers, links };
}

/** Waits for the newest mail to `address` that `match` accepts. */
export async function waitForMail(address: string, match: (mail: Mail) => boolean, what: string, seconds = 60): Promise<Mail> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const mails = await inbox(address).catch(() => [] as Mail[]);
    const found = mails.reverse().find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${address} ${what} within ${seconds} s (${mails.length} mail)`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const linkTo = (mail: Mail, path: string) =>
  mail.links.map((l) => new URL(l)).find((url) => url.pathname.startsWith(path));

/** Waits for a mail to `address` holding a link whose path starts with `path`; returns that link
 * as a path and query (the page to open on the organisation's host) and the mail. */
export async function linkFromMail(address: string, path: string, seconds = 60): Promise<{ link: string; mail: Mail }> {
  const mail = await waitForMail(address, (m) => linkTo(m, path) !== undefined, `with a link to ${path}`, seconds);
  const url = linkTo(mail, path)!;
  return { link: url.pathname + url.search, mail };
}
