/**
 * Who else is on the ticket (staff), folded until opened unless someone is: the addresses in copy,
 * who receive its public replies by email, and the staff who follow it; each taken off with its
 * button. An address is added in copy or as a follower, the people of the organisation suggested
 * as it is typed (any address may be typed); the signed-in staff member follows the ticket, or
 * stops, with one button. The list is the ticket's own (`participants`), read again after each
 * change; the server's refusals are said beside the form's fields.
 */

import { useId, useRef, useState } from 'preact/hooks';
import type { TicketDetail } from '../../api/schemas';
import { addParticipant, removeParticipant, type Participant, type ParticipantKind } from '../../data/participants';
import { t } from '../../i18n';
import { ParticipantList } from '../../participants/ParticipantList';
import {
  PARTICIPANT_KINDS,
  addOutcome,
  checkParticipant,
  isFollowing,
  ownParticipation,
  participantBody,
  participantName,
  type ParticipantValues,
} from '../../participants/participants';
import { displayName, useMember } from '../../tenant/member';
import { SelectField, TextField } from '../../ui/Field';
import { FoldedPanel } from '../../ui/FoldedPanel';
import { translated, useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { addressSuggestions, knownName } from '../participants';
import { usePeople } from '../people';

const KIND_CHOICE: Record<ParticipantKind, 'participants.add.kind_cc' | 'participants.add.kind_follower'> = {
  cc: 'participants.add.kind_cc',
  follower: 'participants.add.kind_follower',
};

export function ParticipantsPanel({ ticket, onChanged, onAnnounce }: { ticket: TicketDetail; onChanged: () => Promise<void>; onAnnounce: (text: string) => void }) {
  const id = useId();
  const participants: Participant[] = ticket.participants ?? [];
  const removal = useSubmit();
  const panel = useRef<HTMLElement>(null);
  const emailField = () => panel.current?.querySelector<HTMLInputElement>('input[name="email"]') ?? null;
  return (
    <FoldedPanel id={id} title={t('participants.title')} class="participants-panel" holds={participants.length > 0} panelRef={panel}>
      <p class="hint">{t('participants.lead')}</p>
      {participants.length ? (
        <ParticipantList
          ticketId={ticket.id}
          participants={participants}
          label={t('participants.list')}
          showKind
          canRemove={() => true}
          submission={removal}
          onRemoved={async (participant, removed) => {
            if (removed) onAnnounce(t('participants.removed', { name: participantName(participant) }));
            await onChanged();
          }}
          fallback={() => emailField() ?? document.getElementById(id)}
        />
      ) : (
        <p class="property-value">{t('participants.empty')}</p>
      )}
      <ErrorAlert error={removal.error} />
      {/* A closed ticket sends nothing more: nobody is added to it. */}
      {ticket.status === 'closed' ? null : (
        <>
          <FollowToggle ticket={ticket} participants={participants} onChanged={onChanged} onAnnounce={onAnnounce} />
          <AddParticipant ticket={ticket} participants={participants} onChanged={onChanged} onAnnounce={onAnnounce} />
        </>
      )}
    </FoldedPanel>
  );
}

/** What the panel's parts are given: the ticket, its participants, the reading of them again
 * once changed (`onChanged`), and the announcement of what a change did (`onAnnounce`). */
interface PartProps {
  ticket: TicketDetail;
  participants: Participant[];
  onChanged: () => Promise<void>;
  onAnnounce: (text: string) => void;
}

/** Following the ticket, or no longer: the signed-in person's own address, as a follower. */
function FollowToggle({
  ticket,
  participants,
  onChanged,
  onAnnounce,
}: PartProps) {
  const { member } = useMember();
  const submission = useSubmit();
  const button = useRef<HTMLButtonElement>(null);
  const following = isFollowing(participants, member);
  const toggle = () =>
    void submission.run(async () => {
      try {
        const own = ownParticipation(participants, member);
        if (following && own) {
          await removeParticipant(ticket.id, own.id);
          onAnnounce(t('participants.unfollowed'));
        } else {
          const answer = await addParticipant(ticket.id, { email: member.email, name: displayName(member), kind: 'follower' });
          onAnnounce(answer.kind === 'follower' ? t('participants.followed') : t('participants.add.already', { name: participantName(answer) }));
        }
      } finally {
        await onChanged();
        // The button was disabled while busy, which took the focus away: it comes back, renamed.
        requestAnimationFrame(() => button.current?.focus());
      }
    });
  return (
    <div class="follow">
      <p class="property-value">{following ? t('participants.following') : t('participants.not_following')}</p>
      <button ref={button} type="button" class="button button--secondary" disabled={submission.busy} onClick={toggle}>
        {following ? t('participants.unfollow') : t('participants.follow')}
      </button>
      <ErrorAlert error={submission.error} overrides={{ limit_reached: 'participants.limit' }} />
    </div>
  );
}

/** The form adding an address, in copy or as a follower. */
function AddParticipant({
  ticket,
  participants,
  onChanged,
  onAnnounce,
}: PartProps) {
  const people = usePeople();
  const form = useFields<ParticipantValues>({ email: '', name: '', kind: 'cc' });
  const submission = useSubmit();
  const [wanted, setWanted] = useState(false);
  const id = useId();
  const listId = `${id}-addresses`;
  const { email, name, kind } = form.values;
  const exclude = [...participants.map((p) => p.email), ...(ticket.customer?.email ? [ticket.customer.email] : [])];
  const offered = wanted ? addressSuggestions(people.everyone, email, { kind, exclude }) : [];

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.show(translated(checkParticipant(form.values, participants)))) return;
    const values = form.values;
    void submission.run(async () => {
      try {
        const answer = await form.server(() => addParticipant(ticket.id, participantBody(values, knownName(people.everyone, values.email))));
        const who = participantName(answer);
        const outcome = addOutcome(answer, participants);
        onAnnounce(outcome === 'already' ? t('participants.add.already', { name: who }) : t(answer.kind === 'follower' ? 'participants.add.added_follower' : 'participants.add.added_cc', { name: who }));
        form.setValues({ email: '', name: '', kind: values.kind });
        // The focus stays in the address field, for the next one.
        form.ref.current?.querySelector<HTMLInputElement>('input[name="email"]')?.focus();
      } finally {
        await onChanged();
      }
    });
  };

  return (
    <form ref={form.ref} class="form participant-add" aria-labelledby={`${id}-title`} onSubmit={onSubmit} noValidate>
      <h3 id={`${id}-title`}>{t('participants.add.title')}</h3>
      <TextField
        label={t('participants.add.email')}
        name="email"
        type="email"
        hint={t('participants.add.email_hint')}
        autocomplete="off"
        spellcheck={false}
        list={listId}
        maxLength={254}
        value={email}
        error={form.errors.email}
        onFocus={() => setWanted(true)}
        onValue={form.set('email')}
      />
      <datalist id={listId}>
        {offered.map((suggestion) => (
          <option key={suggestion.email} value={suggestion.email} label={suggestion.name} />
        ))}
      </datalist>
      <TextField label={t('participants.add.name')} name="name" autocomplete="off" maxLength={255} value={name} error={form.errors.name} onValue={form.set('name')} />
      <SelectField
        label={t('participants.add.kind')}
        name="kind"
        value={kind}
        error={form.errors.kind}
        options={PARTICIPANT_KINDS.map((k) => ({ value: k, label: t(KIND_CHOICE[k]) }))}
        onValue={(value) => form.set('kind')(value as ParticipantKind)}
      />
      <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields', limit_reached: 'participants.limit' }} />
      <button type="submit" class="button button--secondary" disabled={submission.busy}>
        {submission.busy ? t('common.working') : t('participants.add.submit')}
      </button>
    </form>
  );
}
