/**
 * Rules: what the organisation wants done to its tickets by itself (owners and admins keep
 * them). A rule runs on an event or some time after something happened to a ticket; when its
 * conditions hold, its actions change the ticket. They are tried in order (`position`, from 1).
 * A rule can be tried on a ticket without changing it (`dryRunRule`), and keeps a log of what
 * it did (`ruleRuns`).
 *
 * A rule's trigger, conditions and actions and a run's changes are the contract's schemas
 * (`RuleTrigger`, `RuleConditions`, `RuleAction`, `RuleEffect`); the lists below name every
 * word of them for the editor's choices.
 */

import { api } from '../api';
import type { AppSchemas, JsonBody, ResponseBody } from '../api/types';

export type RuleEvent = AppSchemas['RuleEvent'];
export const RULE_EVENTS = ['ticket.created', 'ticket.updated', 'message.added', 'sla.breached'] as const satisfies readonly RuleEvent[];

export type RuleSince = AppSchemas['RuleSince'];
export const RULE_SINCES = ['created', 'status_changed', 'last_customer_message', 'last_staff_reply'] as const satisfies readonly RuleSince[];

/** An event, or a time rule: once per ticket not closed, `after_minutes` after `since`. */
export type RuleTrigger = AppSchemas['RuleTrigger'];

export type RuleOperator = AppSchemas['RuleOperator'];

export type RuleCondition = AppSchemas['RuleCondition'];

/** Every one of `all` holds and, when `any` lists some, one of `any`. */
export type RuleConditions = AppSchemas['RuleConditions'];

export type RuleAction = AppSchemas['RuleAction'];
export type RuleActionType = RuleAction['type'];
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
] as const satisfies readonly RuleActionType[];

export type RuleEffect = AppSchemas['RuleEffect'];

export type Rule = ResponseBody<'GET', '/v1/rules'>[number];
/** `position` absent: last. */
export type NewRule = JsonBody<'POST', '/v1/rules'>;
/** Each part optional; `position` moves the rule there and shifts the others. */
export type RuleChanges = JsonBody<'PATCH', '/v1/rules/{id}'>;

/** `error`: why the rule's actions would be refused. */
export type DryRun = ResponseBody<'POST', '/v1/rules/{id}/dry-run'>;

export type RunTrigger = RuleEvent | 'time';

/** `depth`: 0 when run by a person's change or the clock; n when by a change rules made, n deep. */
export type RuleRun = ResponseBody<'GET', '/v1/rules/{id}/runs'>['data'][number];

export type RunPage = ResponseBody<'GET', '/v1/rules/{id}/runs'>;

/** The organisation's rules in the order they run (at most 200). */
export async function listRules(signal?: AbortSignal): Promise<Rule[]> {
  return api('GET', '/v1/rules', { signal });
}

export async function createRule(made: NewRule): Promise<Rule> {
  return api('POST', '/v1/rules', { body: made });
}

export async function changeRule(id: string, changes: RuleChanges): Promise<Rule> {
  return api('PATCH', '/v1/rules/{id}', { path: { id }, body: changes });
}

export async function removeRule(id: string): Promise<void> {
  await api('DELETE', '/v1/rules/{id}', { path: { id } });
}

/** What the rule would do to the ticket now; nothing is written. */
export async function dryRunRule(id: string, ticketNumber: string): Promise<DryRun> {
  return api('POST', '/v1/rules/{id}/dry-run', { path: { id }, body: { ticket_number: ticketNumber } });
}

/** The rule's runs, newest first, a page at a time. */
export async function ruleRuns(id: string, cursor: string | undefined, limit: number, signal?: AbortSignal): Promise<RunPage> {
  return api('GET', '/v1/rules/{id}/runs', { path: { id }, query: { limit, cursor }, signal });
}
