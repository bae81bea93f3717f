import { describe, expect, it } from 'vitest';
import type { Team } from '../data/teams';
import { EMPTY_TEAM, checkTeamForm, parseCap, queuedTeams, teamChange, teamFormValues, teamMove } from './teams';

const me = 'b3f0c2a4-0000-4000-8000-000000000001';
const inès = 'b3f0c2a4-0000-4000-8000-000000000002';
const hugo = 'b3f0c2a4-0000-4000-8000-000000000003';

const team = (over: Partial<Team> = {}): Team => ({
  id: 'c0ffee00-0000-4000-8000-000000000001',
  name: 'Facturation',
  description: 'Paiements et remboursements',
  assignment: 'round_robin',
  max_open_per_agent: 5,
  member_ids: [inès, hugo],
  created_at: '2030-01-01T00:00:00Z',
  ...over,
});

describe('the team form', () => {
  it('asks for a name and a cap in range, before anything is sent', () => {
    expect(checkTeamForm(EMPTY_TEAM)).toEqual({ errors: { name: 'teams.form.name_required' }, request: null });
    expect(checkTeamForm({ ...EMPTY_TEAM, name: 'x'.repeat(101) }).errors.name).toBe('teams.form.name_long');
    expect(checkTeamForm({ ...EMPTY_TEAM, name: 'Retours', description: 'é'.repeat(1001) }).errors.description).toBe('teams.form.description_long');
    for (const cap of ['0', '1001', '2.5', '-3', 'lots']) expect(checkTeamForm({ ...EMPTY_TEAM, name: 'Retours', cap }).errors.cap, cap).toBe('teams.form.cap_range');
  });

  it('sends the whole team: names trimmed, no cap as null, members once each', () => {
    expect(checkTeamForm({ name: '  Retours ', description: ' Colis ', assignment: 'least_loaded', cap: '', members: [inès, hugo, inès] })).toEqual({
      errors: {},
      request: { name: 'Retours', description: 'Colis', assignment: 'least_loaded', max_open_per_agent: null, member_ids: [inès, hugo] },
    });
    expect(checkTeamForm({ ...EMPTY_TEAM, name: 'Retours', cap: ' 1000 ' }).request?.max_open_per_agent).toBe(1000);
  });

  it('reads a cap as the API takes it', () => {
    expect(parseCap('')).toBeNull();
    expect(parseCap('1')).toBe(1);
    expect(parseCap('0')).toBeUndefined();
    expect(parseCap('1e3')).toBeUndefined();
  });

  it('starts from a team as it stands', () => {
    expect(teamFormValues(team({ max_open_per_agent: null }))).toEqual({ name: 'Facturation', description: 'Paiements et remboursements', assignment: 'round_robin', cap: '', members: [inès, hugo] });
    expect(teamFormValues(team()).cap).toBe('5');
  });
});

describe('teamChange', () => {
  it('holds only what differs, members as a set', () => {
    const same = checkTeamForm({ ...teamFormValues(team()), members: [hugo, inès] }).request!;
    expect(teamChange(team(), same)).toEqual({});
    const changed = checkTeamForm({ ...teamFormValues(team()), name: 'Paiements', assignment: 'manual', cap: '', members: [me] }).request!;
    expect(teamChange(team(), changed)).toEqual({ name: 'Paiements', assignment: 'manual', max_open_per_agent: null, member_ids: [me] });
    const capped = checkTeamForm({ ...teamFormValues(team({ max_open_per_agent: null })), cap: '3', description: '' }).request!;
    expect(teamChange(team({ max_open_per_agent: null }), capped)).toEqual({ max_open_per_agent: 3, description: '' });
  });
});

describe('queuedTeams', () => {
  it('lists the caller’s teams, or every team for owners and admins', () => {
    const teams = [team({ id: 'a', member_ids: [me] }), team({ id: 'b', member_ids: [inès] })];
    expect(queuedTeams(teams, me, false).map((t) => t.id)).toEqual(['a']);
    expect(queuedTeams(teams, me, true).map((t) => t.id)).toEqual(['a', 'b']);
  });
});

describe('teamMove', () => {
  const assignment = (id: string) => (id === 'routed' ? 'round_robin' : id === 'manual' ? 'manual' : undefined);

  it('says when routing gave the ticket to someone at once', () => {
    expect(teamMove({ team_id: null, assigned_to: null }, { team_id: 'routed', assigned_to: inès }, assignment)).toEqual({ kind: 'assigned', team: 'routed', to: inès });
  });

  it('says when it waits in a routed team’s queue, and when it simply moved', () => {
    expect(teamMove({ team_id: null, assigned_to: null }, { team_id: 'routed', assigned_to: null }, assignment)).toEqual({ kind: 'waiting', team: 'routed' });
    expect(teamMove({ team_id: null, assigned_to: null }, { team_id: 'manual', assigned_to: null }, assignment)).toEqual({ kind: 'moved', team: 'manual' });
    // Someone already had it: routing leaves it with them.
    expect(teamMove({ team_id: null, assigned_to: hugo }, { team_id: 'routed', assigned_to: hugo }, assignment)).toEqual({ kind: 'moved', team: 'routed' });
    expect(teamMove({ team_id: 'routed', assigned_to: null }, { team_id: null, assigned_to: null }, assignment)).toEqual({ kind: 'removed' });
  });
});
