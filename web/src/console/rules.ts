/**
 * Rules as plain functions: which fields a condition may look at for a trigger, the operators
 * each field takes and the values it compares with (as the server reads them, `sav::rules`);
 * the editor's rows, the body they send and back again, checked before the server (which stays
 * the authority: the teams, staff, fields and macros are its to know); the server's refusals
 * placed beside the control they name (`conditions.all[2].op`); what a change sends; where a
 * moved rule lands; and a rule's trigger, a run and a change in words.
 */

import type { TicketStatus } from '../api/schemas';
import type { FieldDefinition } from '../data/fields';
import type { Macro } from '../data/macros';
import type { OrganizationChoices } from '../data/organizations';
import type { Team } from '../data/teams';
import {
  RULE_EVENTS,
  type NewRule,
  type Rule,
  type RuleAction,
  type RuleActionType,
  type RuleChanges,
  type RuleCondition,
  type RuleEffect,
  type RuleEvent,
  type RuleOperator,
  type RuleSince,
  type RuleTrigger,
  type RunTrigger,
} from '../data/rules';
import { t, tn, type MessageKey } from '../i18n';
import { organizationLabel } from './organizations';
import type { Person } from './people';
import { STATUS_LABEL } from '../tickets/badges';
import { fieldName, fromInput, isDate, labelIn, nameOfKey, parseNumber, toInput, valueText, type FieldInput } from '../tickets/fields';
import { minutes } from './admin/policy';
import { duration } from './format';
import { PRIORITIES } from './queue/views';
import { MAX_TAGS, TAG, normaliseTag, quotedTags, tagDiff } from './tags';

/** What the editor offers to choose from: the organisation's fields, teams, staff, macros and
 * customer organisations (teams, macros and customer organisations `undefined` while they load). */
export interface RulePickers {
  definitions: readonly FieldDefinition[];
  teams: readonly Team[] | undefined;
  staff: readonly Person[];
  macros: readonly Macro[] | undefined;
  organizations: OrganizationChoices | undefined;
}

/** The most rules an organisation keeps. */
export const RULES_MAX = 200;
export const NAME_MAX = 100;
/** The most conditions in `all`, and in `any`. */
export const CONDITIONS_MAX = 50;
/** The most values an `in` or `not_in` lists. */
export const VALUES_MAX = 100;
export const ACTIONS_MAX = 20;
/** The longest text a condition compares or an action writes. */
export const TEXT_MAX = 10_000;
export const SUBJECT_MAX = 200;

export const STATUSES: readonly TicketStatus[] = ['open', 'in_progress', 'waiting_customer', 'resolved', 'closed'];
export const CHANNELS = ['web', 'email', 'api', 'phone'] as const;
export const SENDERS = ['customer', 'agent'] as const;

/** The ticket's own fields a condition may look at, in the order the picker lists them. */
export const TICKET_FIELDS = [
  'status',
  'priority',
  'team_id',
  'assigned_to',
  'category',
  'tags',
  'channel',
  'customer.vip',
  'customer.email_domain',
  'customer.organization_id',
  'subject',
  'description',
] as const;
/** The message's, for rules run when a message is added only. */
export const MESSAGE_FIELDS = ['message.body', 'message.is_internal', 'message.sender_type'] as const;
type Named = (typeof TICKET_FIELDS)[number] | (typeof MESSAGE_FIELDS)[number];

type PlainKind = 'status' | 'priority' | 'channel' | 'sender' | 'team' | 'staff' | 'organization' | 'text' | 'tags' | 'flag' | 'number' | 'date';
/** What a field holds, which decides the operators it takes and the control of its value. */
export type Sort =
  | { kind: PlainKind }
  /** A dropdown's one option (`option`), or some of a multiple choice's (`options`). */
  | { kind: 'option' | 'options'; field: FieldDefinition };
export type SortKind = Sort['kind'];

const NAMED: Record<Named, PlainKind> = {
  status: 'status',
  priority: 'priority',
  team_id: 'team',
  assigned_to: 'staff',
  category: 'text',
  tags: 'tags',
  channel: 'channel',
  'customer.vip': 'flag',
  'customer.email_domain': 'text',
  'customer.organization_id': 'organization',
  subject: 'text',
  description: 'text',
  'message.body': 'text',
  'message.is_internal': 'flag',
  'message.sender_type': 'sender',
};

const OPERATORS: Record<SortKind, readonly RuleOperator[]> = {
  status: ['is', 'is_not', 'in', 'not_in'],
  channel: ['is', 'is_not', 'in', 'not_in'],
  sender: ['is', 'is_not', 'in', 'not_in'],
  priority: ['is', 'is_not', 'in', 'not_in', 'gt', 'lt'],
  team: ['is', 'is_not', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  staff: ['is', 'is_not', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  organization: ['is', 'is_not', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  option: ['is', 'is_not', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  text: ['is', 'is_not', 'in', 'not_in', 'contains', 'not_contains', 'is_empty', 'is_not_empty'],
  tags: ['contains', 'not_contains', 'is_empty', 'is_not_empty'],
  options: ['contains', 'not_contains', 'is_empty', 'is_not_empty'],
  flag: ['is', 'is_not'],
  number: ['is', 'is_not', 'gt', 'lt', 'is_empty', 'is_not_empty'],
  date: ['is', 'is_not', 'gt', 'lt', 'is_empty', 'is_not_empty'],
};

/** The prefix of a custom field's name in a condition (`fields.order_total`). */
const CUSTOM = 'fields.';

export const isMessageField = (field: string) => (MESSAGE_FIELDS as readonly string[]).includes(field);

/** What `field` holds, given the organisation's custom fields; `null` for a name the server
 * would not know (a custom field deleted since, say). */
export function sortOf(field: string, definitions: readonly FieldDefinition[]): Sort | null {
  if (field.startsWith(CUSTOM)) {
    const definition = definitions.find((d) => d.key === field.slice(CUSTOM.length));
    if (!definition) return null;
    switch (definition.type) {
      case 'dropdown':
        return { kind: 'option', field: definition };
      case 'multiselect':
        return { kind: 'options', field: definition };
      case 'checkbox':
        return { kind: 'flag' };
      default:
        return { kind: definition.type };
    }
  }
  const kind = NAMED[field as Named];
  return kind ? { kind } : null;
}

/** The operators a field of this sort takes, in the order the picker lists them. */
export const operatorsOf = (sort: Sort): readonly RuleOperator[] => OPERATORS[sort.kind];

/** The fields a condition may look at on a rule run `when`, in the picker's order: the ticket's,
 * its custom fields, then the message's for `message.added`. */
export function fieldsOffered(when: When, definitions: readonly FieldDefinition[]): string[] {
  return [...TICKET_FIELDS, ...definitions.map((d) => `${CUSTOM}${d.key}`), ...(when === 'message.added' ? MESSAGE_FIELDS : [])];
}

/** How many values an operator compares with. */
export type Shape = 'none' | 'one' | 'many';

export function shapeOf(op: RuleOperator): Shape {
  if (op === 'is_empty' || op === 'is_not_empty') return 'none';
  return op === 'in' || op === 'not_in' ? 'many' : 'one';
}

/** The control a condition's value is given with: none; a select (`choice`: a word, a team, a
 * person, a customer organisation, an option, yes or no) or boxes ticked (`choices`); text, or several typed with commas
 * (`list`); a tag; a number; a day. */
export type ValueControl = 'none' | 'choice' | 'choices' | 'text' | 'list' | 'tag' | 'number' | 'date';

export function controlOf(sort: Sort, op: RuleOperator): ValueControl {
  const shape = shapeOf(op);
  if (shape === 'none') return 'none';
  if (shape === 'many') return sort.kind === 'text' ? 'list' : 'choices';
  switch (sort.kind) {
    case 'text':
      return 'text';
    case 'tags':
      return 'tag';
    case 'number':
      return 'number';
    case 'date':
      return 'date';
    default:
      return 'choice';
  }
}

/** When a rule runs: an event, or `time` (some minutes after something). */
export type When = RuleEvent | 'time';
export const WHEN: readonly When[] = [...RULE_EVENTS, 'time'];

export const RECIPIENTS = ['assignee', 'team', 'admins', 'address'] as const;
export type Recipient = (typeof RECIPIENTS)[number];

/** A condition as its row holds it: one value as typed or chosen (`'true'`/`'false'` for a yes
 * or no; several typed with commas for a text's `in`), or the values ticked. `id` tells the rows
 * apart while they are added and removed. */
export interface ConditionRow {
  id: number;
  field: string;
  op: RuleOperator;
  value: string;
  values: string[];
}

export type ConditionList = 'all' | 'any';
export const CONDITION_LISTS: readonly ConditionList[] = ['all', 'any'];

/** An action as its row holds it; the parts its type does not use stay as they were, so going
 * back to a type finds what was typed. `value`: a priority, a status, a team, a person or a
 * macro chosen (`''` for no team, nobody, or no macro yet). */
export interface ActionRow {
  id: number;
  type: RuleActionType;
  value: string;
  /** Separated by commas. */
  tags: string;
  /** The custom field `set_field` sets, and its value as its control holds it. */
  key: string;
  input: FieldInput;
  /** A note's text, or a mail's. */
  body: string;
  to: Recipient;
  address: string;
  subject: string;
}

export interface RuleFormValues {
  name: string;
  enabled: boolean;
  when: When;
  /** A time rule's, as typed. */
  minutes: string;
  since: RuleSince;
  all: ConditionRow[];
  any: ConditionRow[];
  actions: ActionRow[];
}

let rows = 0;
const nextId = () => ++rows;

/** The value a select starts on: the first word, Yes; nothing yet for a team, a person, a
 * customer organisation or an option, which the organisation may not have. */
function firstValue(sort: Sort | null): string {
  if (!sort) return '';
  if (sort.kind === 'flag') return 'true';
  const words = wordsOf(sort.kind);
  return words ? words[0]! : '';
}

function wordsOf(kind: SortKind): readonly string[] | null {
  switch (kind) {
    case 'status':
      return STATUSES;
    case 'priority':
      return PRIORITIES;
    case 'channel':
      return CHANNELS;
    case 'sender':
      return SENDERS;
    default:
      return null;
  }
}

export function emptyCondition(): ConditionRow {
  return { id: nextId(), field: 'status', op: 'is', value: 'open', values: [] };
}

export function emptyAction(type: RuleActionType = 'set_priority'): ActionRow {
  return { id: nextId(), type, value: actionDefault(type), tags: '', key: '', input: '', body: '', to: 'assignee', address: '', subject: '' };
}

function actionDefault(type: RuleActionType): string {
  if (type === 'set_priority') return PRIORITIES[0]!;
  if (type === 'set_status') return STATUSES[0]!;
  return '';
}

export function emptyRuleForm(): RuleFormValues {
  return { name: '', enabled: true, when: 'ticket.created', minutes: '60', since: 'created', all: [], any: [], actions: [emptyAction()] };
}

/** The row with another field: the operator kept when the field takes it, else its first; the
 * value kept between fields of the same kind of words or text, else started afresh. */
export function withField(row: ConditionRow, field: string, definitions: readonly FieldDefinition[]): ConditionRow {
  const before = sortOf(row.field, definitions);
  const sort = sortOf(field, definitions);
  if (!sort) return { ...row, field };
  const ops = operatorsOf(sort);
  const op = ops.includes(row.op) ? row.op : ops[0]!;
  const keeps = before !== null && before.kind === sort.kind && sort.kind !== 'option' && sort.kind !== 'options';
  return keeps ? { ...row, field, op } : { ...row, field, op, value: firstValue(sort), values: [] };
}

/** The row with another operator: a value chosen becomes the first of several, and back. */
export function withOp(row: ConditionRow, op: RuleOperator, sort: Sort | null): ConditionRow {
  if (!sort) return { ...row, op };
  const from = controlOf(sort, row.op);
  const to = controlOf(sort, op);
  if (from === 'choice' && to === 'choices') return { ...row, op, values: row.value ? [row.value] : [] };
  if (from === 'choices' && to === 'choice') return { ...row, op, value: row.values[0] ?? firstValue(sort) };
  if (to === 'choice' && !row.value) return { ...row, op, value: firstValue(sort) };
  return { ...row, op };
}

/** The row with another type of action: its value started afresh (a priority is no status, a
 * team no person), what it typed for other types kept. */
export function withActionType(row: ActionRow, type: RuleActionType): ActionRow {
  return type === row.type ? row : { ...row, type, value: actionDefault(type) };
}

/** The row setting another custom field: its value started afresh, as the field's control
 * holds nothing. */
export function withActionField(row: ActionRow, key: string, definitions: readonly FieldDefinition[]): ActionRow {
  const definition = definitions.find((d) => d.key === key);
  return { ...row, key, input: toInput(definition?.type ?? 'text', undefined) };
}

/** Values typed with commas: trimmed, each once, in the order typed. */
export function splitValues(text: string): string[] {
  return [...new Set(text.split(',').map((v) => v.trim()).filter(Boolean))];
}

const chars = (value: string) => [...value].length;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The form's places, the server's own: `name`, `trigger`, `conditions.all[2].value`,
 * `actions[0].subject`; a row's (`actions[1]`), a list's (`conditions.any`, `actions`), and
 * `form` for the rest. */
export type RuleFormErrors = Record<string, MessageKey>;

export const conditionPlace = (list: ConditionList, index: number, part?: 'field' | 'op' | 'value') => `conditions.${list}[${index}]${part ? `.${part}` : ''}`;
export const actionPlace = (index: number, part?: string) => `actions[${index}]${part ? `.${part}` : ''}`;

/** The parts of an action the form shows, by type (the server names its refusals by them). */
export const ACTION_PARTS: Record<RuleActionType, readonly string[]> = {
  set_priority: ['value'],
  set_status: ['value'],
  set_team: ['value'],
  assign_to: ['value'],
  add_tags: ['value'],
  remove_tags: ['value'],
  set_field: ['key', 'value'],
  add_internal_note: ['body'],
  apply_macro: ['macro_id'],
  notify_email: ['to', 'subject', 'body'],
};

/** A condition as sent, or why not (by the part at fault). */
function conditionOf(row: ConditionRow, sort: Sort): { condition: RuleCondition } | { part: 'value'; error: MessageKey } {
  const { field, op } = row;
  const refuse = (error: MessageKey) => ({ part: 'value' as const, error });
  switch (controlOf(sort, op)) {
    case 'none':
      return { condition: { field, op } };
    case 'choice':
      if (!row.value) return refuse('rules.condition.value_choose');
      return { condition: { field, op, value: sort.kind === 'flag' ? row.value === 'true' : row.value } };
    case 'choices': {
      const values = [...new Set(row.values)];
      if (!values.length) return refuse('rules.condition.values_choose');
      if (values.length > VALUES_MAX) return refuse('rules.condition.values_many');
      return { condition: { field, op, value: values } };
    }
    case 'list': {
      const values = splitValues(row.value);
      if (!values.length) return refuse('rules.condition.values_type');
      if (values.length > VALUES_MAX) return refuse('rules.condition.values_many');
      if (values.some((v) => chars(v) > TEXT_MAX)) return refuse('rules.form.text_long');
      return { condition: { field, op, value: values } };
    }
    case 'text': {
      const value = row.value.trim();
      if (!value) return refuse('rules.condition.value_type');
      if (chars(value) > TEXT_MAX) return refuse('rules.form.text_long');
      return { condition: { field, op, value } };
    }
    case 'tag': {
      const value = normaliseTag(row.value);
      if (!value) return refuse('rules.condition.value_type');
      if (!TAG.test(value)) return refuse('rules.condition.tag_invalid');
      return { condition: { field, op, value } };
    }
    case 'number': {
      const value = parseNumber(row.value);
      return value === null ? refuse('fields.value.number') : { condition: { field, op, value } };
    }
    case 'date': {
      const value = row.value.trim();
      return isDate(value) ? { condition: { field, op, value } } : refuse('fields.value.date');
    }
  }
}

/** Tags typed with commas, as the server keeps them: trimmed, lower-cased, each once. */
export function tagsOf(text: string): string[] {
  return [...new Set(text.split(',').map(normaliseTag).filter(Boolean))];
}

/** An action as sent, or why not (by the part at fault). */
function actionOf(row: ActionRow, definitions: readonly FieldDefinition[]): { action: RuleAction } | { part: string; error: MessageKey } {
  switch (row.type) {
    case 'set_priority': {
      const value = PRIORITIES.find((p) => p === row.value);
      return value ? { action: { type: 'set_priority', value } } : { part: 'value', error: 'rules.action.value_choose' };
    }
    case 'set_status': {
      const value = STATUSES.find((s) => s === row.value);
      return value ? { action: { type: 'set_status', value } } : { part: 'value', error: 'rules.action.value_choose' };
    }
    case 'set_team':
    case 'assign_to':
      return { action: { type: row.type, value: row.value || null } };
    case 'add_tags':
    case 'remove_tags': {
      const tags = tagsOf(row.tags);
      if (!tags.length) return { part: 'value', error: 'rules.action.tags_required' };
      if (tags.some((tag) => !TAG.test(tag))) return { part: 'value', error: 'rules.action.tags_invalid' };
      if (tags.length > MAX_TAGS) return { part: 'value', error: 'rules.action.tags_many' };
      return { action: { type: row.type, value: tags } };
    }
    case 'set_field': {
      if (!row.key) return { part: 'key', error: 'rules.action.field_choose' };
      const definition = definitions.find((d) => d.key === row.key);
      if (!definition) return { part: 'key', error: 'rules.action.field_gone' };
      const parsed = fromInput(definition, row.input);
      if ('error' in parsed) return { part: 'value', error: parsed.error };
      return { action: { type: 'set_field', key: row.key, value: parsed.value } };
    }
    case 'add_internal_note': {
      const body = row.body.trim();
      if (!body) return { part: 'body', error: 'rules.action.note_required' };
      if (chars(body) > TEXT_MAX) return { part: 'body', error: 'rules.form.text_long' };
      return { action: { type: 'add_internal_note', body } };
    }
    case 'apply_macro':
      if (!/^\d+$/.test(row.value)) return { part: 'macro_id', error: 'rules.action.macro_choose' };
      return { action: { type: 'apply_macro', macro_id: Number(row.value) } };
    case 'notify_email': {
      const address = row.address.trim();
      if (row.to === 'address' && (!EMAIL.test(address) || chars(address) > 254)) return { part: 'to', error: 'rules.action.address_invalid' };
      const subject = row.subject.trim();
      if (!subject) return { part: 'subject', error: 'rules.action.subject_required' };
      if (chars(subject) > SUBJECT_MAX) return { part: 'subject', error: 'rules.action.subject_long' };
      const body = row.body.trim();
      if (!body) return { part: 'body', error: 'rules.action.body_required' };
      if (chars(body) > TEXT_MAX) return { part: 'body', error: 'rules.form.text_long' };
      return { action: { type: 'notify_email', to: row.to === 'address' ? address : row.to, subject, body } };
    }
  }
}

/** The errors to show, each at its place, or the rule to send. `others`: the other rules' names
 * (a name is taken once, whatever the case). */
export function checkRuleForm(
  form: RuleFormValues,
  context: { definitions: readonly FieldDefinition[]; others: readonly string[] },
): { errors: RuleFormErrors; request: NewRule | null } {
  const { definitions } = context;
  const errors: RuleFormErrors = {};
  const name = form.name.trim();
  const taken = new Set(context.others.map((other) => other.trim().toLowerCase()));
  if (!name) errors.name = 'rules.form.name_required';
  else if (chars(name) > NAME_MAX) errors.name = 'rules.form.name_long';
  else if (taken.has(name.toLowerCase())) errors.name = 'rules.form.name_taken';

  let trigger: RuleTrigger = form.when === 'time' ? 'ticket.created' : form.when;
  if (form.when === 'time') {
    const after = minutes(form.minutes);
    if (after === null) errors.trigger = 'console.policy.bounds';
    else trigger = { after_minutes: after, since: form.since };
  }

  const conditions: Record<ConditionList, RuleCondition[]> = { all: [], any: [] };
  for (const list of CONDITION_LISTS) {
    const listed = form[list];
    if (listed.length > CONDITIONS_MAX) errors[`conditions.${list}`] = 'rules.conditions.many';
    listed.forEach((row, index) => {
      const sort = sortOf(row.field, definitions);
      if (!sort) {
        errors[conditionPlace(list, index, 'field')] = row.field.startsWith(CUSTOM) ? 'rules.condition.field_gone' : 'rules.condition.field_choose';
        return;
      }
      if (isMessageField(row.field) && form.when !== 'message.added') {
        errors[conditionPlace(list, index, 'field')] = 'rules.condition.field_message';
        return;
      }
      if (!operatorsOf(sort).includes(row.op)) {
        errors[conditionPlace(list, index, 'op')] = 'rules.condition.op_choose';
        return;
      }
      const made = conditionOf(row, sort);
      if ('error' in made) errors[conditionPlace(list, index, made.part)] = made.error;
      else conditions[list].push(made.condition);
    });
  }

  const actions: RuleAction[] = [];
  if (!form.actions.length) errors.actions = 'rules.actions.required';
  else if (form.actions.length > ACTIONS_MAX) errors.actions = 'rules.actions.many';
  form.actions.forEach((row, index) => {
    const made = actionOf(row, definitions);
    if ('error' in made) errors[actionPlace(index, made.part)] = made.error;
    else actions.push(made.action);
  });

  if (Object.keys(errors).length) return { errors, request: null };
  return { errors, request: { name, enabled: form.enabled, trigger, conditions, actions } };
}

const text = (value: unknown): string => (value === null || value === undefined ? '' : typeof value === 'string' ? value : String(value));

/** A kept condition as its row. */
function conditionRow(condition: RuleCondition): ConditionRow {
  const row: ConditionRow = { id: nextId(), field: condition.field, op: condition.op, value: '', values: [] };
  const given = condition.value;
  // Several values held both ways: ticked, or typed with commas, whichever the field's control is.
  if (Array.isArray(given)) {
    const values = given.map(text);
    return { ...row, values, value: values.join(', ') };
  }
  return { ...row, value: text(given) };
}

/** A kept action as its row. */
function actionRow(action: RuleAction, definitions: readonly FieldDefinition[]): ActionRow {
  const row = emptyAction(action.type);
  switch (action.type) {
    case 'set_priority':
    case 'set_status':
    case 'set_team':
    case 'assign_to':
      return { ...row, value: action.value ?? '' };
    case 'add_tags':
    case 'remove_tags':
      return { ...row, tags: action.value.join(', ') };
    case 'set_field': {
      const definition = definitions.find((d) => d.key === action.key);
      return { ...row, key: action.key, input: toInput(definition?.type ?? 'text', action.value) };
    }
    case 'add_internal_note':
      return { ...row, body: action.body };
    case 'apply_macro':
      return { ...row, value: String(action.macro_id) };
    case 'notify_email': {
      const named = (RECIPIENTS as readonly string[]).includes(action.to) && action.to !== 'address';
      return { ...row, to: named ? (action.to as Recipient) : 'address', address: named ? '' : action.to, subject: action.subject, body: action.body };
    }
  }
}

/** A kept rule as the editor's rows. */
export function ruleFormValues(rule: Rule, definitions: readonly FieldDefinition[]): RuleFormValues {
  const timed = typeof rule.trigger === 'string' ? null : rule.trigger;
  return {
    name: rule.name,
    enabled: rule.enabled,
    when: timed ? 'time' : (rule.trigger as RuleEvent),
    minutes: timed ? String(timed.after_minutes) : '60',
    since: timed ? timed.since : 'created',
    all: (rule.conditions?.all ?? []).map(conditionRow),
    any: (rule.conditions?.any ?? []).map(conditionRow),
    actions: rule.actions.map((a) => actionRow(a, definitions)),
  };
}

/** `value` written the same whatever the order of its keys, a condition's missing value as
 * `null`. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, held: unknown) =>
    held && typeof held === 'object' && !Array.isArray(held)
      ? Object.fromEntries(
          Object.entries(held as Record<string, unknown>)
            .filter(([, v]) => v !== undefined && v !== null)
            .sort(([a], [b]) => a.localeCompare(b)),
        )
      : held,
  );
}

/** Only what differs from the rule as it stands (`{}` when nothing does), so a colleague's
 * change to another part is not undone. */
export function ruleChanges(rule: Rule, request: NewRule): RuleChanges {
  const changes: RuleChanges = {};
  if (request.name !== rule.name) changes.name = request.name;
  if ((request.enabled ?? true) !== rule.enabled) changes.enabled = request.enabled ?? true;
  if (canonical(request.trigger) !== canonical(rule.trigger)) changes.trigger = request.trigger;
  if (canonical(request.conditions) !== canonical({ all: rule.conditions?.all ?? [], any: rule.conditions?.any ?? [] })) changes.conditions = request.conditions;
  if (canonical(request.actions) !== canonical(rule.actions)) changes.actions = request.actions;
  return changes;
}

/** The list once `moved` (the server's answer to a change of position) stands at its place, the
 * others shifted, each numbered from 1. */
export function placed(list: readonly Rule[], moved: Rule): Rule[] {
  const others = list.filter((rule) => rule.id !== moved.id);
  const at = Math.min(Math.max(moved.position, 1), others.length + 1) - 1;
  others.splice(at, 0, moved);
  return others.map((rule, index) => (rule.position === index + 1 ? rule : { ...rule, position: index + 1 }));
}

/** The position a rule dragged from `from` and dropped on the row at `to` (indexes in the list)
 * takes: the target's place, the target shifted away from where the rule came from. `null`: no
 * move. */
export function dropPosition(from: number, to: number, length: number): number | null {
  if (from === to || from < 0 || to < 0 || from >= length || to >= length) return null;
  return to + 1;
}

/** The form's place of a refusal the server named (`conditions.all[2].op`), and the words for
 * it there; a refusal of a row or a list that is not on the form any more goes to the nearest
 * place that is, the rest to the whole form. */
export function placeOf(field: string, form: Pick<RuleFormValues, 'all' | 'any' | 'actions'>): { place: string; message: MessageKey } {
  if (field === 'name') return { place: 'name', message: 'rules.form.name_invalid' };
  if (field === 'trigger' || field.startsWith('trigger.')) return { place: 'trigger', message: 'rules.form.trigger_invalid' };
  const condition = /^conditions\.(all|any)(?:\[(\d+)\](?:\.(field|op|value))?)?/.exec(field);
  if (condition) {
    const list = condition[1] as ConditionList;
    const index = condition[2] === undefined ? null : Number(condition[2]);
    if (index === null || index >= form[list].length) return { place: `conditions.${list}`, message: 'rules.conditions.invalid' };
    const part = condition[3] as 'field' | 'op' | 'value' | undefined;
    const message: MessageKey = part === 'field' ? 'rules.condition.field_invalid' : part === 'op' ? 'rules.condition.op_invalid' : part === 'value' ? 'rules.condition.value_invalid' : 'rules.condition.invalid';
    return { place: conditionPlace(list, index, part), message };
  }
  if (field.startsWith('conditions')) return { place: 'form', message: 'rules.conditions.invalid' };
  const action = /^actions(?:\[(\d+)\](?:\.(\w+))?)?/.exec(field);
  if (action) {
    const index = action[1] === undefined ? null : Number(action[1]);
    const row = index === null ? undefined : form.actions[index];
    if (index === null || !row) return { place: 'actions', message: 'rules.actions.invalid' };
    const part = action[2];
    if (part && ACTION_PARTS[row.type].includes(part)) return { place: actionPlace(index, part), message: ACTION_REFUSED[part] ?? 'rules.action.value_invalid' };
    return { place: actionPlace(index), message: 'rules.action.invalid' };
  }
  return { place: 'form', message: 'rules.form.refused_other' };
}

const ACTION_REFUSED: Record<string, MessageKey> = {
  value: 'rules.action.value_invalid',
  key: 'rules.action.field_gone',
  body: 'rules.action.body_invalid',
  macro_id: 'rules.action.macro_invalid',
  to: 'rules.action.address_invalid',
  subject: 'rules.action.subject_invalid',
};

// Words.

export const FIELD_LABEL: Record<Named, MessageKey> = {
  status: 'rules.field.status',
  priority: 'rules.field.priority',
  team_id: 'rules.field.team_id',
  assigned_to: 'rules.field.assigned_to',
  category: 'rules.field.category',
  tags: 'rules.field.tags',
  channel: 'rules.field.channel',
  'customer.vip': 'rules.field.customer_vip',
  'customer.email_domain': 'rules.field.customer_email_domain',
  'customer.organization_id': 'rules.field.customer_organization_id',
  subject: 'rules.field.subject',
  description: 'rules.field.description',
  'message.body': 'rules.field.message_body',
  'message.is_internal': 'rules.field.message_is_internal',
  'message.sender_type': 'rules.field.message_sender_type',
};

/** A field in the picker: the ticket's in words, a custom one by its label, one deleted since
 * by its key. */
export function fieldLabel(field: string, definitions: readonly FieldDefinition[]): string {
  if (field.startsWith(CUSTOM)) {
    const key = field.slice(CUSTOM.length);
    const definition = definitions.find((d) => d.key === key);
    return definition ? t('rules.field.custom', { name: fieldName(definition) }) : t('rules.field.gone', { key });
  }
  const known = FIELD_LABEL[field as Named];
  return known ? t(known) : field;
}

const OP_LABEL: Record<RuleOperator, MessageKey> = {
  is: 'rules.op.is',
  is_not: 'rules.op.is_not',
  in: 'rules.op.in',
  not_in: 'rules.op.not_in',
  contains: 'rules.op.contains',
  not_contains: 'rules.op.not_contains',
  gt: 'rules.op.gt',
  lt: 'rules.op.lt',
  is_empty: 'rules.op.is_empty',
  is_not_empty: 'rules.op.is_not_empty',
};

/** An operator in words, for what the field holds: a priority is "higher than", a day "after". */
export function opLabel(op: RuleOperator, sort: Sort | null): MessageKey {
  if (sort?.kind === 'priority' && (op === 'gt' || op === 'lt')) return op === 'gt' ? 'rules.op.gt_priority' : 'rules.op.lt_priority';
  if (sort?.kind === 'date' && (op === 'gt' || op === 'lt')) return op === 'gt' ? 'rules.op.gt_date' : 'rules.op.lt_date';
  return OP_LABEL[op];
}

const CHANNEL_LABEL: Record<(typeof CHANNELS)[number], MessageKey> = {
  web: 'rules.channel.web',
  email: 'rules.channel.email',
  api: 'rules.channel.api',
  phone: 'rules.channel.phone',
};

const SENDER_LABEL: Record<(typeof SENDERS)[number], MessageKey> = {
  customer: 'rules.sender.customer',
  agent: 'rules.sender.agent',
};

type Choice = { value: string; label: string };

/** A team, a person or a customer organisation to choose. */
type Chosen = { id: string; name: string };

/** The choices of a select or of boxes for a field's value: its words, Yes and No, the teams,
 * the staff, the customer organisations, or the field's options. */
export function choicesOf(sort: Sort, context: { teams: readonly Chosen[]; staff: readonly Chosen[]; organizations?: readonly Chosen[] }): Choice[] {
  switch (sort.kind) {
    case 'status':
      return STATUSES.map((s) => ({ value: s, label: t(STATUS_LABEL[s]) }));
    case 'priority':
      return PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }));
    case 'channel':
      return CHANNELS.map((c) => ({ value: c, label: t(CHANNEL_LABEL[c]) }));
    case 'sender':
      return SENDERS.map((s) => ({ value: s, label: t(SENDER_LABEL[s]) }));
    case 'flag':
      return [
        { value: 'true', label: t('fields.value.yes') },
        { value: 'false', label: t('fields.value.no') },
      ];
    case 'team':
      return context.teams.map((team) => ({ value: team.id, label: team.name }));
    case 'staff':
      return context.staff.map((person) => ({ value: person.id, label: person.name }));
    case 'organization':
      return (context.organizations ?? []).map((organization) => ({ value: organization.id, label: organization.name }));
    case 'option':
    case 'options':
      return sort.field.options.map((o) => ({ value: o.value, label: labelIn(o.label) }));
    default:
      return [];
  }
}

/** A value chosen before that is not among the choices, in words: "Loading…" while the teams or
 * the customer organisations load; an organisation beyond those read; else one that no longer
 * exists. */
export function missingChoiceLabel(value: string, sort: Sort, pickers: Pick<RulePickers, 'teams' | 'organizations'>): string {
  if (sort.kind === 'team' && pickers.teams === undefined) return t('common.loading');
  if (sort.kind === 'organization') return organizationLabel(value, pickers.organizations) ?? t('rules.value.gone');
  return t('rules.value.gone');
}

export const ACTION_LABEL: Record<RuleActionType, MessageKey> = {
  set_priority: 'rules.action.set_priority',
  set_status: 'rules.action.set_status',
  set_team: 'rules.action.set_team',
  assign_to: 'rules.action.assign_to',
  add_tags: 'rules.action.add_tags',
  remove_tags: 'rules.action.remove_tags',
  set_field: 'rules.action.set_field',
  add_internal_note: 'rules.action.add_internal_note',
  apply_macro: 'rules.action.apply_macro',
  notify_email: 'rules.action.notify_email',
};

export const RECIPIENT_LABEL: Record<Recipient, MessageKey> = {
  assignee: 'rules.recipient.assignee',
  team: 'rules.recipient.team',
  admins: 'rules.recipient.admins',
  address: 'rules.recipient.address',
};

export const WHEN_LABEL: Record<When, MessageKey> = {
  'ticket.created': 'rules.when.ticket_created',
  'ticket.updated': 'rules.when.ticket_updated',
  'message.added': 'rules.when.message_added',
  'sla.breached': 'rules.when.sla_breached',
  time: 'rules.when.time',
};

export const SINCE_LABEL: Record<RuleSince, MessageKey> = {
  created: 'rules.since.created',
  status_changed: 'rules.since.status_changed',
  last_customer_message: 'rules.since.last_customer_message',
  last_staff_reply: 'rules.since.last_staff_reply',
};

const RUN_TRIGGER_LABEL: Record<RunTrigger, MessageKey> = {
  'ticket.created': 'rules.run.trigger.ticket_created',
  'ticket.updated': 'rules.run.trigger.ticket_updated',
  'message.added': 'rules.run.trigger.message_added',
  'sla.breached': 'rules.run.trigger.sla_breached',
  time: 'rules.run.trigger.time',
};

/** When a rule runs, in words: "When a ticket is created", "2 h after the customer last wrote". */
export function triggerText(trigger: RuleTrigger): string {
  if (typeof trigger === 'string') return WHEN_LABEL[trigger] ? t(WHEN_LABEL[trigger]) : trigger;
  return t('rules.trigger.after', { duration: duration(trigger.after_minutes), since: t(SINCE_LABEL[trigger.since]) });
}

/** What set a run off, in words (an unknown one as the server says it). */
export function runTriggerText(trigger: string): string {
  const known = RUN_TRIGGER_LABEL[trigger as RunTrigger];
  return known ? t(known) : trigger;
}

/** "2 conditions, 1 action". */
export function sizeText(rule: Pick<Rule, 'conditions' | 'actions'>): string {
  const conditions = (rule.conditions?.all?.length ?? 0) + (rule.conditions?.any?.length ?? 0);
  return t('rules.size', { conditions: tn('rules.size.conditions', conditions), actions: tn('rules.size.actions', rule.actions.length) });
}

/** Names for what changes mention: a team, a person by id; the custom fields' definitions. */
export interface EffectNames {
  team: (id: string) => string | undefined;
  person: (id: string) => string | undefined;
  definitions: readonly FieldDefinition[];
}

const priorityText = (value: unknown) => ((PRIORITIES as readonly unknown[]).includes(value) ? t(`priority.${value as (typeof PRIORITIES)[number]}`) : text(value));
const statusText = (value: unknown) => (typeof value === 'string' && value in STATUS_LABEL ? t(STATUS_LABEL[value as TicketStatus]) : text(value));

const TOLD: Record<Exclude<Recipient, 'address'>, MessageKey> = {
  assignee: 'rules.effect.to.assignee',
  team: 'rules.effect.to.team',
  admins: 'rules.effect.to.admins',
};

function recipientText(to: unknown): string {
  if (to === 'assignee' || to === 'team' || to === 'admins') return t(TOLD[to]);
  return t('rules.effect.to.address', { address: text(to) });
}

/** What an action changed, or would change, in words: "Priority: from Medium to Urgent",
 * "Tags added: “billing”", "Email to the assignee: “Urgent ticket”". */
export function effectText(effect: RuleEffect, names: EffectNames): string {
  const { from, to } = effect;
  switch (effect.field) {
    case 'priority':
      return t('rules.effect.priority', { from: priorityText(from), to: priorityText(to) });
    case 'status':
      return t('rules.effect.status', { from: statusText(from), to: statusText(to) });
    case 'team_id': {
      const team = (id: unknown) => (typeof id === 'string' ? (names.team(id) ?? t('teams.ticket.unknown')) : t('teams.ticket.none'));
      return t('rules.effect.team', { from: team(from), to: team(to) });
    }
    case 'assigned_to': {
      const person = (id: unknown) => (typeof id === 'string' ? (names.person(id) ?? t('console.someone')) : t('rules.effect.nobody'));
      return t('rules.effect.assignee', { from: person(from), to: person(to) });
    }
    case 'tags': {
      const { added, removed } = tagDiff(from, to);
      const parts = [
        ...(added.length ? [tn('rules.effect.tags_added', added.length, { tags: quotedTags(added) })] : []),
        ...(removed.length ? [tn('rules.effect.tags_removed', removed.length, { tags: quotedTags(removed) })] : []),
      ];
      return parts.length ? parts.join(' ') : t('rules.effect.tags_same');
    }
    case 'note':
      return typeof to === 'string' && to ? t('rules.effect.note', { text: shorten(to) }) : t('rules.effect.note_added');
    case 'mail': {
      // `{to, people}`: whom it was for, and how many people that made.
      const mail = to && typeof to === 'object' ? (to as Record<string, unknown>) : { to };
      const recipient = recipientText(mail.to);
      return typeof mail.people === 'number' ? tn('rules.effect.mail_people', mail.people, { to: recipient }) : t('rules.effect.mail', { to: recipient });
    }
    case 'fields': {
      // The values before and after, of the keys that changed.
      const was = record(from);
      const now = record(to);
      const keys = [...new Set([...Object.keys(now), ...Object.keys(was)])];
      if (keys.length) return keys.map((key) => fieldEffect(key, was[key], now[key], names.definitions)).join(' ');
      break;
    }
  }
  if (effect.field.startsWith(CUSTOM)) return fieldEffect(effect.field.slice(CUSTOM.length), from, to, names.definitions);
  return t('rules.effect.other', { field: effect.field, from: shorten(JSON.stringify(from ?? null)), to: shorten(JSON.stringify(to ?? null)) });
}

const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** "Product: from Not set to Phone.", a field deleted since by its key. */
function fieldEffect(key: string, from: unknown, to: unknown, definitions: readonly FieldDefinition[]): string {
  const definition = definitions.find((d) => d.key === key);
  const shown = (value: unknown) => shorten(valueText(definition, value)) || t('fields.value.none');
  return t('rules.effect.field', { field: nameOfKey(key, definitions), from: shown(from), to: shown(to) });
}

/** A long text cut at `max` characters, on one line. */
function shorten(value: string, max = 80): string {
  const line = value.replace(/\s+/g, ' ').trim();
  const all = [...line];
  return all.length > max ? `${all.slice(0, max - 1).join('').trimEnd()}…` : line;
}

/** The runs shown, with an older page after them (a run already shown once is not twice). */
export function moreRuns<T extends { id: number }>(held: readonly T[], page: readonly T[]): T[] {
  const seen = new Set(held.map((run) => run.id));
  return [...held, ...page.filter((run) => !seen.has(run.id))];
}

/** A ticket's number as the server writes it (`TKT-` and the tenant's count, or eight letters or
 * digits for tickets numbered before the count began), from what was typed (spaces around, lower
 * case); `null` when it cannot be one. */
export function ticketNumber(typed: string): string | null {
  const number = typed.trim().toUpperCase();
  return /^TKT-([1-9][0-9]{0,14}|[0-9A-Z]{8})$/.test(number) ? number : null;
}
