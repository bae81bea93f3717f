/**
 * Splitting a message off into a new ticket (staff), from the message's menu: a modal dialog
 * asks first, with the new ticket's subject to edit (the ticket's own at first; sent only when
 * changed, the server taking the ticket's by default). The message leaves this thread for the
 * new ticket, related to this one; the page moves to it, which says where it came from.
 */

import { useId } from 'preact/hooks';
import type { Message, TicketDetail } from '../../api/schemas';
import { splitMessage } from '../../data/links';
import { t } from '../../i18n';
import { navigate } from '../../router/router';
import { TextField } from '../../ui/Field';
import { useFields } from '../../ui/form';
import { useModalDialog, useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { splitSubject } from '../links';

/** The message being split, with the words naming it ("Reply by {author}, {time}"). */
export interface Splitting {
  message: Message;
  label: string;
}

/** What the new ticket's page is told (`history.state`) of where it came from. */
export interface SplitState {
  splitFrom: string;
}

export function splitFromState(state: unknown): string | null {
  const from = (state as Partial<SplitState> | null)?.splitFrom;
  return typeof from === 'string' ? from : null;
}

export function SplitDialog({ ticket, splitting, onClose }: { ticket: TicketDetail; splitting: Splitting | null; onClose: () => void }) {
  const dialog = useModalDialog(splitting !== null);
  const titleId = useId();
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{t('links.split.title')}</h2>
      {splitting ? <SplitForm key={splitting.message.id} ticket={ticket} splitting={splitting} onClose={onClose} /> : null}
    </dialog>
  );
}

/** Mounted while the dialog is open: each opening starts from the ticket's subject. */
function SplitForm({ ticket, splitting, onClose }: { ticket: TicketDetail; splitting: Splitting; onClose: () => void }) {
  const form = useFields({ subject: ticket.subject });
  const submission = useSubmit();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const subject = splitSubject(form.values.subject, ticket.subject);
    if (subject === null) return void form.show({ subject: t('links.split.subject_required') });
    void submission.run(async () => {
      const created = await form.server(() => splitMessage(ticket.id, splitting.message.id, subject));
      onClose();
      navigate(`/tickets/${created.id}`, { state: { splitFrom: ticket.ticket_number } satisfies SplitState });
    });
  };

  return (
    <div>
      <p>{t('links.split.lead', { message: splitting.label })}</p>
      <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
        <TextField
          label={t('links.split.subject')}
          name="subject"
          autocomplete="off"
          maxLength={255}
          value={form.values.subject}
          error={form.errors.subject}
          onValue={form.set('subject')}
          // The dialog, as it opens, gives it the focus.
          autofocus
          required
        />
        <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields' }} />
        <div class="actions">
          <button type="submit" class="button" disabled={submission.busy}>
            {submission.busy ? t('common.working') : t('links.split.submit')}
          </button>
          <button type="button" class="button button--secondary" onClick={onClose}>
            {t('links.split.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}
