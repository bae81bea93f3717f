/** Replying to the support team. */

import { useState } from 'preact/hooks';
import { postMessage } from '../data/messages';
import type { Message, TicketStatus } from '../api/schemas';
import { t } from '../i18n';
import { TextArea } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert, Notice } from '../ui/status';
import { maxLength, required } from '../ui/validate';
import { textToHtml } from '../tickets/text';

export function ReplyForm({ ticketId, status, onPosted }: { ticketId: number; status: TicketStatus; onPosted: (message: Message) => void }) {
  const form = useFields({ text: '' });
  const [sent, setSent] = useState(false);
  const submission = useSubmit();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    setSent(false);
    if (!form.check({ text: [required, maxLength(15000)] })) return;
    void submission.run(async () => {
      const message = await postMessage(ticketId, { message: textToHtml(form.values.text) });
      form.set('text')('');
      setSent(true);
      onPosted(message);
    });
  };

  return (
    <form ref={form.ref} class="form reply" onSubmit={onSubmit} noValidate>
      <TextArea
        label={t('portal.reply.label')}
        name="message"
        rows={5}
        value={form.values.text}
        onValue={form.set('text')}
        hint={status === 'waiting_customer' ? t('portal.reply.waiting_hint') : undefined}
        error={form.errors.text}
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
