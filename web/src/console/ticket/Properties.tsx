/**
 * The ticket's properties in one panel beside the thread: its status and the moves allowed,
 * who has it, its priority, its team, its tags, and the organisation's own fields. Each is a
 * `Property`, a region named by its label.
 */

import { useId } from 'preact/hooks';
import type { TicketDetail, TicketStatus } from '../../api/schemas';
import { t } from '../../i18n';
import { AssigneeControl } from './AssigneeControl';
import { FieldsControl } from './FieldsControl';
import { PriorityControl } from './PriorityControl';
import { StatusControl, type StatusMoves } from './StatusControl';
import { TagsControl } from './TagsControl';
import { TeamControl } from './TeamControl';

/** `onAnnounce`: a change made here, in words; with the status it moved the ticket to when the
 * words already say so (routing assigned it), so that the page does not announce it again. */
export function PropertiesPanel({
  ticket,
  moves,
  onChanged,
  onAnnounce,
}: {
  ticket: TicketDetail;
  moves: StatusMoves;
  onChanged: () => Promise<void>;
  onAnnounce: (text: string, status?: TicketStatus) => void;
}) {
  const id = useId();
  return (
    <section class="panel properties" aria-labelledby={id}>
      <h2 id={id} class="visually-hidden">
        {t('console.properties.title')}
      </h2>
      <StatusControl ticket={ticket} moves={moves} />
      <AssigneeControl ticket={ticket} onChanged={onChanged} onAnnounce={onAnnounce} />
      <PriorityControl ticket={ticket} onChanged={onChanged} onAnnounce={onAnnounce} />
      <TeamControl ticket={ticket} onChanged={onChanged} onAnnounce={onAnnounce} />
      <TagsControl ticket={ticket} onChanged={onChanged} onAnnounce={onAnnounce} />
      <FieldsControl ticket={ticket} refused={moves.refusedFields} onChanged={onChanged} onAnnounce={onAnnounce} />
    </section>
  );
}
