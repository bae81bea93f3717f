/**
 * The organisation's teams for the console's views (the sidebar's team queues, the queue's
 * filter, a ticket's team): one answer shared while it is fresh, read again everywhere when a
 * team is made, changed or deleted in this tab.
 */

import { useEffect, useMemo, useState } from 'preact/hooks';
import { onTeamsChanged, sharedTeams, teamsVersion, type Team } from '../data/teams';
import { useResource, type Resource } from '../data/resource';
import { useMember } from '../tenant/member';

export function useTeams(): Resource<Team[]> {
  const { slug } = useMember();
  const [version, setVersion] = useState(teamsVersion);
  useEffect(() => onTeamsChanged(() => setVersion(teamsVersion())), []);
  const key = `${slug}:${version}`;
  return useResource(`teams:${key}`, () => sharedTeams(key));
}

/** The teams by id (none while they load, or when they could not be read). */
export function useTeamsById(teams: Team[] | undefined): Map<string, Team> {
  return useMemo(() => new Map((teams ?? []).map((team) => [team.id, team])), [teams]);
}
