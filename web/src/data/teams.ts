/**
 * Teams: groups of the staff, each with a queue of its own and a way of handing its tickets out
 * (by hand, in turn, or to whoever has least). Everyone on the staff lists them; owners and
 * admins keep them. Also the caller's availability: routing gives tickets only to staff who
 * are available.
 *
 * The console reads the list in several places at once (the sidebar's team queues, the queue's
 * filter, a ticket's properties): they share one answer for a short while, and a change made
 * here reads it again everywhere (`teamsChanged`).
 */

import { api } from '../api';
import type { Availability, NewTeam, Team, TeamChange } from '../api/schemas';

export type { Availability, NewTeam, Team, TeamAssignment, TeamChange } from '../api/schemas';

/** The tenant's teams, ordered by name (there are at most 100). */
export function listTeams(signal?: AbortSignal): Promise<Team[]> {
  return api('GET', '/v1/teams', { signal });
}

export function createTeam(team: NewTeam): Promise<Team> {
  return api('POST', '/v1/teams', { body: team });
}

/** Each field optional; `max_open_per_agent: null` lifts the cap, `member_ids` is the whole set. */
export function changeTeam(id: string, change: TeamChange): Promise<Team> {
  return api('PATCH', '/v1/teams/{id}', { path: { id }, body: change });
}

/** Its tickets are left without a team. */
export async function removeTeam(id: string): Promise<void> {
  await api('DELETE', '/v1/teams/{id}', { path: { id } });
}

/** Whether the caller (staff) takes tickets now; the answer is what the server holds. */
export function setAvailability(available: boolean): Promise<Availability> {
  return api('PUT', '/v1/me/availability', { body: { available } });
}

/** How long one answer of the list serves every view that asks. */
const SHARED_MS = 30_000;

let shared: { key: string; at: number; teams: Promise<Team[]> } | null = null;
let version = 0;
const listeners = new Set<() => void>();

/** The list for `key` (the organisation and `teamsVersion()`), read once for every view that
 * asks within a short while; a failure is not kept. */
export function sharedTeams(key: string): Promise<Team[]> {
  if (shared && shared.key === key && Date.now() - shared.at < SHARED_MS) return shared.teams;
  const teams = listTeams();
  const entry = { key, at: Date.now(), teams };
  shared = entry;
  teams.catch(() => {
    if (shared === entry) shared = null;
  });
  return teams;
}

/** Moves with each change made in this tab. */
export const teamsVersion = () => version;

/** A team was made, changed or deleted here: every view reads the list again. */
export function teamsChanged(): void {
  version += 1;
  shared = null;
  for (const listener of listeners) listener();
}

export function onTeamsChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}
