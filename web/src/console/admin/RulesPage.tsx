/**
 * Settings > Rules (owners and admins): what the organisation wants done to its tickets by
 * itself. The ordered list (each rule's place, name, trigger in words, whether it is enabled, a
 * switch that turns it on or off, how many conditions and actions it has); a rule moved up or
 * down from the keyboard or dragged to its place (one change of its position each, focus
 * following it), changed in place, deleted after a confirmation in place, tried on a ticket
 * without changing it, and its log of runs; a rule added under the list.
 */

import { useId, useRef, useState } from 'preact/hooks';
import { listMacros } from '../../data/macros';
import { useResource } from '../../data/resource';
import { changeRule, createRule, listRules, removeRule, type Rule } from '../../data/rules';
import { t, tn } from '../../i18n';
import { useMember } from '../../tenant/member';
import { useFieldDefinitions } from '../../tickets/useFieldDefinitions';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { MoveButtons, RowActions, useRowModes } from '../../ui/RowActions';
import { ErrorAlert, Loaded, Loading, Notice } from '../../ui/status';
import { usePeople } from '../people';
import { moveFocus } from '../policies';
import { RULES_MAX, dropPosition, emptyRuleForm, placed, ruleChanges, ruleFormValues, sizeText, triggerText, type EffectNames, type RulePickers } from '../rules';
import { useOrganizationChoices } from '../useOrganizationChoices';
import { useTeams, useTeamsById } from '../useTeams';
import { RuleDryRun } from './RuleDryRun';
import { RuleForm } from './RuleForm';
import { RuleRuns } from './RuleRuns';

/** What every row needs. */
interface Context {
  list: Rule[];
  pickers: RulePickers;
  /** Whether the custom fields are known: a rule's values are read into its editor by them. */
  ready: boolean;
  names: EffectNames;
  /** Saves a rule's new position; the list shown is then in its new order. */
  move: (rule: Rule, position: number) => Promise<void>;
  /** A rule changed or deleted: the list as it now stands. */
  update: (list: Rule[]) => void;
  /** A change is done: what to announce, and where focus goes (a selector within the list). */
  done: (notice: string, focus: string | null) => void;
  /** The rule being dragged, by id. */
  dragged: { current: string | null };
}

/** The row of a rule, for focus selectors. */
const of = (rule: Pick<Rule, 'id'>) => `[data-rule="${rule.id}"]`;

export function RulesPage() {
  const { slug } = useMember();
  const rules = useResource(`rules:${slug}`, listRules);
  const definitions = useFieldDefinitions();
  const teams = useTeams();
  const teamsById = useTeamsById(teams.data);
  const macros = useResource(`macros:${slug}`, listMacros);
  const people = usePeople();
  const organizations = useOrganizationChoices();
  const [notice, setNotice] = useState('');
  const [adding, setAdding] = useState(false);
  const dropping = useSubmit();
  const dragged = useRef<string | null>(null);
  const { container, focusAfter } = useFocusAfterRender<HTMLElement>();
  const id = useId();

  const pickers: RulePickers = { definitions: definitions.data ?? [], teams: teams.data, staff: people.staff, macros: macros.data, organizations: organizations.data };
  const names: EffectNames = { team: (team) => teamsById.get(team)?.name, person: (person) => people.find(person)?.name, definitions: definitions.data ?? [] };
  const update = (list: Rule[]) => rules.setData(() => list);
  const done = (text: string, focus: string | null) => {
    setNotice(text);
    if (focus) focusAfter(focus);
  };
  const move = async (rule: Rule, position: number) => {
    const answer = await changeRule(rule.id, { position });
    rules.setData((list) => placed(list ?? [], answer));
  };
  const startAdding = () => {
    setNotice('');
    focusAfter('.rule-new input[name="name"]');
    setAdding(true);
  };
  const stopAdding = () => {
    focusAfter('[data-action="add-rule"]');
    setAdding(false);
  };

  return (
    <Page title={t('rules.title')}>
      <p class="lead">{t('rules.lead')}</p>
      <section class="panel" aria-labelledby={id} ref={container}>
        <h2 id={id}>{t('rules.list')}</h2>
        {notice ? <Notice tone="success">{notice}</Notice> : null}
        <Loaded resource={rules}>
          {(list) => {
            const context: Context = { list, pickers, ready: definitions.data !== undefined || Boolean(definitions.error), names, move, update, done, dragged };
            return (
              <>
                {list.length ? (
                  <>
                    <p class="list-count">{tn('rules.count', list.length)}</p>
                    {list.length > 1 ? <p class="hint">{t('rules.reorder_hint')}</p> : null}
                    <ol class="integration-list rule-list">
                      {list.map((rule, index) => (
                        <RuleRow
                          key={rule.id}
                          rule={rule}
                          index={index}
                          context={context}
                          onDrop={(from) => {
                            const position = dropPosition(from, index, list.length);
                            const moving = list[from];
                            if (position === null || !moving) return;
                            void dropping.run(async () => {
                              await move(moving, position);
                              done(t('rules.moved', { name: moving.name, position }), null);
                            });
                          }}
                        />
                      ))}
                    </ol>
                    <ErrorAlert error={dropping.error} />
                  </>
                ) : (
                  <p class="hint">{t('rules.empty')}</p>
                )}
                {adding ? (
                  <div class="rule-new">
                    <h3>{t('rules.new')}</h3>
                    <RuleForm
                      initial={emptyRuleForm()}
                      others={list.map((r) => r.name)}
                      pickers={pickers}
                      submitLabel={t('rules.form.create')}
                      onCancel={stopAdding}
                      onSave={async (request) => {
                        const made = await createRule(request);
                        update(placed(list, made));
                        stopAdding();
                        setNotice(t('rules.created', { name: made.name, position: made.position }));
                      }}
                    />
                  </div>
                ) : list.length >= RULES_MAX ? (
                  <p class="hint">{t('rules.form.limit')}</p>
                ) : (
                  <div class="actions">
                    <button type="button" class="button" data-action="add-rule" onClick={startAdding}>
                      {t('rules.add')}
                    </button>
                  </div>
                )}
              </>
            );
          }}
        </Loaded>
      </section>
    </Page>
  );
}

function RuleRow({ rule, index, context, onDrop }: { rule: Rule; index: number; context: Context; onDrop: (from: number) => void }) {
  const { list, pickers, ready, names, move, update, done, dragged } = context;
  const modes = useRowModes('input[name="name"]');
  const { focusAfter } = useFocusAfterRender(modes.row);
  const submission = useSubmit();
  const [panel, setPanel] = useState<'try' | 'runs' | null>(null);
  const [over, setOver] = useState(false);
  const id = useId();
  const name = rule.name;
  const count = list.length;
  // Editing begun before the fields were known: the editor takes the focus once it is drawn.
  const wasReady = useRef(ready);
  if (ready && !wasReady.current && modes.editing) focusAfter('input[name="name"]');
  wasReady.current = ready;

  const moveBy = (by: -1 | 1) =>
    void submission.run(async () => {
      const position = index + 1 + by;
      await move(rule, position);
      done(t('rules.moved', { name, position }), `${of(rule)} [data-action="${moveFocus(position - 1, count, by)}"]`);
    });
  const toggle = () =>
    void submission.run(async () => {
      const answer = await changeRule(rule.id, { enabled: !rule.enabled });
      update(list.map((r) => (r.id === answer.id ? answer : r)));
      done(t(answer.enabled ? 'rules.enabled_now' : 'rules.disabled_now', { name }), null);
    });
  const remove = () =>
    void submission.run(async () => {
      await removeRule(rule.id);
      modes.deleted();
      const rest = list.filter((r) => r.id !== rule.id).map((r, i) => ({ ...r, position: i + 1 }));
      // The row that takes its place, else the one before, else the button that adds one.
      const next = rest[Math.min(index, rest.length - 1)];
      update(rest);
      done(t('rules.deleted', { name }), next ? `${of(next)} [data-action="edit"]` : '[data-action="add-rule"]');
    });
  const open = (which: 'try' | 'runs') => {
    if (which === 'try' && panel !== 'try') focusAfter('input[name="ticket_number"]');
    setPanel((shown) => (shown === which ? null : which));
  };

  return (
    <li
      class={over ? 'integration rule rule--over' : 'integration rule'}
      aria-labelledby={id}
      ref={modes.row}
      data-rule={rule.id}
      onDragOver={(event) => {
        if (dragged.current === null || dragged.current === rule.id) return;
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        const from = list.findIndex((r) => r.id === dragged.current);
        dragged.current = null;
        if (from >= 0) onDrop(from);
      }}
    >
      <div class="integration-head">
        {count > 1 && !modes.editing ? (
          // Dragging is for the pointer; the Move up and Move down buttons do the same from the keyboard.
          <span
            class="rule-grip"
            draggable
            aria-hidden="true"
            title={t('rules.drag')}
            onDragStart={(event) => {
              dragged.current = rule.id;
              event.dataTransfer?.setData('text/plain', rule.id);
              if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
            }}
            onDragEnd={() => {
              dragged.current = null;
            }}
          >
            ⠿
          </span>
        ) : null}
        <span class="policy-position" aria-hidden="true">
          {index + 1}.
        </span>
        <strong id={id}>{name}</strong>
        {rule.enabled ? null : <span class="badge badge--warn">{t('rules.disabled')}</span>}
      </div>
      {modes.editing && !ready ? (
        <Loading />
      ) : modes.editing ? (
        <RuleForm
          initial={ruleFormValues(rule, pickers.definitions)}
          others={list.filter((r) => r.id !== rule.id).map((r) => r.name)}
          pickers={pickers}
          submitLabel={t('rules.form.save')}
          onCancel={modes.shown}
          onSave={async (request) => {
            const changes = ruleChanges(rule, request);
            const any = Object.keys(changes).length > 0;
            const saved = any ? await changeRule(rule.id, changes) : rule;
            if (any) update(list.map((r) => (r.id === saved.id ? saved : r)));
            modes.shown();
            done(any ? t('rules.saved', { name: saved.name }) : t('rules.form.unchanged'), null);
          }}
        />
      ) : (
        <>
          <dl class="facts">
            <div class="facts-wide">
              <dt>{t('rules.fact.when')}</dt>
              <dd class="rule-trigger">{triggerText(rule.trigger)}</dd>
            </div>
            <div>
              <dt>{t('rules.fact.size')}</dt>
              <dd class="rule-size">{sizeText(rule)}</dd>
            </div>
          </dl>
          <div class="policy-actions">
            <button
              type="button"
              role="switch"
              aria-checked={rule.enabled}
              aria-label={t('rules.enabled_named', { name })}
              class={rule.enabled ? 'availability-switch availability-switch--on' : 'availability-switch'}
              onClick={toggle}
            >
              <span class="switch-track" aria-hidden="true">
                <span class="switch-thumb" />
              </span>
              <span>{t('rules.enabled')}</span>
            </button>
            <MoveButtons
              modes={modes}
              index={index}
              count={count}
              move={moveBy}
              labels={{
                up: t('rules.move_up'),
                upNamed: t('rules.move_up_named', { name }),
                down: t('rules.move_down'),
                downNamed: t('rules.move_down_named', { name }),
              }}
            />
            <RowActions
              modes={modes}
              busy={submission.busy}
              onDelete={remove}
              labels={{
                edit: t('rules.edit'),
                editNamed: t('rules.edit_named', { name }),
                delete: t('rules.delete'),
                deleteNamed: t('rules.delete_named', { name }),
                confirm: t('rules.delete_confirm', { name }),
                yes: t('rules.delete_yes', { name }),
                cancel: t('rules.form.cancel'),
              }}
            />
          </div>
          <div class="actions">
            <button
              type="button"
              class="button button--secondary button--small"
              aria-expanded={panel === 'try'}
              aria-controls={`${id}-try`}
              aria-label={t('rules.try.open_named', { name })}
              onClick={() => open('try')}
            >
              {t('rules.try.open')}
            </button>
            <button
              type="button"
              class="button button--secondary button--small"
              aria-expanded={panel === 'runs'}
              aria-controls={`${id}-runs`}
              aria-label={t('rules.runs.open_named', { name })}
              onClick={() => open('runs')}
            >
              {t('rules.runs.open')}
            </button>
          </div>
          <div id={`${id}-try`} hidden={panel !== 'try'}>
            {panel === 'try' ? <RuleDryRun rule={rule} names={names} /> : null}
          </div>
          <div id={`${id}-runs`} hidden={panel !== 'runs'}>
            {panel === 'runs' ? <RuleRuns rule={rule} names={names} /> : null}
          </div>
        </>
      )}
      <ErrorAlert error={submission.error} />
    </li>
  );
}
