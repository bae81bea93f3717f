/**
 * The ticket's history, folded until opened (and read only then, again as the ticket changes):
 * every change, who made it and when, oldest first.
 */

import { useId } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { useMember } from '../../tenant/member';
import { FoldedPanel } from '../../ui/FoldedPanel';
import { Loaded } from '../../ui/status';
import { useFieldDefinitions } from '../../tickets/useFieldDefinitions';
import { usePeople } from '../people';
import { useTeams, useTeamsById } from '../useTeams';
import type { HistoryEntry } from '../../data/tickets';
import type { Resource } from '../../data/resource';
import { useHistory } from '../../data/hooks';
import { actorName, describeEntry } from './history';

export function HistoryPanel({ ticketId, version }: { ticketId: number; version: string | undefined }) {
  const id = useId();
  return (
    <FoldedPanel id={id} title={t('console.history.title')} lazy>
      <History history={historyOf(ticketId, version)} />
    </FoldedPanel>
  );
}

/** Called inside the opened panel only. */
const historyOf = (ticketId: number, version: string | undefined) => () => useHistory(ticketId, version);

function History({ history: read }: { history: () => Resource<HistoryEntry[]> }) {
  const history = read();
  const people = usePeople();
  const { member } = useMember();
  const teams = useTeamsById(useTeams().data);
  const teamName = (id: string) => teams.get(id)?.name;
  const fields = useFieldDefinitions().data;
  return (
    <>
      <Loaded resource={history} empty={(entries) => entries.length === 0 && t('console.history.empty')}>
        {(entries) => (
          <ol class="timeline">
            {entries.map((entry) => (
              <li key={entry.id}>
                <time dateTime={entry.created_at}>{formatDateTime(entry.created_at)}</time>
                <p>
                  <strong>{actorName(entry, people, member.id)}</strong> {describeEntry(entry, people, teamName, fields)}
                </p>
                {entry.reason ? <p class="hint">{t('console.history.reason', { reason: entry.reason })}</p> : null}
              </li>
            ))}
          </ol>
        )}
      </Loaded>
    </>
  );
}
