import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import type { ConditionalPolicy, SlaPolicy } from '../data/sla';
import { setLocale } from '../i18n';
import {
  checkPolicyForm,
  conditionsSummary,
  emptyPolicyForm,
  listOf,
  matchedPriorities,
  moveFocus,
  moved,
  policyErrorOf,
  policyFormValues,
  policyInput,
  quotedNames,
  refusedNames,
  samePolicy,
  targetPriorities,
  withPolicy,
  withoutPolicy,
  type PolicyFormValues,
} from './policies';
import { fieldsRefused } from '../api/problem.fixture';

const BILLING = 'c0ffee00-0000-4000-8000-0000000000b1';
const PARIS = 'c0ffee00-0000-4000-8000-0000000000a1';
const ACME = 'a0000000-0000-4000-8000-000000000001';
const GLOBEX = 'a0000000-0000-4000-8000-000000000002';

const vip: ConditionalPolicy = {
  name: 'VIP urgent',
  conditions: { priorities: ['high', 'urgent'], team_ids: [BILLING], organization_ids: [ACME], tags_any: ['vip', 'refund'], categories: null, vip: true },
  schedule_id: PARIS,
  targets: {
    urgent: { response_minutes: 15, next_response_minutes: 30, resolution_minutes: 240 },
    high: { response_minutes: 60, next_response_minutes: null, resolution_minutes: 480 },
  },
};

const anything: ConditionalPolicy = {
  name: 'Everything else',
  conditions: { priorities: null, team_ids: null, organization_ids: null, tags_any: null, categories: null, vip: null },
  schedule_id: null,
  targets: {
    low: { response_minutes: 2880, next_response_minutes: null, resolution_minutes: 10080 },
    medium: { response_minutes: 1440, next_response_minutes: null, resolution_minutes: 4320 },
    high: { response_minutes: 240, next_response_minutes: null, resolution_minutes: 1440 },
    urgent: { response_minutes: 60, next_response_minutes: null, resolution_minutes: 240 },
  },
};

const refunds: ConditionalPolicy = {
  name: 'Refunds',
  conditions: { priorities: null, team_ids: null, organization_ids: null, tags_any: null, categories: ['refund'], vip: false },
  schedule_id: null,
  targets: anything.targets,
};

const defaults: SlaPolicy['targets'] = {
  low: { response_minutes: 2880, resolution_minutes: 10080 },
  medium: { response_minutes: 1440, resolution_minutes: 4320 },
  high: { response_minutes: 240, resolution_minutes: 1440 },
  urgent: { response_minutes: 60, resolution_minutes: 240 },
};

const form = (over: Partial<PolicyFormValues>): PolicyFormValues => ({ ...emptyPolicyForm(defaults), name: 'Support', ...over });

describe('the policy form', () => {
  it('starts from the default policy’s targets, for any ticket, around the clock', () => {
    const empty = emptyPolicyForm(defaults);
    expect(empty).toMatchObject({ name: '', priorities: [], teamIds: [], organizationIds: [], tags: '', categories: '', vip: 'any', scheduleId: '' });
    expect(empty.targets.urgent).toEqual({ response_minutes: '60', next_response_minutes: '', resolution_minutes: '240' });
    expect(emptyPolicyForm().targets.low).toEqual({ response_minutes: '', next_response_minutes: '', resolution_minutes: '' });
  });

  it('round-trips a policy through the form', () => {
    const values = policyFormValues(vip, defaults);
    expect(values).toMatchObject({ name: 'VIP urgent', priorities: ['urgent', 'high'], teamIds: [BILLING], organizationIds: [ACME], tags: 'vip, refund', categories: '', vip: 'vip', scheduleId: PARIS });
    expect(values.targets.urgent).toEqual({ response_minutes: '15', next_response_minutes: '30', resolution_minutes: '240' });
    const { errors, policy } = checkPolicyForm(values, ['Everything else']);
    expect(errors).toEqual({});
    expect(samePolicy(policy!, policyInput(vip))).toBe(true);
    expect(checkPolicyForm(policyFormValues(refunds), []).policy).toEqual(policyInput(refunds));
  });

  it('sends the targets of the priorities the policy can match only, every one when none is ticked', () => {
    expect(matchedPriorities([])).toEqual(['urgent', 'high', 'medium', 'low']);
    expect(matchedPriorities(['low', 'urgent'])).toEqual(['urgent', 'low']);
    const { policy } = checkPolicyForm(form({ priorities: ['low'] }), []);
    expect(Object.keys(policy!.targets)).toEqual(['low']);
    expect(policy!.conditions?.priorities).toEqual(['low']);
    expect(Object.keys(checkPolicyForm(form({}), []).policy!.targets)).toEqual(['urgent', 'high', 'medium', 'low']);
  });

  it('sends an empty condition as null (any), lists trimmed, lower-cased and each once', () => {
    const { policy } = checkPolicyForm(
      form({ tags: ' VIP, refund,,vip ', categories: 'Refund , delivery', vip: 'not_vip', scheduleId: PARIS, teamIds: [BILLING], organizationIds: [GLOBEX, ACME, GLOBEX] }),
      [],
    );
    expect(policy).toEqual({
      name: 'Support',
      conditions: { priorities: null, team_ids: [BILLING], organization_ids: [GLOBEX, ACME], tags_any: ['vip', 'refund'], categories: ['refund', 'delivery'], vip: false },
      schedule_id: PARIS,
      targets: expect.any(Object),
    });
    expect(checkPolicyForm(form({}), []).policy!.conditions).toEqual({ priorities: null, team_ids: null, organization_ids: null, tags_any: null, categories: null, vip: null });
    expect(listOf(' , ,')).toEqual([]);
  });

  it('leaves an empty next reply out (null), and refuses minutes out of bounds beside their field', () => {
    const targets = { ...emptyPolicyForm(defaults).targets, high: { response_minutes: '0', next_response_minutes: '1.5', resolution_minutes: '525601' } };
    expect(checkPolicyForm(form({ priorities: ['high'], targets }), [])).toEqual({
      errors: {
        'targets.high.response_minutes': 'console.policy.bounds',
        'targets.high.next_response_minutes': 'console.policy.bounds',
        'targets.high.resolution_minutes': 'console.policy.bounds',
      },
      policy: null,
    });
    // A target of a priority the policy cannot match is not read.
    expect(checkPolicyForm(form({ priorities: ['urgent'], targets }), []).errors).toEqual({});
    expect(checkPolicyForm(form({ priorities: ['urgent'] }), []).policy!.targets.urgent).toEqual({ response_minutes: 60, next_response_minutes: null, resolution_minutes: 240 });
  });

  it('refuses a missing, long or taken name, whatever the case', () => {
    expect(checkPolicyForm(form({ name: '  ' }), []).errors).toEqual({ name: 'policies.form.name_required' });
    expect(checkPolicyForm(form({ name: 'x'.repeat(101) }), []).errors).toEqual({ name: 'policies.form.name_long' });
    expect(checkPolicyForm(form({ name: ' vip URGENT ' }), ['VIP urgent']).errors).toEqual({ name: 'policies.form.name_taken' });
    expect(checkPolicyForm(form({ name: ' VIP urgent ' }), ['Refunds']).policy!.name).toBe('VIP urgent');
  });

  it('refuses tags and categories the server would, and more than 50 values', () => {
    expect(checkPolicyForm(form({ tags: 'vip customer' }), []).errors).toEqual({ tags: 'policies.form.tags_invalid' });
    expect(checkPolicyForm(form({ tags: 'vip:gold, a_b-c' }), []).errors).toEqual({});
    expect(checkPolicyForm(form({ categories: 'refund:full' }), []).errors).toEqual({ categories: 'policies.form.categories_invalid' });
    const many = Array.from({ length: 51 }, (_, i) => `t${i}`).join(',');
    expect(checkPolicyForm(form({ tags: many, categories: many }), []).errors).toEqual({ tags: 'policies.form.values_many', categories: 'policies.form.values_many' });
    const organizations = Array.from({ length: 51 }, (_, i) => `a0000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    expect(checkPolicyForm(form({ organizationIds: organizations }), []).errors).toEqual({ organizationIds: 'policies.form.values_many' });
    expect(checkPolicyForm(form({ organizationIds: organizations.slice(0, 50) }), []).policy!.conditions?.organization_ids).toHaveLength(50);
  });

  it('tells a change from none, a key left out reading as null', () => {
    const input = policyInput(refunds);
    expect(samePolicy(input, { ...input, conditions: { categories: ['refund'], vip: false } })).toBe(true);
    expect(samePolicy(input, { ...input, schedule_id: PARIS })).toBe(false);
    // The customer organisations a set: their order says nothing.
    const named = policyInput(vip);
    expect(samePolicy(named, { ...named, conditions: { ...named.conditions, organization_ids: null } })).toBe(false);
    const both = { ...named, conditions: { ...named.conditions, organization_ids: [ACME, GLOBEX] } };
    expect(samePolicy(both, { ...both, conditions: { ...both.conditions, organization_ids: [GLOBEX, ACME] } })).toBe(true);
    expect(samePolicy(input, { ...input, targets: { ...input.targets, low: { response_minutes: 2880, resolution_minutes: 10080 } } })).toBe(true);
    expect(samePolicy(input, { ...input, targets: { ...input.targets, low: { response_minutes: 2880, next_response_minutes: 60, resolution_minutes: 10080 } } })).toBe(false);
  });
});

describe('the list', () => {
  const list = [vip, refunds, anything];

  it('sends the whole list on each change, in order', () => {
    const added = withPolicy(list, null, policyInput(vip));
    expect(added.map((p) => p.name)).toEqual(['VIP urgent', 'Refunds', 'Everything else', 'VIP urgent']);
    expect(withPolicy(list, 1, { ...policyInput(refunds), name: 'Refunds (all)' }).map((p) => p.name)).toEqual(['VIP urgent', 'Refunds (all)', 'Everything else']);
    expect(withoutPolicy(list, 0).map((p) => p.name)).toEqual(['Refunds', 'Everything else']);
    expect(moved(list, 2, -1).map((p) => p.name)).toEqual(['VIP urgent', 'Everything else', 'Refunds']);
    expect(moved(list, 0, 1).map((p) => p.name)).toEqual(['Refunds', 'VIP urgent', 'Everything else']);
    // Nowhere to go: unchanged.
    expect(moved(list, 0, -1).map((p) => p.name)).toEqual(['VIP urgent', 'Refunds', 'Everything else']);
  });

  it('keeps the focus on the button that can still move the policy that way, else the other', () => {
    expect(moveFocus(1, 3, -1)).toBe('move-up');
    expect(moveFocus(0, 3, -1)).toBe('move-down');
    expect(moveFocus(1, 3, 1)).toBe('move-down');
    expect(moveFocus(2, 3, 1)).toBe('move-up');
  });

  it('puts the server’s refusals of this policy beside its fields, and leaves the others’ out', () => {
    expect(policyErrorOf('policies[1].name', 1)).toEqual({ error: 'name', message: 'policies.form.name_invalid' });
    expect(policyErrorOf('policies[1].name', 0)).toBeNull();
    expect(policyErrorOf('policies[3].conditions.team_ids', 3)).toEqual({ error: 'teamIds', message: 'policies.form.teams_invalid' });
    expect(policyErrorOf('policies[3].conditions.organization_ids', 3)).toEqual({ error: 'organizationIds', message: 'policies.form.organizations_invalid' });
    expect(policyErrorOf('policies[3].conditions.organization_ids', 2)).toBeNull();
    expect(policyErrorOf('policies[3].conditions.tags_any[2]', 3)).toEqual({ error: 'tags', message: 'policies.form.tags_invalid' });
    expect(policyErrorOf('policies[0].conditions.categories', 0)?.error).toBe('categories');
    expect(policyErrorOf('policies[0].conditions.priorities', 0)?.error).toBe('priorities');
    expect(policyErrorOf('policies[0].conditions.vip', 0)?.error).toBe('vip');
    expect(policyErrorOf('policies[0].schedule_id', 0)).toEqual({ error: 'scheduleId', message: 'policies.form.schedule_invalid' });
    expect(policyErrorOf('policies[0].targets.high.response_minutes', 0)).toEqual({ error: 'targets.high.response_minutes', message: 'console.policy.bounds' });
    expect(policyErrorOf('policies[0].targets.low', 0)).toEqual({ error: 'targets', message: 'policies.form.targets_invalid' });
    expect(policyErrorOf('policies', 4)).toEqual({ error: 'form', message: 'policies.form.limit' });
    expect(policyErrorOf('name', 0)).toBeNull();
  });

  it('names the other policies refused as they stand (a team deleted since), each once', () => {
    const refusal = fieldsRefused([
      { field: 'policies[2].conditions.team_ids', message: 'each must be a team of this organisation' },
      { field: 'policies[0].conditions.team_ids', message: 'each must be a team of this organisation' },
      { field: 'policies[0].name', message: 'policies[1] has this name' },
      { field: 'policies[1].targets.low', message: 'is required' },
    ]);
    const names = ['VIP urgent', 'Refunds', 'Everything else'];
    expect(refusedNames(refusal, names)).toEqual(['VIP urgent', 'Refunds', 'Everything else']);
    expect(refusedNames(refusal, names, 1)).toEqual(['VIP urgent', 'Everything else']);
    expect(refusedNames(new ApiProblem({ status: 409, code: 'conflict' }), names)).toEqual([]);
    expect(refusedNames(new Error('network'), names)).toEqual([]);
    setLocale('en');
    expect(quotedNames(['VIP urgent', 'Refunds'])).toBe('“VIP urgent”, “Refunds”');
  });
});

describe('a policy in short', () => {
  const teams = new Map([[BILLING, 'Billing']]);
  const organizations = new Map([
    [ACME, 'Acme Industries'],
    [GLOBEX, 'Globex'],
  ]);
  const names = { team: (id: string) => teams.get(id) ?? null, organization: (id: string) => organizations.get(id) ?? null };

  it('says what a policy applies to, in the console’s order of priorities', () => {
    setLocale('en');
    expect(conditionsSummary(vip.conditions, names)).toBe('Urgent, High · Team Billing · Customer organisation Acme Industries · tags vip, refund · VIP customers');
    expect(conditionsSummary(refunds.conditions, names)).toBe('category refund · Customers who are not VIP');
    expect(conditionsSummary(anything.conditions, names)).toBe('Every ticket');
    expect(conditionsSummary({ team_ids: [BILLING, 'c0ffee00-0000-4000-8000-0000000000ff'], tags_any: ['vip'] }, names)).toBe('Teams Billing, a team since deleted · tag vip');
    setLocale('fr');
    expect(conditionsSummary(vip.conditions, names)).toBe('Urgente, Haute · Équipe Billing · Organisation cliente Acme Industries · étiquettes vip, refund · Clients VIP');
    setLocale('en');
  });

  it('names the customer organisations by name, those since deleted last', () => {
    setLocale('en');
    const gone = 'a0000000-0000-4000-8000-0000000000ff';
    expect(conditionsSummary({ organization_ids: [GLOBEX, gone, ACME] }, names)).toBe('Customer organisations Acme Industries, Globex, a customer organisation since deleted');
    setLocale('fr');
    expect(conditionsSummary({ organization_ids: [GLOBEX, ACME] }, names)).toBe('Organisations clientes Acme Industries, Globex');
    setLocale('en');
  });

  it('lists the targets it holds, in the same order', () => {
    expect(targetPriorities(vip)).toEqual(['urgent', 'high']);
    expect(targetPriorities(anything)).toEqual(['urgent', 'high', 'medium', 'low']);
  });
});
