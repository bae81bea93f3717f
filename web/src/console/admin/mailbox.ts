/**
 * The mailbox form's logic: its fields from the settings held (never a password: the API does
 * not return it, so it is asked for at each save), and the form checked before the server (which
 * stays the authority: whether the server answers, only a fetch can say).
 */

import type { MessageKey } from '../../i18n';
import type { Mailbox, MailboxSettings } from '../../data/inbound';
import type { FormErrors } from './integrations';

export const DEFAULT_FOLDER = 'INBOX';

export type MailboxField = 'imap_url' | 'username' | 'password' | 'folder' | 'authserv_id';
export const MAILBOX_FIELDS: readonly MailboxField[] = ['imap_url', 'username', 'password', 'folder', 'authserv_id'];

export interface MailboxForm {
  imap_url: string;
  username: string;
  password: string;
  folder: string;
  authserv_id: string;
  create_customers: boolean;
}

/** The form as the settings held fill it (a new mailbox: INBOX, customers created). */
export function mailboxForm(mailbox: Mailbox | null): MailboxForm {
  return {
    imap_url: mailbox?.imap_url ?? '',
    username: mailbox?.username ?? '',
    password: '',
    folder: mailbox?.folder ?? DEFAULT_FOLDER,
    authserv_id: mailbox?.authserv_id ?? '',
    create_customers: mailbox?.create_customers ?? true,
  };
}

/** `imaps://host[:port]` (TLS) or `imap://host:port` (a server on this network), nothing more.
 * Read by hand: browsers parse addresses of schemes they do not know differently. */
export function imapUrlProblem(value: string): MessageKey | null {
  const text = value.trim();
  if (!text) return 'inbound.mailbox.url_required';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== 'imaps' && scheme !== 'imap') return 'inbound.mailbox.url_scheme';
  const parts = /^[a-z]+:\/\/(\[[0-9a-f:.]+\]|[^\s/?#@:[\]]+)(?::(\d{1,5}))?\/?$/i.exec(text);
  if (!parts) return 'inbound.mailbox.url_invalid';
  const port = parts[2] === undefined ? null : Number(parts[2]);
  if (port !== null && (port < 1 || port > 65535)) return 'inbound.mailbox.url_invalid';
  if (scheme === 'imap' && port === null) return 'inbound.mailbox.url_port';
  return null;
}

export function checkMailboxForm(form: MailboxForm): { errors: FormErrors<MailboxField>; request: MailboxSettings | null } {
  const errors: FormErrors<MailboxField> = {};
  const url = imapUrlProblem(form.imap_url);
  if (url) errors.imap_url = url;
  const username = form.username.trim();
  if (!username) errors.username = 'inbound.mailbox.username_required';
  // A password is taken as typed: spaces may belong to it.
  if (!form.password) errors.password = 'inbound.mailbox.password_required';
  if (Object.keys(errors).length) return { errors, request: null };
  const authserv = form.authserv_id.trim();
  return {
    errors,
    request: {
      imap_url: form.imap_url.trim(),
      username,
      password: form.password,
      folder: form.folder.trim() || DEFAULT_FOLDER,
      authserv_id: authserv || null,
      create_customers: form.create_customers,
    },
  };
}
