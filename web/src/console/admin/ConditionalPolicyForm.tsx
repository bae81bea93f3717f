/**
 * An SLA policy by condition's form, to add one or change one: its name; the tickets it applies
 * to (priorities, teams and customer organisations ticked, tags and categories typed with commas,
 * VIP customers or not), each left empty for any; the business hours its targets are counted in
 * (a schedule, or around the clock, with what a business day of it is); and its targets in
 * minutes, hours or days (business ones under a schedule) for the priorities it can match (first
 * reply, next reply if any, resolution). Checked here first (`../policies.ts`); the server's
 * refusals are shown beside their fields, the rest as an alert.
 */

import { useId } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import type { Priority } from '../../api/schemas';
import type { OrganizationChoices } from '../../data/organizations';
import type { ConditionalPolicyInput } from '../../data/sla';
import type { Schedule } from '../../data/schedules';
import type { Team } from '../../data/teams';
import { t } from '../../i18n';
import { CheckboxGroup, FieldGroup, SelectField, TextField } from '../../ui/Field';
import { refusedFields, translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useSubmit } from '../../ui/hooks';
import { organizationLabel, partialChoicesHint } from '../organizations';
import { PRIORITIES } from '../queue/views';
import {
  NAME_MAX,
  TARGET_KINDS,
  VIP_CHOICES,
  checkPolicyForm,
  matchedPriorities,
  policyErrorOf,
  quotedNames,
  refusedNames,
  targetError,
  type PolicyFormError,
  type PolicyFormValues,
  type TargetKind,
  type Vip,
} from '../policies';
import { toggled } from './integrations';
import { BusinessDay, scheduleDay, scheduleOptions as scheduleChoices } from './BusinessDay';
import { TargetField } from './TargetField';

type Errors = Partial<Record<PolicyFormError, string>>;

const VIP_LABEL = {
  any: 'policies.form.vip_any',
  vip: 'policies.form.vip_only',
  not_vip: 'policies.form.vip_none',
} as const satisfies Record<Vip, string>;

const TARGET_LABEL = {
  response_minutes: 'console.policy.response',
  next_response_minutes: 'policies.form.next_response',
  resolution_minutes: 'console.policy.resolution',
} as const satisfies Record<TargetKind, string>;

export function ConditionalPolicyForm({
  initial,
  index,
  names,
  teams,
  organizations,
  schedules,
  submitLabel,
  onSave,
  onCancel,
}: {
  initial: PolicyFormValues;
  /** The policies' names as the list stands (each name is taken once, whatever the case), and
   * this one's place there (`names.length` for a new one): the server names its refusals by it. */
  names: readonly string[];
  index: number;
  /** The organisation's teams, customer organisations and schedules, `undefined` while they load. */
  teams: Team[] | undefined;
  organizations: OrganizationChoices | undefined;
  schedules: Schedule[] | undefined;
  submitLabel: string;
  /** Sends the list with this policy; a refusal is thrown back (an `ApiProblem`). */
  onSave: (policy: ConditionalPolicyInput) => Promise<void>;
  onCancel: () => void;
}) {
  const form = useFields<PolicyFormValues, PolicyFormError>(initial, { editAnswersForm: true });
  const { values, errors } = form;
  const submission = useSubmit();
  const id = useId();

  const { change } = form;
  const setTarget = (priority: Priority, kind: TargetKind, text: string) =>
    change({ targets: { ...values.targets, [priority]: { ...values.targets[priority], [kind]: text } } }, [targetError(priority, kind), 'targets']);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const { errors: found, policy } = checkPolicyForm(
      values,
      names.filter((_, i) => i !== index),
    );
    form.submit(submission, {
      found: translated(found),
      request: policy,
      send: onSave,
      refused: (error): Errors => {
        if (!(error instanceof ApiProblem && error.code === 'validation_failed')) return {};
        // Another policy refused (a team it names deleted since): said as the whole form's.
        const others = refusedNames(error, names, index);
        return refusedFields(error, (field) => policyErrorOf(field, index), others.length ? { form: t('policies.refused', { names: quotedNames(others) }) } : {});
      },
    });
  };

  // A team, a customer organisation or a schedule chosen that the organisation no longer has
  // stays shown, to be taken off.
  const teamOptions = (teams ?? []).map((team) => ({ value: team.id, label: team.name }));
  for (const chosen of values.teamIds) {
    if (teams && !teams.some((team) => team.id === chosen)) teamOptions.push({ value: chosen, label: t('policies.team_unknown') });
  }
  const organizationOptions = (organizations?.organizations ?? []).map((o) => ({ value: o.id, label: o.name }));
  for (const chosen of values.organizationIds) {
    if (!organizationOptions.some((o) => o.value === chosen)) organizationOptions.push({ value: chosen, label: organizationLabel(chosen, organizations) ?? t('policies.organization_unknown') });
  }
  const partial = partialChoicesHint(organizations);
  const scheduleOptions = scheduleChoices(values.scheduleId, schedules);
  const day = scheduleDay(values.scheduleId, schedules);
  const matched = matchedPriorities(values.priorities);

  return (
    <form ref={form.ref} class="form policy-form" onSubmit={onSubmit} noValidate>
      <TextField
        label={t('policies.form.name')}
        {...form.field('name')}
        autocomplete="off"
        maxLength={NAME_MAX}
        required
      />
      <CheckboxGroup
        legend={t('policies.form.priorities')}
        name="priorities"
        hint={t('policies.form.priorities_hint')}
        options={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
        chosen={values.priorities}
        error={errors.priorities}
        onToggle={(value, on) => change({ priorities: toggled(PRIORITIES, values.priorities, value as Priority, on) }, ['priorities', 'targets'])}
      />
      {teamOptions.length ? (
        <CheckboxGroup
          legend={t('policies.form.teams')}
          name="team_ids"
          hint={t('policies.form.teams_hint')}
          options={teamOptions}
          chosen={values.teamIds}
          error={errors.teamIds}
          onToggle={(value, on) => change({ teamIds: toggled(teamOptions.map((o) => o.value), values.teamIds, value, on) }, ['teamIds'])}
        />
      ) : null}
      {organizationOptions.length ? (
        <CheckboxGroup
          legend={t('policies.form.organizations')}
          name="organization_ids"
          hint={partial ? `${t('policies.form.organizations_hint')} ${partial}` : t('policies.form.organizations_hint')}
          options={organizationOptions}
          chosen={values.organizationIds}
          error={errors.organizationIds}
          onToggle={(value, on) =>
            change({ organizationIds: toggled(organizationOptions.map((o) => o.value), values.organizationIds, value, on) }, ['organizationIds'])
          }
        />
      ) : null}
      <div class="field-row">
        <TextField
          label={t('policies.form.tags')}
          {...form.field('tags', 'tags_any')}
          hint={t('policies.form.tags_hint')}
          autocomplete="off"
          spellcheck={false}
        />
        <TextField
          label={t('policies.form.categories')}
          {...form.field('categories')}
          hint={t('policies.form.categories_hint')}
          autocomplete="off"
          spellcheck={false}
        />
      </div>
      <div class="field-row">
        <SelectField
          label={t('policies.form.vip')}
          {...form.field('vip')}
          options={VIP_CHOICES.map((v) => ({ value: v, label: t(VIP_LABEL[v]) }))}
        />
        <SelectField
          label={t('policies.form.schedule')}
          {...form.field('scheduleId', 'schedule_id')}
          hint={t('policies.form.schedule_hint')}
          options={scheduleOptions}
        />
      </div>
      <BusinessDay scheduleId={values.scheduleId} schedules={schedules} />
      <FieldGroup id={`${id}-targets`} class="policy-targets-grid" legend={t('policies.form.targets')} hint={t('policies.form.targets_hint')} error={errors.targets}>
        {matched.map((p) => (
          <fieldset key={p} class="policy-row">
            <legend>{t(`priority.${p}`)}</legend>
            <div class="field-row field-row--three">
              {TARGET_KINDS.map((kind) => (
                <TargetField
                  key={kind}
                  day={day}
                  business={Boolean(values.scheduleId)}
                  label={t(TARGET_LABEL[kind])}
                  name={targetError(p, kind)}
                  value={values.targets[p][kind]}
                  error={errors[targetError(p, kind)]}
                  optional={kind === 'next_response_minutes'}
                  onValue={(v) => setTarget(p, kind, v)}
                />
              ))}
            </div>
          </fieldset>
        ))}
      </FieldGroup>
      <FormEnd formError={errors.form} submission={submission} overrides={{ limit_reached: 'policies.form.limit' }} submitLabel={submitLabel} cancel={{ label: t('policies.form.cancel'), onCancel }} />
    </form>
  );
}
