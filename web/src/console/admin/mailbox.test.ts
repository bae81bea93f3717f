import { describe, expect, it } from 'vitest';
import type { Mailbox } from '../../data/inbound';
import { checkMailboxForm, imapUrlProblem, mailboxForm } from './mailbox';

const held: Mailbox = {
  imap_url: 'imaps://mail.example.com:993',
  username: 'support@example.com',
  folder: 'Support',
  authserv_id: 'mx.example.com',
  create_customers: false,
  last_fetch_at: '2030-01-15T10:00:00Z',
  last_error: null,
  uid_validity: 1,
  last_uid: 42,
  created_at: '2030-01-01T00:00:00Z',
  updated_at: '2030-01-02T00:00:00Z',
};

describe('the mailbox form', () => {
  it('starts from the settings held, never with a password', () => {
    expect(mailboxForm(held)).toEqual({
      imap_url: 'imaps://mail.example.com:993',
      username: 'support@example.com',
      password: '',
      folder: 'Support',
      authserv_id: 'mx.example.com',
      create_customers: false,
    });
    expect(mailboxForm({ ...held, authserv_id: null }).authserv_id).toBe('');
    // A new mailbox: its inbox, and unknown senders become customers.
    expect(mailboxForm(null)).toEqual({ imap_url: '', username: '', password: '', folder: 'INBOX', authserv_id: '', create_customers: true });
  });

  it('takes imaps:// with or without a port, imap:// with one', () => {
    expect(imapUrlProblem('imaps://mail.example.com:993')).toBeNull();
    expect(imapUrlProblem(' imaps://mail.example.com ')).toBeNull();
    expect(imapUrlProblem('IMAP://127.0.0.1:2143/')).toBeNull();
    expect(imapUrlProblem('imap://[::1]:143')).toBeNull();
    expect(imapUrlProblem('imap://mail.example.com')).toBe('inbound.mailbox.url_port');
    expect(imapUrlProblem('')).toBe('inbound.mailbox.url_required');
    expect(imapUrlProblem('https://mail.example.com')).toBe('inbound.mailbox.url_scheme');
    expect(imapUrlProblem('mail.example.com:993')).toBe('inbound.mailbox.url_scheme');
    expect(imapUrlProblem('imaps://user:secret@mail.example.com')).toBe('inbound.mailbox.url_invalid');
    expect(imapUrlProblem('imaps://mail.example.com/INBOX')).toBe('inbound.mailbox.url_invalid');
    expect(imapUrlProblem('imaps://mail.example.com:70000')).toBe('inbound.mailbox.url_invalid');
    expect(imapUrlProblem('imaps://')).toBe('inbound.mailbox.url_invalid');
  });

  it('asks for the address, the username and the password at each save', () => {
    expect(checkMailboxForm({ ...mailboxForm(held), username: ' ' })).toEqual({
      errors: { username: 'inbound.mailbox.username_required', password: 'inbound.mailbox.password_required' },
      request: null,
    });
    expect(checkMailboxForm({ ...mailboxForm(null), password: 'x' }).errors).toEqual({
      imap_url: 'inbound.mailbox.url_required',
      username: 'inbound.mailbox.username_required',
    });
  });

  it('builds the request: trimmed, the inbox by default, no trusted server as null, the password as typed', () => {
    const form = { ...mailboxForm(null), imap_url: ' imap://127.0.0.1:2143 ', username: ' box@example.test ', password: ' pass word ', folder: '  ', authserv_id: ' ' };
    expect(checkMailboxForm(form)).toEqual({
      errors: {},
      request: {
        imap_url: 'imap://127.0.0.1:2143',
        username: 'box@example.test',
        password: ' pass word ',
        folder: 'INBOX',
        authserv_id: null,
        create_customers: true,
      },
    });
    expect(checkMailboxForm({ ...mailboxForm(held), password: 'p' }).request).toMatchObject({ folder: 'Support', authserv_id: 'mx.example.com', create_customers: false });
  });
});
