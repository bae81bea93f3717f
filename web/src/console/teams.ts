/**
 * Teams as the console reads them: the admin form checked before the server (which stays the
 * authority) and what a change sends, the teams whose queues the sidebar lists, and what a move
 * into a team did to a ticket (routing may have given it to someone at once).
 */

import type { NewTeam, Team, TeamAssignment, TeamChange } from '../data/teams';
import type { MessageKey } from '../i18n';

export const TEAM_NAME_MAX = 100;
export const TEAM_DESCRIPTION_MAX = 1000;
export const CAP_MIN = 1;
export const CAP_MAX = 1000;

export const ASSIGNMENTS = ['manual', 'round_robin', 'least_loaded'] as const satisfies readonly TeamAssignment[];

export const ASSIGNMENT_LABEL: Record<TeamAssignment, MessageKey> = {
  manual: 'teams.assignment.manual',
  round_robin: 'teams.assignment.round_robin',
  least_loaded: 'teams.assignment.least_loaded',
};

export const ASSIGNMENT_HINT: Record<TeamAssignment, MessageKey> = {
  manual: 'teams.assignment.manual_hint',
  round_robin: 'teams.assignment.round_robin_hint',
  least_loaded: 'teams.assignment.least_loaded_hint',
};

/** Whether the server hands the team's tickets out itself. */
export const routes = (assignment: TeamAssignment) => assignment !== 'manual';

/** The form as typed: the cap as text (`''` for no cap), the members by id. */
export interface TeamFormValues {
  name: string;
  description: string;
  assignment: TeamAssignment;
  cap: string;
  members: string[];
}

export type TeamField = 'name' | 'description' | 'assignment' | 'cap' | 'members' | 'form';

/** The server's field names, as the form's. */
export const SERVER_FIELDS: Record<string, Exclude<TeamField, 'form'>> = {
  name: 'name',
  description: 'description',
  assignment: 'assignment',
  max_open_per_agent: 'cap',
  member_ids: 'members',
};

export const EMPTY_TEAM: TeamFormValues = { name: '', description: '', assignment: 'round_robin', cap: '', members: [] };

export function teamFormValues(team: Team): TeamFormValues {
  return {
    name: team.name,
    description: team.description,
    assignment: team.assignment,
    cap: team.max_open_per_agent == null ? '' : String(team.max_open_per_agent),
    members: [...team.member_ids],
  };
}

const chars = (value: string) => [...value].length;

/** The cap as the API takes it: `null` for none, `undefined` when it is not a whole number in range. */
export function parseCap(text: string): number | null | undefined {
  const value = text.trim();
  if (!value) return null;
  if (!/^\d{1,4}$/.test(value)) return undefined;
  const cap = Number(value);
  return cap >= CAP_MIN && cap <= CAP_MAX ? cap : undefined;
}

/** The errors to show, or the whole team to send (the same request makes a team, and is what a
 * change is worked out from: `teamChange`). */
export function checkTeamForm(form: TeamFormValues): { errors: Partial<Record<TeamField, MessageKey>>; request: NewTeam | null } {
  const errors: Partial<Record<TeamField, MessageKey>> = {};
  const name = form.name.trim();
  const description = form.description.trim();
  if (!name) errors.name = 'teams.form.name_required';
  else if (chars(name) > TEAM_NAME_MAX) errors.name = 'teams.form.name_long';
  if (chars(description) > TEAM_DESCRIPTION_MAX) errors.description = 'teams.form.description_long';
  const cap = parseCap(form.cap);
  if (cap === undefined) errors.cap = 'teams.form.cap_range';
  if (Object.keys(errors).length || cap === undefined) return { errors, request: null };
  return {
    errors,
    request: { name, description, assignment: form.assignment, max_open_per_agent: cap, member_ids: [...new Set(form.members)] },
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((id) => right.has(id));
};

/** Only what differs from the team as it stands (`{}` when nothing does), so a colleague's
 * change to another field is not undone. */
export function teamChange(team: Team, request: NewTeam): TeamChange {
  const change: TeamChange = {};
  if (request.name !== team.name) change.name = request.name;
  if ((request.description ?? '') !== team.description) change.description = request.description ?? '';
  if (request.assignment !== team.assignment) change.assignment = request.assignment;
  const cap = request.max_open_per_agent ?? null;
  if (cap !== (team.max_open_per_agent ?? null)) change.max_open_per_agent = cap;
  if (!sameSet(request.member_ids, team.member_ids)) change.member_ids = request.member_ids;
  return change;
}

/** The teams whose queues the sidebar lists: the caller's own, or every one for owners and admins. */
export function queuedTeams<T extends Pick<Team, 'member_ids'>>(teams: readonly T[], me: string, admin: boolean): T[] {
  return admin ? [...teams] : teams.filter((team) => team.member_ids.includes(me));
}

/** What moving a ticket between teams did, from the ticket before and the server's answer. */
export type TeamMove =
  | { kind: 'removed' }
  | { kind: 'moved'; team: string }
  /** Routing gave it to someone at once. */
  | { kind: 'assigned'; team: string; to: string }
  /** A routed team where nobody can take it now: it waits in the team's queue. */
  | { kind: 'waiting'; team: string };

type Assignable = { team_id?: string | null; assigned_to?: string | null };

export function teamMove(before: Assignable, after: Assignable, assignmentOf: (team: string) => TeamAssignment | undefined): TeamMove {
  const team = after.team_id ?? null;
  if (!team) return { kind: 'removed' };
  const to = after.assigned_to ?? null;
  if (to && to !== (before.assigned_to ?? null)) return { kind: 'assigned', team, to };
  const assignment = assignmentOf(team);
  if (!to && assignment && routes(assignment)) return { kind: 'waiting', team };
  return { kind: 'moved', team };
}
