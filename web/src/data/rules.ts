//! Rules: what the organisation wants done to its tickets by itself (owners and admins keep
//! them). A rule runs on an event or some time after something happened to a ticket; when its
//! conditions hold, its actions change the ticket. They are tried in order (`position`, from 1).
//! A rule can be tried on a ticket without changing it (`dryRunRule`), and keeps a log of what
//! it did (`ruleRuns`).
//!
//! The contract types a rule's trigger, conditions and actions, and a run's changes, as free-form
//! JSON: their forms (the API's "Rules") are typed here, over the contract's types.

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export const RULE_EVENTS = ['ticket.created', 'ticket.updated', 'message.added', 'sla.breached'] as const;
export type RuleEvent = (typeof RULE_EVENTS)[number];

export const RULE_SINCES = ['created', 'status_changed', 'last_customer_message', 'last_staff_reply'] as const;
export type RuleSince = (typeof RULE_SINCES)[number];

/** An event, or a time rule: once per ticket not closed, `after_minutes` after `since`. */
export type RuleTrigger = RuleEvent | { after_minutes: number; since: RuleSince };

export const RULE_OPERATORS = ['is', 'is_not', 'in', 'not_in', 'contains', 'not_contains', 'gt', 'lt', 'is_empty', 'is_not_empty'] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

/** A value compared with: a word, an id, text, a tag, a flag, a number, a day (`YYYY-MM-DD`), or
 * a list of them for `in` and `not_in`; none for `is_empty` and `is_not_empty`. */
export type ConditionValue = string | number | boolean | (string | number | boolean)[] | null;

export interface RuleCondition {
  /** `status`, `tags`, `customer.vip`, `fields.KEY`, `message.body`, ... */
  field: string;
  op: RuleOperator;
  value?: ConditionValue;
}

export interface RuleConditions {
  /** Every one of them holds. */
  all: RuleCondition[];
  /** And, when there are some, one of them. */
  any: RuleCondition[];
}

export const RULE_ACTION_TYPES = [
  'set_priority',
  'set_status',
  'set_team',
  'assign_to',
  'add_tags',
  'remove_tags',
  'set_field',
  'add_internal_note',
  'apply_macro',
  'notify_email',
] as const;
export type RuleActionType = (typeof RULE_ACTION_TYPES)[number];

export type RuleAction =
  | { type: 'set_priority'; value: string }
  | { type: 'set_status'; value: string }
  /** `null`: out of any team. */
  | { type: 'set_team'; value: string | null }
  /** `null`: nobody. */
  | { type: 'assign_to'; value: string | null }
  | { type: 'add_tags'; value: string[] }
  | { type: 'remove_tags'; value: string[] }
  /** `null` clears the field. */
  | { type: 'set_field'; key: string; value: string | number | boolean | string[] | null }
  | { type: 'add_internal_note'; body: string }
  | { type: 'apply_macro'; macro_id: number }
  /** `to`: `assignee`, `team`, `admins` or an email address. */
  | { type: 'notify_email'; to: string; subject: string; body: string };

export interface RuleEffect {
  action: string;
  field: string;
  from: unknown;
  to: unknown;
}

/** The parts of a rule the contract leaves free-form, as they are. */
interface Parts {
  trigger: RuleTrigger;
  conditions: RuleConditions;
  actions: RuleAction[];
}

type Free = keyof Parts;

export type Rule = Omit<ResponseBody<'GET', '/v1/rules'>[number], Free> & Parts;
/** `position` absent: last. */
export type NewRule = Omit<JsonBody<'POST', '/v1/rules'>, Free> & Parts;
/** Each part optional; `position` moves the rule there and shifts the others. */
export type RuleChanges = Omit<JsonBody<'PATCH', '/v1/rules/{id}'>, Free> & Partial<Parts>;

/** `error`: why the rule's actions would be refused. */
export type DryRun = Omit<ResponseBody<'POST', '/v1/rules/{id}/dry-run'>, 'changes'> & { changes: RuleEffect[] };

export type RunTrigger = RuleEvent | 'time';

/** `depth`: 0 when run by a person's change or the clock; n when by a change rules made, n deep. */
export type RuleRun = Omit<ResponseBody<'GET', '/v1/rules/{id}/runs'>['data'][number], 'changes'> & { changes?: RuleEffect[] | null };

export type RunPage = { data: RuleRun[]; next_cursor?: string | null };

/** What the contract types as free-form JSON (`Record<string, never>`), read or sent in the
 * forms above. */
const free = <T>(value: unknown) => value as T;

/** The organisation's rules in the order they run (at most 200). */
export async function listRules(signal?: AbortSignal): Promise<Rule[]> {
  return free<Rule[]>(await api('GET', '/v1/rules', { signal }));
}

export async function createRule(made: NewRule): Promise<Rule> {
  return free<Rule>(await api('POST', '/v1/rules', { body: free<JsonBody<'POST', '/v1/rules'>>(made) }));
}

export async function changeRule(id: string, changes: RuleChanges): Promise<Rule> {
  return free<Rule>(await api('PATCH', '/v1/rules/{id}', { path: { id }, body: free<JsonBody<'PATCH', '/v1/rules/{id}'>>(changes) }));
}

export async function removeRule(id: string): Promise<void> {
  await api('DELETE', '/v1/rules/{id}', { path: { id } });
}

/** What the rule would do to the ticket now; nothing is written. */
export async function dryRunRule(id: string, ticketNumber: string): Promise<DryRun> {
  return free<DryRun>(await api('POST', '/v1/rules/{id}/dry-run', { path: { id }, body: { ticket_number: ticketNumber } }));
}

/** The rule's runs, newest first, a page at a time. */
export async function ruleRuns(id: string, cursor: string | undefined, limit: number, signal?: AbortSignal): Promise<RunPage> {
  return free<RunPage>(await api('GET', '/v1/rules/{id}/runs', { path: { id }, query: { limit, cursor }, signal }));
}
