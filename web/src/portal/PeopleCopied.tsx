/**
 * The colleagues a customer copies on their ticket: they receive the support team's replies by
 * email. The customer adds one (an address, a name if they like; not on a closed ticket) and
 * takes any of them off; the
 * list is the ticket's own (`participants`: customers are shown those in copy only), read again
 * after each change; the server's refusals are said beside the fields.
 */

import { useId, useRef, useState } from 'preact/hooks';
import type { TicketDetail } from '../api/schemas';
import { addParticipant } from '../data/participants';
import { t } from '../i18n';
import { ParticipantList } from '../participants/ParticipantList';
import { acceptsReplies } from '../tickets/moves';
import { addOutcome, checkParticipant, participantBody, participantName, type ParticipantValues } from '../participants/participants';
import { TextField } from '../ui/Field';
import { translated, useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';

export function PeopleCopied({ ticket, onChanged }: { ticket: TicketDetail; onChanged: () => Promise<void> }) {
  const id = useId();
  const copied = (ticket.participants ?? []).filter((p) => p.kind === 'cc');
  const [announcement, setAnnouncement] = useState('');
  const removal = useSubmit();
  const form = useFields<ParticipantValues>({ email: '', name: '', kind: 'cc' });
  const submission = useSubmit();
  const panel = useRef<HTMLElement>(null);
  const emailField = () => panel.current?.querySelector<HTMLInputElement>('input[name="email"]') ?? null;
  // A closed ticket sends no more replies: nobody is added to it.
  const open = acceptsReplies(ticket);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    setAnnouncement('');
    if (!form.show(translated(checkParticipant(form.values, copied)))) return;
    const values = form.values;
    void submission.run(async () => {
      try {
        const answer = await form.server(() => addParticipant(ticket.id, participantBody(values)));
        const name = participantName(answer);
        setAnnouncement(addOutcome(answer, copied) === 'already' ? t('participants.portal.already', { name }) : t('participants.portal.added', { name }));
        form.setValues({ email: '', name: '', kind: 'cc' });
        emailField()?.focus();
      } finally {
        await onChanged();
      }
    });
  };

  return (
    <section class="panel people-copied" aria-labelledby={id} ref={panel}>
      <h2 id={id} tabIndex={-1}>
        {t('participants.portal.title')}
      </h2>
      <p class="hint">{t('participants.portal.lead')}</p>
      <p class="live-note" role="status">
        {announcement}
      </p>
      {copied.length ? (
        <ParticipantList
          ticketId={ticket.id}
          participants={copied}
          label={t('participants.portal.list')}
          showKind={false}
          canRemove={() => true}
          submission={removal}
          onRemoved={async (participant, removed) => {
            if (removed) setAnnouncement(t('participants.portal.removed', { name: participantName(participant) }));
            await onChanged();
          }}
          fallback={() => emailField() ?? document.getElementById(id)}
        />
      ) : (
        <p>{t('participants.portal.empty')}</p>
      )}
      <ErrorAlert error={removal.error} />
      {open ? (
      <form ref={form.ref} class="form participant-add" aria-labelledby={`${id}-add`} onSubmit={onSubmit} noValidate>
        <h3 id={`${id}-add`}>{t('participants.portal.add')}</h3>
        <div class="field-row">
          <TextField
            label={t('participants.portal.email')}
            name="email"
            type="email"
            autocomplete="off"
            spellcheck={false}
            maxLength={254}
            value={form.values.email}
            error={form.errors.email}
            onValue={form.set('email')}
          />
          <TextField label={t('participants.add.name')} name="name" autocomplete="off" maxLength={255} value={form.values.name} error={form.errors.name} onValue={form.set('name')} />
        </div>
        <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields', limit_reached: 'participants.limit' }} />
        <button type="submit" class="button button--secondary" disabled={submission.busy}>
          {submission.busy ? t('common.working') : t('participants.portal.submit')}
        </button>
      </form>
      ) : null}
    </section>
  );
}
