import { describe, expect, it } from 'vitest';
import type { FieldDefinition } from '../data/fields';
import type { NewRule, Rule } from '../data/rules';
import { setLocale } from '../i18n';
import {
  checkRuleForm,
  choicesOf,
  controlOf,
  dropPosition,
  effectText,
  emptyAction,
  emptyCondition,
  emptyRuleForm,
  fieldLabel,
  fieldsOffered,
  missingChoiceLabel,
  moreRuns,
  opLabel,
  operatorsOf,
  placeOf,
  placed,
  ruleChanges,
  ruleFormValues,
  sizeText,
  sortOf,
  splitValues,
  tagsOf,
  ticketNumber,
  triggerText,
  withActionField,
  withActionType,
  withField,
  withOp,
  type RuleFormValues,
} from './rules';
import { fieldDefinition } from '../tickets/fields.fixture';

const definition = (key: string, type: FieldDefinition['type'], options: string[] = []): FieldDefinition =>
  fieldDefinition({
    key,
    label: { en: key === 'product' ? 'Product' : key, fr: key === 'product' ? 'Produit' : null },
    type,
    options: options.map((value) => ({ value, label: { en: value.toUpperCase(), fr: null } })),
  });

const definitions = [
  definition('order_total', 'number'),
  definition('product', 'dropdown', ['phone', 'tablet']),
  definition('parts', 'multiselect', ['screen', 'battery']),
  definition('warranty', 'checkbox'),
  definition('bought_on', 'date'),
  definition('serial', 'text'),
];

const BILLING = 'c0ffee00-0000-4000-8000-0000000000b1';
const INES = 'b3f0c2a4-0000-4000-8000-000000000002';
const ACME = 'a0000000-0000-4000-8000-000000000001';
const GLOBEX = 'a0000000-0000-4000-8000-000000000002';

const context = { definitions, others: ['Route billing', 'VIP first'] };
const form = (over: Partial<RuleFormValues>): RuleFormValues => ({ ...emptyRuleForm(), name: 'Escalate', ...over });
const condition = (field: string, op: string, value = '', values: string[] = []) => ({ ...emptyCondition(), field, op: op as never, value, values });
const action = (over: Partial<ReturnType<typeof emptyAction>>) => ({ ...emptyAction(over.type), ...over });

const rule: Rule = {
  id: 'r1',
  name: 'Route billing',
  enabled: true,
  position: 1,
  trigger: 'message.added',
  conditions: {
    all: [
      { field: 'message.sender_type', op: 'is', value: 'customer' },
      { field: 'tags', op: 'contains', value: 'vip' },
      { field: 'fields.order_total', op: 'gt', value: 500 },
      { field: 'priority', op: 'in', value: ['high', 'urgent'] },
      { field: 'subject', op: 'not_in', value: ['test', 'ignore me'] },
      { field: 'customer.vip', op: 'is', value: false },
      { field: 'fields.bought_on', op: 'lt', value: '2030-01-31' },
      { field: 'customer.organization_id', op: 'not_in', value: [ACME, GLOBEX] },
      { field: 'customer.organization_id', op: 'is', value: ACME },
    ],
    any: [{ field: 'team_id', op: 'is_empty' }],
  },
  actions: [
    { type: 'set_priority', value: 'urgent' },
    { type: 'set_team', value: BILLING },
    { type: 'assign_to', value: null },
    { type: 'add_tags', value: ['escalated', 'vip'] },
    { type: 'set_field', key: 'product', value: 'phone' },
    { type: 'set_field', key: 'parts', value: ['screen'] },
    { type: 'add_internal_note', body: 'Look at this one first.' },
    { type: 'apply_macro', macro_id: 7 },
    { type: 'notify_email', to: 'lead@example.com', subject: 'VIP', body: 'Look' },
    { type: 'notify_email', to: 'team', subject: 'New', body: 'A new one' },
  ],
  created_at: '2030-01-01T00:00:00Z',
  updated_at: '2030-01-01T00:00:00Z',
};

const body = (r: Rule): NewRule => ({ name: r.name, enabled: r.enabled, trigger: r.trigger, conditions: r.conditions, actions: r.actions });

describe('what a condition may look at', () => {
  it('offers the operators each field takes, as the server reads them', () => {
    const ops = (field: string) => operatorsOf(sortOf(field, definitions)!);
    expect(ops('status')).toEqual(['is', 'is_not', 'in', 'not_in']);
    expect(ops('channel')).toEqual(['is', 'is_not', 'in', 'not_in']);
    expect(ops('message.sender_type')).toEqual(['is', 'is_not', 'in', 'not_in']);
    expect(ops('priority')).toEqual(['is', 'is_not', 'in', 'not_in', 'gt', 'lt']);
    expect(ops('team_id')).toEqual(['is', 'is_not', 'in', 'not_in', 'is_empty', 'is_not_empty']);
    expect(ops('assigned_to')).toEqual(ops('team_id'));
    expect(ops('fields.product')).toEqual(ops('team_id'));
    expect(ops('customer.organization_id')).toEqual(['is', 'is_not', 'in', 'not_in', 'is_empty', 'is_not_empty']);
    for (const text of ['category', 'customer.email_domain', 'subject', 'description', 'message.body', 'fields.serial']) {
      expect(ops(text), text).toEqual(['is', 'is_not', 'in', 'not_in', 'contains', 'not_contains', 'is_empty', 'is_not_empty']);
    }
    expect(ops('tags')).toEqual(['contains', 'not_contains', 'is_empty', 'is_not_empty']);
    expect(ops('fields.parts')).toEqual(ops('tags'));
    for (const flag of ['customer.vip', 'message.is_internal', 'fields.warranty']) expect(ops(flag), flag).toEqual(['is', 'is_not']);
    expect(ops('fields.order_total')).toEqual(['is', 'is_not', 'gt', 'lt', 'is_empty', 'is_not_empty']);
    expect(ops('fields.bought_on')).toEqual(ops('fields.order_total'));
  });

  it('knows no deleted field nor made-up name', () => {
    expect(sortOf('fields.gone', definitions)).toBeNull();
    expect(sortOf('colour', definitions)).toBeNull();
    expect(sortOf('fields.product', definitions)).toEqual({ kind: 'option', field: definitions[1] });
    expect(sortOf('customer.organization_id', definitions)).toEqual({ kind: 'organization' });
  });

  it('offers the message only to rules run when a message is added, and the custom fields to all', () => {
    const created = fieldsOffered('ticket.created', definitions);
    expect(created.slice(0, 3)).toEqual(['status', 'priority', 'team_id']);
    expect(created).toContain('fields.warranty');
    // The customer's organisation after the customer's other facts, for every trigger.
    expect(created.slice(7, 10)).toEqual(['customer.vip', 'customer.email_domain', 'customer.organization_id']);
    expect(fieldsOffered('time', [])).toContain('customer.organization_id');
    expect(created.some((f) => f.startsWith('message.'))).toBe(false);
    expect(fieldsOffered('time', [])).not.toContain('message.body');
    expect(fieldsOffered('message.added', definitions).slice(-3)).toEqual(['message.body', 'message.is_internal', 'message.sender_type']);
  });

  it('gives each value a control of its kind', () => {
    const control = (field: string, op: string) => controlOf(sortOf(field, definitions)!, op as never);
    expect(control('status', 'is')).toBe('choice');
    expect(control('status', 'in')).toBe('choices');
    expect(control('subject', 'in')).toBe('list');
    expect(control('subject', 'contains')).toBe('text');
    expect(control('tags', 'contains')).toBe('tag');
    expect(control('fields.parts', 'contains')).toBe('choice');
    expect(control('fields.order_total', 'gt')).toBe('number');
    expect(control('fields.bought_on', 'is')).toBe('date');
    expect(control('customer.vip', 'is')).toBe('choice');
    expect(control('team_id', 'is_empty')).toBe('none');
    expect(control('customer.organization_id', 'is')).toBe('choice');
    expect(control('customer.organization_id', 'not_in')).toBe('choices');
    expect(control('customer.organization_id', 'is_not_empty')).toBe('none');
  });

  it('keeps what still makes sense when the field or the operator changes', () => {
    const row = condition('subject', 'contains', 'invoice');
    expect(withField(row, 'description', definitions)).toMatchObject({ field: 'description', op: 'contains', value: 'invoice' });
    expect(withField(row, 'status', definitions)).toMatchObject({ field: 'status', op: 'is', value: 'open', values: [] });
    expect(withField(row, 'customer.vip', definitions)).toMatchObject({ op: 'is', value: 'true' });
    expect(withField(row, 'team_id', definitions)).toMatchObject({ op: 'is', value: '' });
    expect(withField(condition('team_id', 'is_empty'), 'fields.product', definitions)).toMatchObject({ op: 'is_empty', value: '' });
    // A team is no organisation: nothing is chosen until one is.
    expect(withField(condition('team_id', 'is', BILLING), 'customer.organization_id', definitions)).toMatchObject({ op: 'is', value: '', values: [] });
    expect(withField(condition('subject', 'not_in', 'a, b'), 'customer.organization_id', definitions)).toMatchObject({ op: 'not_in', value: '', values: [] });
    const organization = sortOf('customer.organization_id', definitions);
    expect(withOp(condition('customer.organization_id', 'is', ACME), 'in', organization)).toMatchObject({ op: 'in', values: [ACME] });
    expect(withOp(condition('customer.organization_id', 'in', '', [GLOBEX, ACME]), 'is_not', organization)).toMatchObject({ op: 'is_not', value: GLOBEX });
    const status = sortOf('status', definitions);
    expect(withOp(condition('status', 'is', 'closed'), 'in', status)).toMatchObject({ op: 'in', values: ['closed'] });
    expect(withOp(condition('status', 'in', '', ['resolved', 'closed']), 'is_not', status)).toMatchObject({ op: 'is_not', value: 'resolved' });
  });

  it('names the fields and operators in words', () => {
    setLocale('en');
    expect(fieldLabel('customer.email_domain', definitions)).toBe('Customer’s email domain');
    expect(fieldLabel('customer.organization_id', definitions)).toBe('Customer organisation');
    expect(fieldLabel('fields.product', definitions)).toBe('Product (ticket field)');
    expect(fieldLabel('fields.gone', definitions)).toBe('A field deleted since (gone)');
    expect(opLabel('gt', sortOf('priority', definitions))).toBe('rules.op.gt_priority');
    expect(opLabel('lt', sortOf('fields.bought_on', definitions))).toBe('rules.op.lt_date');
    expect(opLabel('gt', sortOf('fields.order_total', definitions))).toBe('rules.op.gt');
    expect(choicesOf(sortOf('fields.product', definitions)!, { teams: [], staff: [] })).toEqual([
      { value: 'phone', label: 'PHONE' },
      { value: 'tablet', label: 'TABLET' },
    ]);
    expect(choicesOf({ kind: 'team' }, { teams: [{ id: BILLING, name: 'Billing' }], staff: [] })).toEqual([{ value: BILLING, label: 'Billing' }]);
    expect(choicesOf({ kind: 'organization' }, { teams: [], staff: [], organizations: [{ id: ACME, name: 'Acme Industries' }] })).toEqual([{ value: ACME, label: 'Acme Industries' }]);
    expect(choicesOf({ kind: 'organization' }, { teams: [], staff: [] })).toEqual([]);
    setLocale('fr');
    expect(fieldLabel('fields.product', definitions)).toBe('Produit (champ du ticket)');
    expect(fieldLabel('customer.organization_id', definitions)).toBe('Organisation cliente');
    expect(choicesOf({ kind: 'flag' }, { teams: [], staff: [] }).map((c) => c.label)).toEqual(['Oui', 'Non']);
    setLocale('en');
  });
});

describe('a value chosen before and not offered now', () => {
  const organization = { kind: 'organization' } as const;
  const listed = { organizations: [{ id: ACME, name: 'Acme Industries' }], complete: true };

  it('says it is loading, gone, or beyond the organisations read', () => {
    setLocale('en');
    expect(missingChoiceLabel(GLOBEX, organization, { teams: [], organizations: undefined })).toBe('Loading…');
    expect(missingChoiceLabel(GLOBEX, organization, { teams: [], organizations: listed })).toBe('One that no longer exists');
    expect(missingChoiceLabel(GLOBEX, organization, { teams: [], organizations: { ...listed, complete: false } })).toBe('A customer organisation beyond the first 1,000');
    expect(missingChoiceLabel(BILLING, { kind: 'team' }, { teams: undefined, organizations: listed })).toBe('Loading…');
    expect(missingChoiceLabel(BILLING, { kind: 'team' }, { teams: [], organizations: undefined })).toBe('One that no longer exists');
    expect(missingChoiceLabel(INES, { kind: 'staff' }, { teams: undefined, organizations: undefined })).toBe('One that no longer exists');
    setLocale('fr');
    expect(missingChoiceLabel(GLOBEX, organization, { teams: [], organizations: listed })).toBe('Une valeur qui n’existe plus');
    expect(missingChoiceLabel(GLOBEX, organization, { teams: [], organizations: { ...listed, complete: false } })).toMatch(/^Une organisation cliente au-delà des 1\s000 premières$/);
    setLocale('en');
  });
});

describe('the rule editor', () => {
  it('reads a kept rule into rows and sends the same rule back', () => {
    const values = ruleFormValues(rule, definitions);
    expect(values.when).toBe('message.added');
    expect(values.all[3]).toMatchObject({ op: 'in', values: ['high', 'urgent'] });
    expect(values.all[4]).toMatchObject({ op: 'not_in', values: ['test', 'ignore me'] });
    expect(values.all[4]).toMatchObject({ op: 'not_in', value: 'test, ignore me' });
    expect(values.all[5]).toMatchObject({ value: 'false' });
    expect(values.actions[2]).toMatchObject({ type: 'assign_to', value: '' });
    expect(values.actions[5]).toMatchObject({ key: 'parts', input: ['screen'] });
    expect(values.actions[8]).toMatchObject({ to: 'address', address: 'lead@example.com' });
    expect(values.actions[9]).toMatchObject({ to: 'team', address: '' });
    const { errors, request } = checkRuleForm(values, { definitions, others: [] });
    expect(errors).toEqual({});
    expect(request).toEqual(body(rule));
    expect(ruleChanges(rule, request!)).toEqual({});
  });

  it('reads and sends a time rule', () => {
    const timed: Rule = { ...rule, trigger: { after_minutes: 2880, since: 'last_staff_reply' }, conditions: { all: [], any: [] }, actions: [{ type: 'set_status', value: 'closed' }] };
    const values = ruleFormValues(timed, definitions);
    expect(values).toMatchObject({ when: 'time', minutes: '2880', since: 'last_staff_reply' });
    expect(checkRuleForm(values, { definitions, others: [] }).request?.trigger).toEqual({ after_minutes: 2880, since: 'last_staff_reply' });
    expect(checkRuleForm({ ...values, minutes: '0' }, { definitions, others: [] }).errors).toEqual({ trigger: 'console.policy.bounds' });
    expect(checkRuleForm({ ...values, minutes: '525601' }, { definitions, others: [] }).errors.trigger).toBe('console.policy.bounds');
  });

  it('sends only what changed', () => {
    const values = ruleFormValues(rule, definitions);
    const renamed = checkRuleForm({ ...values, name: 'Billing first', enabled: false }, { definitions, others: [] }).request!;
    expect(ruleChanges(rule, renamed)).toEqual({ name: 'Billing first', enabled: false });
    const fewer = checkRuleForm({ ...values, any: [] }, { definitions, others: [] }).request!;
    expect(ruleChanges(rule, fewer)).toEqual({ conditions: { all: rule.conditions.all, any: [] } });
    // A missing value and a null one are the same.
    const held = { ...rule, conditions: { ...rule.conditions, any: [{ field: 'team_id', op: 'is_empty' as const, value: null }] } };
    expect(ruleChanges(held, body(rule))).toEqual({});
  });

  it('checks the name, taken whatever the case', () => {
    expect(checkRuleForm(form({ name: ' ' }), context).errors).toEqual({ name: 'rules.form.name_required' });
    expect(checkRuleForm(form({ name: 'x'.repeat(101) }), context).errors).toEqual({ name: 'rules.form.name_long' });
    expect(checkRuleForm(form({ name: 'route BILLING ' }), context).errors).toEqual({ name: 'rules.form.name_taken' });
  });

  it('says what is wrong with each condition at its place', () => {
    const { errors, request } = checkRuleForm(
      form({
        all: [
          condition('message.body', 'contains', 'refund'),
          condition('fields.gone', 'is', 'x'),
          condition('status', 'contains', 'open'),
          condition('team_id', 'is', ''),
          condition('priority', 'in'),
          condition('subject', 'in', ' , '),
          condition('tags', 'contains', 'not a tag'),
          condition('fields.order_total', 'gt', 'many'),
          condition('fields.bought_on', 'is', '2030-02-30'),
          condition('team_id', 'is_not_empty'),
          condition('customer.organization_id', 'is', ''),
          condition('customer.organization_id', 'not_in'),
        ],
        any: [condition('description', 'contains', '  ')],
      }),
      context,
    );
    expect(request).toBeNull();
    expect(errors).toEqual({
      'conditions.all[0].field': 'rules.condition.field_message',
      'conditions.all[1].field': 'rules.condition.field_gone',
      'conditions.all[2].op': 'rules.condition.op_choose',
      'conditions.all[3].value': 'rules.condition.value_choose',
      'conditions.all[4].value': 'rules.condition.values_choose',
      'conditions.all[5].value': 'rules.condition.values_type',
      'conditions.all[6].value': 'rules.condition.tag_invalid',
      'conditions.all[7].value': 'fields.value.number',
      'conditions.all[8].value': 'fields.value.date',
      'conditions.all[10].value': 'rules.condition.value_choose',
      'conditions.all[11].value': 'rules.condition.values_choose',
      'conditions.any[0].value': 'rules.condition.value_type',
    });
  });

  it('sends each condition in the form the server reads', () => {
    const { request } = checkRuleForm(
      form({
        when: 'message.added',
        all: [
          condition('message.is_internal', 'is', 'false'),
          condition('tags', 'contains', ' VIP '),
          condition('fields.order_total', 'lt', '1 000,5'),
          condition('subject', 'in', 'refund, invoice, refund'),
          condition('status', 'not_in', '', ['closed', 'resolved']),
          condition('assigned_to', 'is', INES),
          condition('team_id', 'is_empty', 'kept from before'),
          condition('customer.organization_id', 'is', ACME),
          condition('customer.organization_id', 'in', '', [GLOBEX, ACME, GLOBEX]),
          condition('customer.organization_id', 'is_empty', ACME),
        ],
      }),
      context,
    );
    expect(request?.conditions?.all).toEqual([
      { field: 'message.is_internal', op: 'is', value: false },
      { field: 'tags', op: 'contains', value: 'vip' },
      { field: 'fields.order_total', op: 'lt', value: 1000.5 },
      { field: 'subject', op: 'in', value: ['refund', 'invoice'] },
      { field: 'status', op: 'not_in', value: ['closed', 'resolved'] },
      { field: 'assigned_to', op: 'is', value: INES },
      { field: 'team_id', op: 'is_empty' },
      { field: 'customer.organization_id', op: 'is', value: ACME },
      { field: 'customer.organization_id', op: 'in', value: [GLOBEX, ACME] },
      { field: 'customer.organization_id', op: 'is_empty' },
    ]);
  });

  it('says what is wrong with each action at its place', () => {
    expect(checkRuleForm(form({ actions: [] }), context).errors).toEqual({ actions: 'rules.actions.required' });
    expect(checkRuleForm(form({ actions: Array.from({ length: 21 }, () => emptyAction()) }), context).errors).toEqual({ actions: 'rules.actions.many' });
    const { errors } = checkRuleForm(
      form({
        actions: [
          action({ type: 'add_tags', tags: ' , ' }),
          action({ type: 'remove_tags', tags: 'ok, not ok' }),
          action({ type: 'set_field', key: '' }),
          action({ type: 'set_field', key: 'gone' }),
          action({ type: 'set_field', key: 'order_total', input: 'lots' }),
          action({ type: 'add_internal_note', body: ' ' }),
          action({ type: 'apply_macro', value: '' }),
          action({ type: 'notify_email', to: 'address', address: 'nobody', subject: 'x', body: 'y' }),
          action({ type: 'notify_email', to: 'admins', subject: ' ', body: 'y' }),
          action({ type: 'notify_email', to: 'admins', subject: 'x', body: '' }),
        ],
      }),
      context,
    );
    expect(errors).toEqual({
      'actions[0].value': 'rules.action.tags_required',
      'actions[1].value': 'rules.action.tags_invalid',
      'actions[2].key': 'rules.action.field_choose',
      'actions[3].key': 'rules.action.field_gone',
      'actions[4].value': 'fields.value.number',
      'actions[5].body': 'rules.action.note_required',
      'actions[6].macro_id': 'rules.action.macro_choose',
      'actions[7].to': 'rules.action.address_invalid',
      'actions[8].subject': 'rules.action.subject_required',
      'actions[9].body': 'rules.action.body_required',
    });
  });

  it('sends each action in the form the server reads', () => {
    const { request } = checkRuleForm(
      form({
        actions: [
          action({ type: 'set_team', value: '' }),
          action({ type: 'assign_to', value: INES }),
          action({ type: 'remove_tags', tags: 'Refund, refund , late' }),
          action({ type: 'set_field', key: 'warranty', input: true }),
          action({ type: 'set_field', key: 'serial', input: '' }),
          action({ type: 'apply_macro', value: '12' }),
          action({ type: 'notify_email', to: 'address', address: ' Lead@Example.com ', subject: ' Hi ', body: ' There ' }),
        ],
      }),
      context,
    );
    expect(request?.actions).toEqual([
      { type: 'set_team', value: null },
      { type: 'assign_to', value: INES },
      { type: 'remove_tags', value: ['refund', 'late'] },
      { type: 'set_field', key: 'warranty', value: true },
      { type: 'set_field', key: 'serial', value: null },
      { type: 'apply_macro', macro_id: 12 },
      { type: 'notify_email', to: 'Lead@Example.com', subject: 'Hi', body: 'There' },
    ]);
  });

  it('starts a new type or field of action afresh', () => {
    const row = action({ type: 'set_priority', value: 'low', tags: 'kept' });
    expect(withActionType(row, 'set_status')).toMatchObject({ type: 'set_status', value: 'open', tags: 'kept' });
    expect(withActionType(row, 'set_team')).toMatchObject({ value: '' });
    expect(withActionType(row, 'set_priority')).toBe(row);
    expect(withActionField(action({ type: 'set_field', key: 'serial', input: 'A1' }), 'parts', definitions)).toMatchObject({ key: 'parts', input: [] });
    expect(withActionField(action({ type: 'set_field' }), 'warranty', definitions)).toMatchObject({ input: false });
  });

  it('splits what is typed with commas', () => {
    expect(splitValues(' a, b ,, a ,c ')).toEqual(['a', 'b', 'c']);
    expect(tagsOf('VIP, vip, Refund ')).toEqual(['vip', 'refund']);
  });
});

describe('the server’s refusals', () => {
  const values = form({ all: [condition('status', 'is', 'open'), condition('subject', 'contains', 'x'), condition('tags', 'contains', 'a')], actions: [action({ type: 'notify_email' }), action({ type: 'set_priority' })] });

  it('are placed beside the control they name', () => {
    expect(placeOf('name', values)).toEqual({ place: 'name', message: 'rules.form.name_invalid' });
    expect(placeOf('trigger', values)).toEqual({ place: 'trigger', message: 'rules.form.trigger_invalid' });
    expect(placeOf('conditions.all[2].op', values)).toEqual({ place: 'conditions.all[2].op', message: 'rules.condition.op_invalid' });
    expect(placeOf('conditions.all[0].field', values).place).toBe('conditions.all[0].field');
    expect(placeOf('conditions.all[1].value', values)).toEqual({ place: 'conditions.all[1].value', message: 'rules.condition.value_invalid' });
    expect(placeOf('actions[0].to', values)).toEqual({ place: 'actions[0].to', message: 'rules.action.address_invalid' });
    expect(placeOf('actions[0].subject', values).place).toBe('actions[0].subject');
    expect(placeOf('actions[1].value', values)).toEqual({ place: 'actions[1].value', message: 'rules.action.value_invalid' });
  });

  it('about a row or a list as a whole go beside it, the rest to the whole form', () => {
    expect(placeOf('conditions.all[1]', values)).toEqual({ place: 'conditions.all[1]', message: 'rules.condition.invalid' });
    expect(placeOf('conditions.any[0].value', values).place).toBe('conditions.any');
    expect(placeOf('conditions.all', values).place).toBe('conditions.all');
    expect(placeOf('conditions.none', values).place).toBe('form');
    expect(placeOf('actions[1].type', values)).toEqual({ place: 'actions[1]', message: 'rules.action.invalid' });
    expect(placeOf('actions[1].body', values).place).toBe('actions[1]');
    expect(placeOf('actions[7].value', values).place).toBe('actions');
    expect(placeOf('actions', values)).toEqual({ place: 'actions', message: 'rules.actions.invalid' });
    expect(placeOf('position', values).place).toBe('form');
  });
});

describe('the list', () => {
  const a: Rule = { ...rule, id: 'a', name: 'A', position: 1 };
  const b: Rule = { ...rule, id: 'b', name: 'B', position: 2 };
  const c: Rule = { ...rule, id: 'c', name: 'C', position: 3 };

  it('puts a moved rule at its new place, the others shifted', () => {
    expect(placed([a, b, c], { ...c, position: 1 }).map((r) => [r.id, r.position])).toEqual([['c', 1], ['a', 2], ['b', 3]]);
    expect(placed([a, b, c], { ...a, position: 2 }).map((r) => [r.id, r.position])).toEqual([['b', 1], ['a', 2], ['c', 3]]);
    expect(placed([a, b], { ...c, position: 3 }).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(placed([a, b], { ...c, position: 9 }).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('moves a dragged rule to the place of the one it is dropped on', () => {
    expect(dropPosition(2, 0, 3)).toBe(1);
    expect(dropPosition(0, 2, 3)).toBe(3);
    expect(dropPosition(1, 1, 3)).toBeNull();
    expect(dropPosition(0, 3, 3)).toBeNull();
  });

  it('says when a rule runs and what it is made of, in English and in French', () => {
    setLocale('en');
    expect(triggerText('ticket.created')).toBe('When a ticket is created');
    expect(triggerText({ after_minutes: 90, since: 'last_customer_message' })).toBe('1 hr 30 min after the customer last wrote');
    expect(sizeText(rule)).toBe('10 conditions, 10 actions');
    expect(sizeText({ conditions: { all: [], any: [] }, actions: [{ type: 'set_priority', value: 'low' }] })).toBe('0 conditions, 1 action');
    setLocale('fr');
    expect(triggerText('sla.breached')).toBe('Quand un engagement de service est manqué');
    expect(triggerText({ after_minutes: 2880, since: 'created' }).replace(/\s/g, ' ')).toBe('2 j après la création du ticket');
    expect(sizeText({ conditions: { all: [rule.conditions.all![0]!], any: [] }, actions: rule.actions })).toBe('1 condition, 10 actions');
    setLocale('en');
  });

  it('reads runs a page at a time, none twice', () => {
    expect(moreRuns([{ id: 3 }, { id: 2 }], [{ id: 2 }, { id: 1 }])).toEqual([{ id: 3 }, { id: 2 }, { id: 1 }]);
  });
});

describe('changes in words', () => {
  const names = { team: (id: string) => (id === BILLING ? 'Billing' : undefined), person: (id: string) => (id === INES ? 'Inès Moreau' : undefined), definitions };

  it('say what an action changed', () => {
    setLocale('en');
    const said = (field: string, from: unknown, to: unknown) => effectText({ action: 'x', field, from, to }, names);
    expect(said('priority', 'medium', 'urgent')).toBe('Priority: from Medium to Urgent');
    expect(said('status', 'open', 'waiting_customer')).toBe('Status: from Open to Waiting for customer');
    expect(said('team_id', null, BILLING)).toBe('Team: from No team to Billing');
    expect(said('team_id', BILLING, 'gone')).toBe('Team: from Billing to A team that no longer exists');
    expect(said('assigned_to', INES, null)).toBe('Assignee: from Inès Moreau to nobody');
    expect(said('tags', ['a'], ['a', 'billing', 'vip'])).toBe('Tags added: “billing”, “vip”.');
    expect(said('tags', ['a', 'b'], ['b'])).toBe('Tag removed: “a”.');
    expect(said('fields.product', null, 'phone')).toBe('Product: from Not set to PHONE');
    expect(said('fields.warranty', false, true)).toBe('warranty: from No to Yes');
    expect(said('note', null, 'Look at this\n first.')).toBe('Internal note: “Look at this first.”');
    expect(said('fields', { product: null }, { product: 'phone' })).toBe('Product: from Not set to PHONE');
    expect(said('note', null, 41)).toBe('An internal note');
    expect(said('mail', null, 'assignee')).toBe('An email to the assignee');
    expect(said('mail', null, { to: 'team', people: 2 })).toBe('An email to the members of its team (2 people)');
    expect(said('mail', null, { to: 'lead@example.com', people: 1 })).toBe('An email to lead@example.com (1 person)');
    expect(said('colour', 1, 2)).toBe('colour: from 1 to 2');
    setLocale('fr');
    expect(said('priority', 'low', 'high')).toBe('Priorité : de Basse à Haute');
    expect(said('mail', null, { to: 'admins', people: 3 })).toBe('Un e-mail aux administrateurs (3 personnes)');
    expect(said('mail', null, { to: 'lead@example.com', people: 1 })).toBe('Un e-mail à lead@example.com (1 personne)');
    setLocale('en');
  });
});

describe('a ticket number', () => {
  it('is read as the server writes it', () => {
    expect(ticketNumber(' tkt-128 ')).toBe('TKT-128');
    expect(ticketNumber(' tkt-4f2a9c1b ')).toBe('TKT-4F2A9C1B');
    expect(ticketNumber('TKT-0')).toBeNull();
    expect(ticketNumber('TKT-012')).toBeNull();
    expect(ticketNumber('TKT-4F2A')).toBeNull();
    expect(ticketNumber('TKT-')).toBeNull();
    expect(ticketNumber('4F2A9C1B')).toBeNull();
  });
});
