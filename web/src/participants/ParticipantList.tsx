/**
 * A ticket's participants as a list, for the console and the portal: each one's name and
 * address, their kind (staff see followers too), and a button to take them off. Taking one off
 * moves the focus to the one that takes its place, or the one before, or `fallback` once none is
 * left (the button pressed goes with its row).
 */

import { useRef } from 'preact/hooks';
import type { Participant } from '../data/participants';
import { removeParticipant } from '../data/participants';
import { t } from '../i18n';
import type { Submission } from '../ui/hooks';
import { KIND_LABEL, neighbour, participantName } from './participants';

export function ParticipantList({
  ticketId,
  participants,
  label,
  showKind,
  canRemove,
  submission,
  onRemoved,
  fallback,
}: {
  ticketId: number;
  participants: readonly Participant[];
  /** The list's accessible name. */
  label: string;
  showKind: boolean;
  canRemove: (participant: Participant) => boolean;
  /** The removals' one submission (its failure is shown by the caller). */
  submission: Submission;
  /** After a removal, done (`removed`) or refused (someone took them off first, say): reads the
   * ticket again, and resolves once the list is current. */
  onRemoved: (participant: Participant, removed: boolean) => Promise<void>;
  /** Where the focus goes once the list is empty. */
  fallback: () => HTMLElement | null;
}) {
  const list = useRef<HTMLUListElement>(null);
  const remove = (participant: Participant) => {
    const next = neighbour(
      participants.filter(canRemove).map((p) => p.id),
      participant.id,
    );
    void submission.run(async () => {
      let removed = false;
      try {
        await removeParticipant(ticketId, participant.id);
        removed = true;
      } finally {
        await onRemoved(participant, removed);
        if (removed) {
          requestAnimationFrame(() => {
            const button = next === undefined ? null : list.current?.querySelector<HTMLButtonElement>(`button[data-participant="${next}"]`);
            (button ?? fallback())?.focus();
          });
        }
      }
    });
  };
  return (
    <ul class="participant-list" aria-label={label} ref={list}>
      {participants.map((participant) => {
        const name = participantName(participant);
        const unnamed = name === participant.email;
        return (
          <li key={participant.id} class="participant">
            <span class="participant-who">
              {/* Without a name, the address stands for it. */}
              <span class={unnamed ? 'participant-name address' : 'participant-name'} title={unnamed ? name : undefined}>
                {name}
              </span>
              {unnamed ? null : (
                <span class="fact-detail participant-email address" title={participant.email}>
                  {participant.email}
                </span>
              )}
            </span>
            {showKind ? <span class={`badge badge--participant-${participant.kind}`}>{t(KIND_LABEL[participant.kind])}</span> : null}
            {canRemove(participant) ? (
              <button
                type="button"
                class="button button--link button--small"
                data-participant={participant.id}
                aria-label={t('participants.remove', { name })}
                disabled={submission.busy}
                onClick={() => remove(participant)}
              >
                {t('participants.remove_short')}
              </button>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
