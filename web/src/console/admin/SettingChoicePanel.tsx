/**
 * One of the organisation's ticket settings (`/v1/ticket-settings`) chosen among a few values,
 * each with a line saying what it does: a panel of radio buttons and a save button, enabled once
 * the choice differs from what is saved.
 */

import { useId, useState } from 'preact/hooks';
import { getTicketSettings, type TicketSettings } from '../../data/organisation';
import { shared } from '../../data/shared';
import { useResource } from '../../data/resource';
import { t, type MessageKey } from '../../i18n';
import { useMember } from '../../tenant/member';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import { Panel } from '../../ui/Panel';
import { ChoiceRow, FieldGroup } from '../../ui/Field';

export interface Choice<T extends string> {
  value: T;
  label: MessageKey;
  hint: MessageKey;
}

export interface SettingChoice<T extends string> {
  /** The setting's name in the form (its field in the API). */
  name: string;
  title: MessageKey;
  legend: MessageKey;
  /** Said under the choices. */
  note: MessageKey;
  submit: MessageKey;
  choices: Choice<T>[];
  /** The value saved now. */
  current: (settings: TicketSettings) => T;
  save: (value: T) => Promise<unknown>;
}

export function SettingChoicePanel<T extends string>({ setting }: { setting: SettingChoice<T> }) {
  const { slug } = useMember();
  // A page's choice panels open together: one request for all of them.
  const loaded = useResource(`ticket-settings:${slug}`, () => shared(`ticket-settings:${slug}`, () => getTicketSettings()));
  return (
    <Panel title={t(setting.title)}>
      <Loaded resource={loaded}>{(settings) => <ChoiceForm setting={setting} current={setting.current(settings)} onSaved={loaded.reload} />}</Loaded>
    </Panel>
  );
}

function ChoiceForm<T extends string>({ setting, current, onSaved }: { setting: SettingChoice<T>; current: T; onSaved: () => void }) {
  const [wanted, setWanted] = useState<T>(current);
  const [saved, setSaved] = useState(false);
  const submission = useSubmit();
  const id = useId();
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        void submission.run(async () => {
          await setting.save(wanted);
          setSaved(true);
          onSaved();
        });
      }}
    >
      <FieldGroup id={id} class="checks team-modes" legend={t(setting.legend)}>
        {setting.choices.map((choice) => (
          <ChoiceRow
            key={choice.value}
            id={`${id}-${choice.value}`}
            class="team-mode"
            type="radio"
            name={setting.name}
            value={choice.value}
            label={t(choice.label)}
            hint={t(choice.hint)}
            checked={wanted === choice.value}
            onChange={() => {
              setWanted(choice.value);
              setSaved(false);
            }}
          />
        ))}
      </FieldGroup>
      <p class="hint">{t(setting.note)}</p>
      <ErrorAlert error={submission.error} />
      {saved ? <Notice tone="success">{t('console.settings.saved')}</Notice> : null}
      <button type="submit" class="button" disabled={submission.busy || wanted === current}>
        {t(setting.submit)}
      </button>
    </form>
  );
}
