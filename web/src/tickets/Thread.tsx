/**
 * A ticket's conversation, oldest first, for the portal and the console. Customers see the
 * public messages (the API leaves internal notes out for them), with read receipts on their own.
 * Staff see the internal notes too, which look different in three ways (colour, label, icon) and
 * say that the customer never sees them, and read receipts on their own public replies. Staff
 * also see how a message came in (by email, with its original to download, or through the API),
 * and each message's own actions (`actions`: the console's menu, splitting it off). The ticket's
 * description may open the conversation (`opening`), as the customer's first message.
 */

import type { ComponentChildren } from 'preact';
import type { Message } from '../api/schemas';
import { downloadOriginal } from '../data/inbound';
import { formatDateTime, t, type MessageKey } from '../i18n';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import { RichText } from './RichText';
import type { Audience } from './audience';
import { FileItem } from './FileItem';
import { LockIcon, MailIcon } from './icons';

export interface ThreadProps {
  messages: Message[];
  /** The reader's user id: their own messages carry read receipts. */
  me: string;
  audience: Audience;
  /** A sender's name, where the reader may know it (staff). */
  nameOf?: (userId: string) => string | undefined;
  /** What can be done with a message, beside its time; `label` names the message ("Reply by
   * {author}, {time}"). */
  actions?: (message: Message, label: string) => ComponentChildren;
  /** The ticket's description, shown first as its customer's message. */
  opening?: Opening;
}

/** A ticket's description as the first message: who wrote it (the ticket's customer) and when
 * (the ticket's creation). */
export interface Opening {
  html: string;
  author: string;
  at: string;
}

export function Thread({ messages, me, audience, nameOf, actions, opening }: ThreadProps) {
  return (
    <ol class="thread">
      {opening ? <OpeningItem opening={opening} audience={audience} /> : null}
      {messages.map((message) => (
        <MessageItem key={message.id} message={message} me={me} audience={audience} nameOf={nameOf} actions={actions} />
      ))}
    </ol>
  );
}

function MessageItem({ message, me, audience, nameOf, actions }: { message: Message } & Omit<ThreadProps, 'messages'>) {
  const staff = audience === 'staff';
  const mine = message.sender_id === me;
  const note = staff && message.is_internal;
  const author = authorOf(message, mine, staff, nameOf);
  const time = formatDateTime(message.created_at);
  const label = t(labelOf(message, staff), { author, time });
  return (
    <li class={`message message--${kindOf(message, mine, staff)}`}>
      <article aria-label={label}>
        <header class="message-head">
          <span class="message-author">
            {note ? (
              <span class="note-tag">
                <LockIcon />
                {t('console.thread.note')}
              </span>
            ) : null}
            {author}
            {staff ? <ChannelTag message={message} /> : null}
          </span>
          <span class="message-when">
            <time dateTime={message.created_at}>{time}</time>
            {actions?.(message, label)}
          </span>
        </header>
        {note ? <p class="note-hint">{t('console.thread.note_hint')}</p> : null}
        <RichText html={message.message} />
        {message.attachments.length ? (
          <ul class="attachments attachments--inline" aria-label={staff ? t('console.files.of_message') : t('portal.files.of_message')}>
            {message.attachments.map((file) => (
              <FileItem key={file.id} file={file} audience={audience} />
            ))}
          </ul>
        ) : null}
        {staff && message.channel === 'email' && message.inbound_email_id != null ? <Original id={message.inbound_email_id} author={author} time={time} /> : null}
        {mine && !note ? <p class="receipt">{receipt(message.read_at, staff)}</p> : null}
      </article>
    </li>
  );
}

function OpeningItem({ opening, audience }: { opening: Opening; audience: Audience }) {
  const staff = audience === 'staff';
  const time = formatDateTime(opening.at);
  return (
    <li class={`message message--${staff ? 'customer' : 'mine'} message--opening`}>
      <article aria-label={t(staff ? 'console.thread.description_label' : 'portal.thread.message_label', { author: opening.author, time })}>
        <header class="message-head">
          <span class="message-author">{opening.author}</span>
          <span class="message-when">
            <time dateTime={opening.at}>{time}</time>
          </span>
        </header>
        <RichText html={opening.html} />
      </article>
    </li>
  );
}

/** How a message came in, when not through the app. */
function ChannelTag({ message }: { message: Message }) {
  if (message.channel === 'email') {
    return (
      <span class="channel-tag">
        <MailIcon />
        {t('console.thread.by_email')}
      </span>
    );
  }
  if (message.channel === 'api') return <span class="channel-tag">{t('console.thread.via_api')}</span>;
  return null;
}

/** The mail a message came from, as it was received (staff). */
function Original({ id, author, time }: { id: number; author: string; time: string }) {
  const download = useSubmit();
  return (
    <div class="message-original">
      <button
        type="button"
        class="button button--link button--small"
        disabled={download.busy}
        aria-label={t('console.thread.original_named', { author, time })}
        onClick={() => void download.run(() => downloadOriginal(id))}
      >
        {t('console.thread.original')}
      </button>
      <ErrorAlert error={download.error} />
    </div>
  );
}

function authorOf(message: Message, mine: boolean, staff: boolean, nameOf: ThreadProps['nameOf']): string {
  if (!staff) return mine ? t('portal.thread.you') : message.sender_type === 'agent' ? t('portal.thread.support') : t('portal.thread.customer');
  if (mine) return t('console.thread.you');
  return nameOf?.(message.sender_id) ?? (message.sender_type === 'customer' ? t('console.thread.customer') : t('console.thread.staff'));
}

/** The message's class: the customer's side of the conversation against the others', and notes. */
function kindOf(message: Message, mine: boolean, staff: boolean): string {
  if (!staff) return mine ? 'mine' : 'theirs';
  return message.is_internal ? 'note' : message.sender_type === 'customer' ? 'customer' : 'reply';
}

function labelOf(message: Message, staff: boolean): MessageKey {
  if (!staff) return 'portal.thread.message_label';
  return message.is_internal ? 'console.thread.note_label' : message.sender_type === 'customer' ? 'console.thread.customer_label' : 'console.thread.reply_label';
}

function receipt(readAt: string | null | undefined, staff: boolean): string {
  if (!readAt) return staff ? t('console.thread.not_read') : t('portal.thread.not_read');
  return staff ? t('console.thread.read', { time: formatDateTime(readAt) }) : t('portal.thread.read', { time: formatDateTime(readAt) });
}
