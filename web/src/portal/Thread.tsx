//! The public conversation of a ticket, oldest first, with read receipts on the customer's own
//! messages. (The API leaves internal notes out for customers.)

import type { Message } from '../api/schemas';
import { formatDateTime, t } from '../i18n';
import { AttachmentItem } from './AttachmentItem';
import { RichText } from './RichText';

export function Thread({ messages, me }: { messages: Message[]; me: string }) {
  return (
    <ol class="thread">
      {messages.map((message) => (
        <MessageItem key={message.id} message={message} mine={message.sender_id === me} />
      ))}
    </ol>
  );
}

function MessageItem({ message, mine }: { message: Message; mine: boolean }) {
  const author = mine ? t('portal.thread.you') : message.sender_type === 'agent' ? t('portal.thread.support') : t('portal.thread.customer');
  return (
    <li class={mine ? 'message message--mine' : 'message message--theirs'}>
      <article aria-label={t('portal.thread.message_label', { author, time: formatDateTime(message.created_at) })}>
        <header class="message-head">
          <span class="message-author">{author}</span>
          <time dateTime={message.created_at}>{formatDateTime(message.created_at)}</time>
        </header>
        <RichText html={message.message} />
        {message.attachments.length ? (
          <ul class="attachments attachments--inline" aria-label={t('portal.files.of_message')}>
            {message.attachments.map((file) => (
              <AttachmentItem key={file.id} file={file} />
            ))}
          </ul>
        ) : null}
        {mine ? (
          <p class="receipt">
            {message.read_at ? t('portal.thread.read', { time: formatDateTime(message.read_at) }) : t('portal.thread.not_read')}
          </p>
        ) : null}
      </article>
    </li>
  );
}
