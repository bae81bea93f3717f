//! The whole conversation as staff see it: the customer's messages, the public replies, and the
//! internal notes, which look different in three ways (colour, label, icon) and say that the
//! customer never sees them.

import type { Message } from '../../api/schemas';
import { formatDateTime, t } from '../../i18n';
import { AttachmentItem } from '../../portal/AttachmentItem';
import { RichText } from '../../portal/RichText';
import { usePeople } from '../people';
import { LockIcon } from './icons';

export function Thread({ messages, me }: { messages: Message[]; me: string }) {
  return (
    <ol class="thread">
      {messages.map((message) => (
        <MessageItem key={message.id} message={message} me={me} />
      ))}
    </ol>
  );
}

function MessageItem({ message, me }: { message: Message; me: string }) {
  const people = usePeople();
  const person = people.find(message.sender_id);
  const author =
    message.sender_id === me
      ? t('console.thread.you')
      : message.sender_type === 'customer'
        ? (person?.name ?? t('console.thread.customer'))
        : (person?.name ?? t('console.thread.staff'));
  const kind = message.is_internal ? 'note' : message.sender_type === 'customer' ? 'customer' : 'reply';
  const label = message.is_internal ? 'console.thread.note_label' : message.sender_type === 'customer' ? 'console.thread.customer_label' : 'console.thread.reply_label';
  return (
    <li class={`message message--${kind}`}>
      <article aria-label={t(label, { author, time: formatDateTime(message.created_at) })}>
        <header class="message-head">
          <span class="message-author">
            {message.is_internal ? (
              <span class="note-tag">
                <LockIcon />
                {t('console.thread.note')}
              </span>
            ) : null}
            {author}
          </span>
          <time dateTime={message.created_at}>{formatDateTime(message.created_at)}</time>
        </header>
        {message.is_internal ? <p class="note-hint">{t('console.thread.note_hint')}</p> : null}
        <RichText html={message.message} />
        {message.attachments.length ? (
          <ul class="attachments attachments--inline" aria-label={t('console.files.of_message')}>
            {message.attachments.map((file) => (
              <AttachmentItem key={file.id} file={file} />
            ))}
          </ul>
        ) : null}
        {message.sender_id === me && !message.is_internal ? (
          <p class="receipt">{message.read_at ? t('console.thread.read', { time: formatDateTime(message.read_at) }) : t('console.thread.not_read')}</p>
        ) : null}
      </article>
    </li>
  );
}
