/**
 * The SLA policies by condition (owners and admins), under the default policy: the ordered list
 * (the first policy whose conditions all match a ticket applies), each policy's conditions in
 * short, its business hours and its targets; a policy added, changed in place, moved up or down,
 * or deleted after a confirmation in place, each change saved at once as the whole list. Focus
 * follows each change: to the moved policy's button, to the row that takes a deleted one's place.
 */

import { useId, useState } from 'preact/hooks';
import { listConditionalPolicies, saveConditionalPolicies, type ConditionalPolicy, type ConditionalPolicyInput, type SlaPolicy } from '../../data/sla';
import type { OrganizationChoices } from '../../data/organizations';
import type { Schedule } from '../../data/schedules';
import type { Team } from '../../data/teams';
import { useResource } from '../../data/resource';
import { t, tn } from '../../i18n';
import { useMember } from '../../tenant/member';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import { MoveButtons, RowActions, useRowModes } from '../../ui/RowActions';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import { organizationLabel } from '../organizations';
import { targetText } from '../targets';
import { scheduleDay } from './BusinessDay';
import {
  POLICIES_MAX,
  conditionsSummary,
  emptyPolicyForm,
  moveFocus,
  moved,
  policyFormValues,
  policyInput,
  quotedNames,
  refusedNames,
  samePolicy,
  targetPriorities,
  withPolicy,
  withoutPolicy,
} from '../policies';
import { useOrganizationChoices } from '../useOrganizationChoices';
import { useSchedules } from '../useSchedules';
import { useTeams, useTeamsById } from '../useTeams';
import { ConditionalPolicyForm } from './ConditionalPolicyForm';

/** What every row needs: the whole list (a change sends it all), and the teams, customer
 * organisations and schedules that name what a policy holds. */
interface Context {
  list: ConditionalPolicy[];
  teams: Team[] | undefined;
  organizations: OrganizationChoices | undefined;
  schedules: Schedule[] | undefined;
  defaults: SlaPolicy['targets'] | undefined;
  /** Saves the whole list; the list shown is then the server's. */
  save: (policies: ConditionalPolicyInput[]) => Promise<void>;
  /** A change is done: what to announce, and where focus goes (a selector within the list). */
  done: (notice: string, focus: string) => void;
}

/** The row at `position`, for focus selectors. */
const at = (position: number) => `[data-position="${position}"]`;

export function ConditionalPoliciesPanel({ defaults }: { defaults: SlaPolicy['targets'] | undefined }) {
  const { slug } = useMember();
  const policies = useResource(`sla-policies:${slug}`, listConditionalPolicies);
  const teams = useTeams();
  const organizations = useOrganizationChoices();
  const schedules = useSchedules();
  const [notice, setNotice] = useState('');
  const [adding, setAdding] = useState(false);
  const { container, focusAfter } = useFocusAfterRender<HTMLElement>();
  const id = useId();
  const save = async (next: ConditionalPolicyInput[]) => {
    const kept = await saveConditionalPolicies(next);
    policies.setData(() => kept);
  };
  const done = (text: string, focus: string) => {
    setNotice(text);
    focusAfter(focus);
  };
  const startAdding = () => {
    setNotice('');
    focusAfter('.policy-new input[name="name"]');
    setAdding(true);
  };
  const stopAdding = () => {
    focusAfter('[data-action="add-policy"]');
    setAdding(false);
  };
  return (
    <section class="panel" aria-labelledby={id} ref={container}>
      <h2 id={id}>{t('policies.title')}</h2>
      <p class="hint">{t('policies.lead')}</p>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <Loaded resource={policies}>
        {(list) => {
          const context: Context = { list, teams: teams.data, organizations: organizations.data, schedules: schedules.data, defaults, save, done };
          return (
            <>
              {list.length ? (
                <>
                  <p class="list-count">{tn('policies.count', list.length)}</p>
                  <ol class="integration-list policy-list">
                    {list.map((policy, index) => (
                      <PolicyRow key={policy.name.toLowerCase()} policy={policy} index={index} context={context} />
                    ))}
                  </ol>
                </>
              ) : (
                <p class="hint">{t('policies.empty')}</p>
              )}
              {adding ? (
                <div class="policy-new">
                  <h3>{t('policies.new')}</h3>
                  <ConditionalPolicyForm
                    initial={emptyPolicyForm(defaults)}
                    names={list.map((p) => p.name)}
                    index={list.length}
                    teams={teams.data}
                    organizations={organizations.data}
                    schedules={schedules.data}
                    submitLabel={t('policies.form.create')}
                    onCancel={stopAdding}
                    onSave={async (policy) => {
                      await save(withPolicy(list, null, policy));
                      stopAdding();
                      setNotice(t('policies.created', { name: policy.name, position: list.length + 1 }));
                    }}
                  />
                </div>
              ) : list.length >= POLICIES_MAX ? (
                <p class="hint">{t('policies.form.limit')}</p>
              ) : (
                <div class="actions">
                  <button type="button" class="button" data-action="add-policy" onClick={startAdding}>
                    {t('policies.add')}
                  </button>
                </div>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

/** The schedule's name, "24/7" without one. */
function hoursName(scheduleId: string | null, schedules: Schedule[] | undefined): string {
  if (!scheduleId) return t('policies.around_the_clock');
  const schedule = schedules?.find((s) => s.id === scheduleId);
  return schedule ? schedule.name : schedules ? t('policies.schedule_unknown') : t('common.loading');
}

function PolicyRow({ policy, index, context }: { policy: ConditionalPolicy; index: number; context: Context }) {
  const { list, teams, organizations, schedules, defaults, save, done } = context;
  const modes = useRowModes('input[name="name"]');
  const submission = useSubmit();
  const teamsById = useTeamsById(teams);
  const id = useId();
  const name = policy.name;
  const count = list.length;
  // Other policies the server refused as they stand, by name, when a change was not saved.
  const [refused, setRefused] = useState<string[]>([]);
  const change = (sent: ConditionalPolicyInput[], after: () => void) =>
    void submission.run(async () => {
      setRefused([]);
      try {
        await save(sent);
      } catch (error) {
        setRefused(refusedNames(error, sent.map((p) => p.name)));
        throw error;
      }
      after();
    });
  const remove = () =>
    change(withoutPolicy(list, index), () => {
      modes.deleted();
      // The row that takes its place, else the one before, else the button that adds one.
      const next = count > 1 ? Math.min(index, count - 2) : null;
      done(t('policies.deleted', { name }), next === null ? '[data-action="add-policy"]' : `${at(next)} [data-action="edit"]`);
    });
  const move = (by: -1 | 1) =>
    change(moved(list, index, by), () => {
      const to = index + by;
      done(t('policies.moved', { name, position: to + 1 }), `${at(to)} [data-action="${moveFocus(to, count, by)}"]`);
    });
  return (
    <li class="integration policy" aria-labelledby={id} ref={modes.row} data-position={index}>
      <div class="integration-head">
        <span class="policy-position" aria-hidden="true">
          {index + 1}.
        </span>
        <strong id={id}>{name}</strong>
      </div>
      {modes.editing ? (
        <ConditionalPolicyForm
          initial={policyFormValues(policy, defaults)}
          names={list.map((p) => p.name)}
          index={index}
          teams={teams}
          organizations={organizations}
          schedules={schedules}
          submitLabel={t('policies.form.save')}
          onCancel={modes.shown}
          onSave={async (changed) => {
            const any = !samePolicy(changed, policyInput(policy));
            if (any) await save(withPolicy(list, index, changed));
            modes.shown();
            // Renamed, the row is another: the focus is found again by its place.
            done(any ? t('policies.saved', { name: changed.name }) : t('policies.form.unchanged'), `${at(index)} [data-action="edit"]`);
          }}
        />
      ) : (
        <>
          <dl class="facts">
            <div class="facts-wide">
              <dt>{t('policies.fact.applies')}</dt>
              <dd class="policy-conditions">
                {conditionsSummary(policy.conditions, {
                  team: (team) => teamsById.get(team)?.name ?? (teams ? null : t('common.loading')),
                  organization: (organization) => organizationLabel(organization, organizations),
                })}
              </dd>
            </div>
            <div>
              <dt>{t('policies.fact.hours')}</dt>
              <dd class="policy-hours">{hoursName(policy.schedule_id ?? null, schedules)}</dd>
            </div>
            <div class="facts-wide">
              <dt>{t('policies.fact.targets')}</dt>
              <dd>
                <ul class="policy-targets">
                  {targetPriorities(policy).map((p) => {
                    const target = policy.targets[p]!;
                    // Under a schedule, business time; around the clock, the wall clock's.
                    const day = policy.schedule_id ? scheduleDay(policy.schedule_id, schedules) : undefined;
                    const duration = (minutes: number) => targetText(minutes, day);
                    const params = { priority: t(`priority.${p}`), response: duration(target.response_minutes), resolution: duration(target.resolution_minutes) };
                    return (
                      <li key={p}>
                        {target.next_response_minutes == null
                          ? t('policies.targets.line', params)
                          : t('policies.targets.line_next', { ...params, next: duration(target.next_response_minutes) })}
                      </li>
                    );
                  })}
                </ul>
              </dd>
            </div>
          </dl>
          <div class="policy-actions">
            <MoveButtons
              modes={modes}
              index={index}
              count={count}
              move={move}
              labels={{
                up: t('policies.move_up'),
                upNamed: t('policies.move_up_named', { name }),
                down: t('policies.move_down'),
                downNamed: t('policies.move_down_named', { name }),
              }}
            />
            <RowActions
              modes={modes}
              busy={submission.busy}
              onDelete={remove}
              labels={{
                edit: t('policies.edit'),
                editNamed: t('policies.edit_named', { name }),
                delete: t('policies.delete'),
                deleteNamed: t('policies.delete_named', { name }),
                confirm: t('policies.delete_confirm', { name }),
                yes: t('policies.delete_yes', { name }),
                cancel: t('policies.form.cancel'),
              }}
            />
          </div>
        </>
      )}
      {refused.length ? (
        <div class="alert alert--error" role="alert">
          <p>{t('policies.refused', { names: quotedNames(refused) })}</p>
        </div>
      ) : (
        <ErrorAlert error={submission.error} />
      )}
    </li>
  );
}
