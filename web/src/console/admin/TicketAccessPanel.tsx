//! Which tickets agents see and work (`agent_ticket_access`): every ticket (the default), their
//! teams' and the queue of no team, or only their own. Owners and admins always see everything;
//! the change holds from the agents' next page.

import { useId, useState } from 'preact/hooks';
import { getTicketSettings, setAgentTicketAccess, type AgentTicketAccess } from '../../data/organisation';
import { useResource } from '../../data/resource';
import { t, type MessageKey } from '../../i18n';
import { useMember } from '../../tenant/member';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';

const CHOICES: { value: AgentTicketAccess; label: MessageKey; hint: MessageKey }[] = [
  { value: 'all', label: 'console.access.all', hint: 'console.access.all_hint' },
  { value: 'teams', label: 'console.access.teams', hint: 'console.access.teams_hint' },
  { value: 'assigned', label: 'console.access.assigned', hint: 'console.access.assigned_hint' },
];

export function TicketAccessPanel() {
  const { slug } = useMember();
  const loaded = useResource(`ticket-settings:${slug}`, (signal) => getTicketSettings(signal));
  const id = useId();
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{t('console.access.title')}</h2>
      <Loaded resource={loaded}>{(settings) => <AccessForm current={settings.agent_ticket_access ?? 'all'} onSaved={loaded.reload} />}</Loaded>
    </section>
  );
}

function AccessForm({ current, onSaved }: { current: AgentTicketAccess; onSaved: () => void }) {
  const [wanted, setWanted] = useState<AgentTicketAccess>(current);
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
          await setAgentTicketAccess(wanted);
          setSaved(true);
          onSaved();
        });
      }}
    >
      <fieldset class="checks team-modes">
        <legend>{t('console.access.legend')}</legend>
        {CHOICES.map((choice) => (
          <div class="team-mode" key={choice.value}>
            <input
              id={`${id}-${choice.value}`}
              type="radio"
              name="agent_ticket_access"
              value={choice.value}
              checked={wanted === choice.value}
              aria-describedby={`${id}-${choice.value}-hint`}
              onChange={() => {
                setWanted(choice.value);
                setSaved(false);
              }}
            />
            <label for={`${id}-${choice.value}`}>{t(choice.label)}</label>
            <p class="field-hint" id={`${id}-${choice.value}-hint`}>
              {t(choice.hint)}
            </p>
          </div>
        ))}
      </fieldset>
      <p class="hint">{t('console.access.admins')}</p>
      <ErrorAlert error={submission.error} />
      {saved ? <Notice tone="success">{t('console.settings.saved')}</Notice> : null}
      <button type="submit" class="button" disabled={submission.busy || wanted === current}>
        {t('console.access.submit')}
      </button>
    </form>
  );
}
