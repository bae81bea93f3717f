/**
 * A team's form, to make one or change one: its name and description, how its tickets are handed
 * out (each way explained), the cap of tickets in progress per member, and its members chosen
 * among the staff. Checked here first (`../teams.ts`); the server's refusals are shown beside
 * their fields, the name already taken beside the name.
 */

import { useId } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import type { NewTeam } from '../../data/teams';
import { formField } from '../../errors/describe';
import { t } from '../../i18n';
import { CheckboxGroup, ChoiceRow, FieldGroup, TextArea, TextField } from '../../ui/Field';
import { translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useSubmit } from '../../ui/hooks';
import { useFreshPeople } from '../people';
import { ASSIGNMENTS, ASSIGNMENT_HINT, ASSIGNMENT_LABEL, CAP_MAX, CAP_MIN, SERVER_FIELDS, TEAM_NAME_MAX, checkTeamForm, type TeamField, type TeamFormValues } from '../teams';

export function TeamForm({
  initial,
  submitLabel,
  onSave,
  onCancel,
}: {
  initial: TeamFormValues;
  submitLabel: string;
  /** Sends the request; a refusal is thrown back (an `ApiProblem`). */
  onSave: (request: NewTeam) => Promise<void>;
  onCancel?: () => void;
}) {
  const form = useFields<TeamFormValues, TeamField>(initial, { editAnswersForm: true });
  const { values, errors } = form;
  const submission = useSubmit();
  const people = useFreshPeople();
  const id = useId();
  // Any change may answer the whole form's refusal.
  const set = <K extends keyof TeamFormValues & string>(key: K, value: TeamFormValues[K]) => form.set(key)(value);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const { errors: found, request } = checkTeamForm(values);
    form.submit(submission, {
      found: translated(found),
      request,
      send: onSave,
      refused: (error) => {
        const server: Partial<Record<TeamField, string>> = {};
        if (error instanceof ApiProblem && error.code === 'team_name_taken') server.name = t('teams.form.name_taken');
        else if (error instanceof ApiProblem) {
          const known = Object.keys(SERVER_FIELDS);
          for (const e of error.errors) {
            const field = formField(e.field, known);
            if (field) server[SERVER_FIELDS[field]!] ??= e.message;
          }
          // What the server says of the whole team (a hundred teams already, say).
          const other = error.errors.filter((e) => !formField(e.field, known)).map((e) => e.message);
          if (other.length) server.form = other.join(' ');
        }
        return server;
      },
    });
  };

  // Staff who left stay listed while the team names them, until unticked.
  const members = people.staff.map((p) => ({ value: p.id, label: p.available === false ? t('teams.form.member_unavailable', { name: p.name }) : p.name }));
  for (const member of values.members) if (!members.some((m) => m.value === member)) members.push({ value: member, label: people.find(member)?.name ?? t('console.someone') });

  return (
    <form ref={form.ref} class="form team-form" onSubmit={onSubmit} noValidate>
      <TextField
        label={t('teams.form.name')}
        hint={t('teams.form.name_hint')}
        {...form.field('name')}
        autocomplete="off"
        maxLength={TEAM_NAME_MAX}
        required
      />
      <TextArea
        label={t('teams.form.description')}
        hint={t('teams.form.description_hint')}
        {...form.field('description')}
        rows={2}
      />
      <FieldGroup id={`${id}-assignment`} class="checks team-modes" legend={t('teams.form.assignment')} error={errors.assignment}>
        {ASSIGNMENTS.map((mode) => (
          <ChoiceRow
            key={mode}
            id={`${id}-${mode}`}
            class="team-mode"
            type="radio"
            name="assignment"
            value={mode}
            label={t(ASSIGNMENT_LABEL[mode])}
            hint={t(ASSIGNMENT_HINT[mode])}
            checked={values.assignment === mode}
            onChange={() => set('assignment', mode)}
          />
        ))}
      </FieldGroup>
      <TextField
        label={t('teams.form.cap')}
        hint={t('teams.form.cap_hint')}
        {...form.field('cap', 'max_open_per_agent')}
        type="number"
        inputMode="numeric"
        min={CAP_MIN}
        max={CAP_MAX}
        step={1}
      />
      {members.length ? (
        <CheckboxGroup
          legend={t('teams.form.members')}
          hint={t('teams.form.members_hint')}
          name="member_ids"
          options={members}
          chosen={values.members}
          error={errors.members}
          onToggle={(member, on) => set('members', on ? [...values.members, member] : values.members.filter((m) => m !== member))}
        />
      ) : (
        <p class="hint">{t('teams.form.members_none')}</p>
      )}
      <FormEnd
        formError={errors.form}
        submission={submission}
        overrides={{ limit_reached: 'teams.form.limit', team_name_taken: 'teams.form.name_taken' }}
        submitLabel={submitLabel}
        cancel={{ label: t('teams.form.cancel'), onCancel }}
      />
    </form>
  );
}
