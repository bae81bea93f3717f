/**
 * SLA policies by condition, as plain functions: a policy as a form (its conditions as typed,
 * its targets for the priorities it can match), checked before the server (which stays the
 * authority: the teams, customer organisations and schedules are its to know), the body a change
 * of the list sends (the whole list, in order), the server's field names as the form's, and a
 * policy in short for the list ("Urgent, High · Team Billing · Customer organisation Acme · tags
 * vip, refund · VIP customers").
 */

import { ApiProblem } from '../api/problem';
import type { Priority } from '../api/schemas';
import type { ConditionalPolicy, ConditionalPolicyInput, SlaPolicy } from '../data/sla';
import { t, tn, type MessageKey } from '../i18n';
import { minutes } from './admin/policy';
import { PRIORITIES } from './queue/views';
import { TAG, normaliseTag } from './tags';

/** The most policies an organisation keeps. */
export const POLICIES_MAX = 50;
export const NAME_MAX = 100;
/** The most values one condition lists. */
export const VALUES_MAX = 50;
/** A ticket's category, as the server takes it. */
export const CATEGORY = /^[a-z0-9_-]{1,64}$/;

export type Vip = 'any' | 'vip' | 'not_vip';
export const VIP_CHOICES: readonly Vip[] = ['any', 'vip', 'not_vip'];

export type TargetKind = 'response_minutes' | 'next_response_minutes' | 'resolution_minutes';
export const TARGET_KINDS: readonly TargetKind[] = ['response_minutes', 'next_response_minutes', 'resolution_minutes'];

/** One priority's targets as typed, in minutes; the next response may be left empty (none). */
export type TargetValues = Record<TargetKind, string>;

export interface PolicyFormValues {
  name: string;
  /** None chosen: any priority. */
  priorities: Priority[];
  /** None chosen: any team (and no team). */
  teamIds: string[];
  /** None chosen: any customer organisation (and none). */
  organizationIds: string[];
  /** Separated by commas; empty: any tags. */
  tags: string;
  categories: string;
  vip: Vip;
  /** Empty: around the clock. */
  scheduleId: string;
  /** Every priority's, kept while the priorities chosen change; only those it can match are sent. */
  targets: Record<Priority, TargetValues>;
}

export type TargetError = `targets.${Priority}.${TargetKind}`;
/** The form's errors: beside a field or a target, the targets as a whole, or the whole form's. */
export type PolicyFormError = Exclude<keyof PolicyFormValues, 'targets'> | 'targets' | 'form' | TargetError;
export type PolicyFormErrors = Partial<Record<PolicyFormError, MessageKey>>;

export const targetError = (priority: Priority, kind: TargetKind): TargetError => `targets.${priority}.${kind}`;

/** The priorities a policy can match: those chosen, or all four when none is. */
export function matchedPriorities(chosen: readonly Priority[]): Priority[] {
  return chosen.length ? PRIORITIES.filter((p) => chosen.includes(p)) : [...PRIORITIES];
}

const blankTargets = (): TargetValues => ({ response_minutes: '', next_response_minutes: '', resolution_minutes: '' });

/** A new policy: any ticket, around the clock, its targets those of the default policy (when
 * known) to start from. */
export function emptyPolicyForm(defaults?: SlaPolicy['targets']): PolicyFormValues {
  const targets = {} as Record<Priority, TargetValues>;
  for (const p of PRIORITIES) {
    const from = defaults?.[p];
    targets[p] = from ? { response_minutes: String(from.response_minutes), next_response_minutes: '', resolution_minutes: String(from.resolution_minutes) } : blankTargets();
  }
  return { name: '', priorities: [], teamIds: [], organizationIds: [], tags: '', categories: '', vip: 'any', scheduleId: '', targets };
}

export function policyFormValues(policy: ConditionalPolicy, defaults?: SlaPolicy['targets']): PolicyFormValues {
  const values = emptyPolicyForm(defaults);
  const conditions = policy.conditions ?? {};
  for (const p of PRIORITIES) {
    const held = policy.targets[p];
    if (!held) continue;
    values.targets[p] = {
      response_minutes: String(held.response_minutes),
      next_response_minutes: held.next_response_minutes == null ? '' : String(held.next_response_minutes),
      resolution_minutes: String(held.resolution_minutes),
    };
  }
  return {
    ...values,
    name: policy.name,
    priorities: PRIORITIES.filter((p) => conditions.priorities?.includes(p)),
    teamIds: [...(conditions.team_ids ?? [])],
    organizationIds: [...(conditions.organization_ids ?? [])],
    tags: (conditions.tags_any ?? []).join(', '),
    categories: (conditions.categories ?? []).join(', '),
    vip: conditions.vip == null ? 'any' : conditions.vip ? 'vip' : 'not_vip',
    scheduleId: policy.schedule_id ?? '',
  };
}

/** The values of a list typed with commas, trimmed and lower-cased (as the server keeps tags),
 * each once, in the order typed. */
export function listOf(text: string): string[] {
  const values = text.split(',').map(normaliseTag).filter(Boolean);
  return [...new Set(values)];
}

/** A list condition as sent: `null` (any) when empty. */
const condition = <T>(values: readonly T[]): T[] | null => (values.length ? [...values] : null);

/** The errors to show, or the policy to send. `others`: the names of the other policies. */
export function checkPolicyForm(form: PolicyFormValues, others: readonly string[]): { errors: PolicyFormErrors; policy: ConditionalPolicyInput | null } {
  const errors: PolicyFormErrors = {};
  const name = form.name.trim();
  const taken = new Set(others.map((other) => other.trim().toLowerCase()));
  if (!name) errors.name = 'policies.form.name_required';
  else if ([...name].length > NAME_MAX) errors.name = 'policies.form.name_long';
  else if (taken.has(name.toLowerCase())) errors.name = 'policies.form.name_taken';
  if (form.teamIds.length > VALUES_MAX) errors.teamIds = 'policies.form.values_many';
  const organizations = [...new Set(form.organizationIds)];
  if (organizations.length > VALUES_MAX) errors.organizationIds = 'policies.form.values_many';
  const tags = listOf(form.tags);
  if (tags.some((tag) => !TAG.test(tag))) errors.tags = 'policies.form.tags_invalid';
  else if (tags.length > VALUES_MAX) errors.tags = 'policies.form.values_many';
  const categories = listOf(form.categories);
  if (categories.some((category) => !CATEGORY.test(category))) errors.categories = 'policies.form.categories_invalid';
  else if (categories.length > VALUES_MAX) errors.categories = 'policies.form.values_many';

  const targets: ConditionalPolicyInput['targets'] = {};
  for (const p of matchedPriorities(form.priorities)) {
    const read = (kind: TargetKind, optional = false): number | null => {
      const typed = form.targets[p][kind];
      if (optional && !typed.trim()) return null;
      const n = minutes(typed);
      if (n === null) errors[targetError(p, kind)] = 'console.policy.bounds';
      return n;
    };
    const response = read('response_minutes');
    const next = read('next_response_minutes', true);
    const resolution = read('resolution_minutes');
    if (response !== null && resolution !== null) targets[p] = { response_minutes: response, next_response_minutes: next, resolution_minutes: resolution };
  }
  if (Object.keys(errors).length) return { errors, policy: null };
  return {
    errors,
    policy: {
      name,
      conditions: {
        priorities: condition(PRIORITIES.filter((p) => form.priorities.includes(p))),
        team_ids: condition(form.teamIds),
        organization_ids: condition(organizations),
        tags_any: condition(tags),
        categories: condition(categories),
        vip: form.vip === 'any' ? null : form.vip === 'vip',
      },
      schedule_id: form.scheduleId || null,
      targets,
    },
  };
}

/** A policy as the server keeps it, as it is sent back with the rest of the list. */
export function policyInput(policy: ConditionalPolicy): ConditionalPolicyInput {
  return { name: policy.name, conditions: policy.conditions ?? {}, schedule_id: policy.schedule_id ?? null, targets: policy.targets };
}

/** Whether two policies as sent say the same (a key left out reads as `null`, a condition's
 * values in any order). */
export function samePolicy(a: ConditionalPolicyInput, b: ConditionalPolicyInput): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(policy: ConditionalPolicyInput) {
  const c = policy.conditions ?? {};
  return {
    name: policy.name,
    // Each list a set: its order says nothing.
    conditions: [c.priorities, c.team_ids, c.organization_ids, c.tags_any, c.categories].map((list) => (list ? [...list].sort() : null)),
    vip: c.vip ?? null,
    schedule: policy.schedule_id ?? null,
    targets: PRIORITIES.map((p) => {
      const target = policy.targets[p];
      return target ? [target.response_minutes, target.next_response_minutes ?? null, target.resolution_minutes] : null;
    }),
  };
}

/** The list with `policy` in place of the one at `index`, or added at the end (`index` null). */
export function withPolicy(list: readonly ConditionalPolicy[], index: number | null, policy: ConditionalPolicyInput): ConditionalPolicyInput[] {
  const inputs = list.map(policyInput);
  if (index === null) return [...inputs, policy];
  inputs[index] = policy;
  return inputs;
}

export function withoutPolicy(list: readonly ConditionalPolicy[], index: number): ConditionalPolicyInput[] {
  return list.filter((_, i) => i !== index).map(policyInput);
}

/** The list with the policy at `index` moved one place up (`-1`) or down (`1`). */
export function moved(list: readonly ConditionalPolicy[], index: number, by: -1 | 1): ConditionalPolicyInput[] {
  const inputs = list.map(policyInput);
  const to = index + by;
  if (to < 0 || to >= inputs.length) return inputs;
  [inputs[index], inputs[to]] = [inputs[to]!, inputs[index]!];
  return inputs;
}

/** After a move to `index`, the button that keeps the focus: the same direction while the policy
 * can move on that way, else the other one. */
export function moveFocus(index: number, length: number, by: -1 | 1): 'move-up' | 'move-down' {
  if (by === -1) return index > 0 ? 'move-up' : 'move-down';
  return index < length - 1 ? 'move-down' : 'move-up';
}

/** The fields of the server's refusals about the policy at `index` (`policies[2].targets.high`)
 * as the form's, with the words to show there; `null` for a field the form does not show (the
 * refusal of another policy, or of the list as a whole). */
export function policyErrorOf(field: string, index: number): { error: PolicyFormError; message: MessageKey } | null {
  if (field === 'policies') return { error: 'form', message: 'policies.form.limit' };
  const match = /^policies\[(\d+)\]\.(.+)$/.exec(field);
  if (!match || Number(match[1]) !== index) return null;
  const part = match[2]!;
  if (part === 'name') return { error: 'name', message: 'policies.form.name_invalid' };
  if (part === 'schedule_id') return { error: 'scheduleId', message: 'policies.form.schedule_invalid' };
  const inCondition = /^conditions\.(priorities|team_ids|organization_ids|tags_any|categories|vip)\b/.exec(part);
  if (inCondition) {
    const known: Record<string, { error: PolicyFormError; message: MessageKey }> = {
      priorities: { error: 'priorities', message: 'policies.form.condition_invalid' },
      team_ids: { error: 'teamIds', message: 'policies.form.teams_invalid' },
      organization_ids: { error: 'organizationIds', message: 'policies.form.organizations_invalid' },
      tags_any: { error: 'tags', message: 'policies.form.tags_invalid' },
      categories: { error: 'categories', message: 'policies.form.categories_invalid' },
      vip: { error: 'vip', message: 'policies.form.condition_invalid' },
    };
    return known[inCondition[1]!]!;
  }
  const target = /^targets\.(low|medium|high|urgent)\.(response_minutes|next_response_minutes|resolution_minutes)$/.exec(part);
  if (target) return { error: targetError(target[1] as Priority, target[2] as TargetKind), message: 'console.policy.bounds' };
  if (part.startsWith('targets')) return { error: 'targets', message: 'policies.form.targets_invalid' };
  return null;
}

/** The policies of the list sent (`names`, in order) that the server refused, but the one
 * at `own` (the form's, whose refusals are beside its fields): a policy saved before that names a
 * team deleted since, say, which must be changed before the list is saved again. */
export function refusedNames(error: unknown, names: readonly string[], own: number | null = null): string[] {
  if (!(error instanceof ApiProblem) || error.code !== 'validation_failed') return [];
  const positions = new Set<number>();
  for (const { field } of error.errors) {
    const match = /^policies\[(\d+)\]/.exec(field);
    if (match && Number(match[1]) !== own) positions.add(Number(match[1]));
  }
  return [...positions]
    .sort((a, b) => a - b)
    .map((i) => names[i])
    .filter((name): name is string => name !== undefined);
}

/** Names in a sentence, each in the language's quotation marks: “a”, “b” (« a », « b »). */
export const quotedNames = (names: readonly string[]) => names.map((name) => t('policies.quoted', { name })).join(', ');

/** A policy's conditions in short: "Urgent, High · Team Billing · Customer organisation Acme ·
 * tags vip, refund · VIP customers"; "Every ticket" when it has none. `names.team`,
 * `names.organization`: a team's, a customer organisation's name by its id (`null` for one since
 * deleted). */
export function conditionsSummary(
  held: ConditionalPolicy['conditions'],
  names: { team: (id: string) => string | null; organization: (id: string) => string | null },
): string {
  const conditions = held ?? {};
  const parts: string[] = [];
  const priorities = PRIORITIES.filter((p) => conditions.priorities?.includes(p));
  if (priorities.length) parts.push(priorities.map((p) => t(`priority.${p}`)).join(', '));
  const teams = conditions.team_ids ?? [];
  if (teams.length) parts.push(tn('policies.summary.teams', teams.length, { names: teams.map((id) => names.team(id) ?? t('policies.team_unknown')).join(', ') }));
  const organizations = conditions.organization_ids ?? [];
  if (organizations.length) {
    // By name (the server keeps them by id), those since deleted last.
    const known = organizations.map((id) => names.organization(id));
    const named = [
      ...known.filter((name): name is string => name !== null).sort((a, b) => a.localeCompare(b)),
      ...known.filter((name) => name === null).map(() => t('policies.organization_unknown')),
    ];
    parts.push(tn('policies.summary.organizations', organizations.length, { names: named.join(', ') }));
  }
  const tags = conditions.tags_any ?? [];
  if (tags.length) parts.push(tn('policies.summary.tags', tags.length, { tags: tags.join(', ') }));
  const categories = conditions.categories ?? [];
  if (categories.length) parts.push(tn('policies.summary.categories', categories.length, { categories: categories.join(', ') }));
  if (conditions.vip != null) parts.push(t(conditions.vip ? 'policies.summary.vip' : 'policies.summary.not_vip'));
  return parts.length ? parts.join(' · ') : t('policies.summary.every_ticket');
}

/** The priorities a kept policy holds targets for, in the order the console shows priorities. */
export function targetPriorities(policy: ConditionalPolicy): Priority[] {
  return PRIORITIES.filter((p) => policy.targets[p]);
}
