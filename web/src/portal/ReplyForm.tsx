//! Replying to the support team.

import { useRef, useState } from 'preact/hooks';
import { postMessage } from '../data/messages';
import type { Message, TicketStatus } from '../api/schemas';
import { t } from '../i18n';
import { TextArea, focusFirstInvalid } from '../ui/Field';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert, Notice } from '../ui/status';
import { maxLength, required, validate } from '../ui/validate';
import { textToHtml } from '../tickets/text';

export function ReplyForm({ ticketId, status, onPosted }: { ticketId: number; status: TicketStatus; onPosted: (message: Message) => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [sent, setSent] = useState(false);
  const submission = useSubmit();
  const ref = useRef<HTMLFormElement>(null);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    setSent(false);
    const found = validate({ text }, { text: [required, maxLength(15000)] });
    setError(found.text);
    if (found.text) return void requestAnimationFrame(() => focusFirstInvalid(ref.current));
    void submission.run(async () => {
      const message = await postMessage(ticketId, { message: textToHtml(text) });
      setText('');
      setSent(true);
      onPosted(message);
    });
  };

  return (
    <form ref={ref} class="form reply" onSubmit={onSubmit} noValidate>
      <TextArea
        label={t('portal.reply.label')}
        name="message"
        rows={5}
        value={text}
        onValue={(v) => {
          setText(v);
          setError(undefined);
        }}
        hint={status === 'waiting_customer' ? t('portal.reply.waiting_hint') : undefined}
        error={error}
        required
      />
      <ErrorAlert error={submission.error} overrides={{ ticket_closed: 'portal.reply.closed' }} />
      {sent ? <Notice tone="success">{t('portal.reply.sent')}</Notice> : null}
      <button type="submit" class="button" disabled={submission.busy}>
        {submission.busy ? t('portal.reply.sending') : t('portal.reply.submit')}
      </button>
    </form>
  );
}
