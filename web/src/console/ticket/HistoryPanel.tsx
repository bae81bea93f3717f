/**
 * The ticket's history, folded until opened (and read only then, again as the ticket changes):
 * every change, who made it and when, oldest first.
 */

import { useId } from 'preact/hooks';
import { getOrganization } from '../../data/organizations';
import { useResource } from '../../data/resource';
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
  const organizations = useOrganizationNames(history.data);
  return (
    <>
      <Loaded resource={history} empty={(entries) => entries.length === 0 && t('console.history.empty')}>
        {(entries) => (
          <ol class="timeline">
            {entries.map((entry) => (
              <li key={entry.id}>
                <time dateTime={entry.created_at}>{formatDateTime(entry.created_at)}</time>
                <p>
                  <strong>{actorName(entry, people, member.id)}</strong> {describeEntry(entry, people, teamName, fields, (id) => organizations.get(id))}
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

/** The names of the customer organisations the entries moved the ticket to, each read from its
 * own page (one deleted since stays unnamed). */
function useOrganizationNames(entries: readonly HistoryEntry[] | undefined): Map<string, string> {
  const { slug } = useMember();
  const ids = [
    ...new Set(
      (entries ?? []).flatMap((entry) => {
        const moved = (entry.changes as Record<string, unknown> | null | undefined)?.organization_id;
        return Array.isArray(moved) && typeof moved[1] === 'string' ? [moved[1]] : [];
      }),
    ),
  ].sort();
  const names = useResource(`organization-names:${slug}:${ids.join(',')}`, async (signal) => {
    const found = await Promise.all(ids.map((id) => getOrganization(id, signal).then((o) => [id, o.name] as const, () => null)));
    return new Map(found.filter((pair): pair is readonly [string, string] => pair !== null));
  });
  return names.data ?? new Map();
}
