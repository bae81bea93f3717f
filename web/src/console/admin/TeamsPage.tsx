/**
 * The organisation's teams (owners and admins): a form to add one, and the list (each team's way
 * of handing tickets out, its cap, its members and who of them is available), each team changed
 * in place or deleted after a confirmation in place. Tickets are moved into a team from their
 * page (`../ticket/TeamControl.tsx`); the team queues are in the sidebar.
 */

import { useId } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { changeTeam, createTeam, removeTeam, teamsChanged, type Team } from '../../data/teams';
import { t, tn } from '../../i18n';
import { useSubmit } from '../../ui/hooks';
import { RowActions, useRowModes } from '../../ui/RowActions';
import { Page } from '../../ui/Page';
import { ErrorAlert } from '../../ui/status';
import { usePeople } from '../people';
import { ASSIGNMENT_HINT, ASSIGNMENT_LABEL, EMPTY_TEAM, teamChange, teamFormValues } from '../teams';
import { useTeams } from '../useTeams';
import { TeamForm } from './TeamForm';
import { Panel } from '../../ui/Panel';
import { ListPanel, useCreations } from '../../ui/ListPanel';

export function TeamsPage() {
  const teams = useTeams();
  const { notice, setNotice, round, created } = useCreations();
  return (
    <Page title={t('teams.title')}>
      <p class="lead">{t('teams.lead')}</p>
      <Panel title={t('teams.new')}>
        <TeamForm
          key={round}
          initial={EMPTY_TEAM}
          submitLabel={t('teams.form.create')}
          onSave={async (request) => {
            const made = await createTeam(request);
            created(t('teams.created', { name: made.name }));
            // The list here, the sidebar's team queues and every other view read them again.
            teamsChanged();
          }}
        />
      </Panel>
      <ListPanel title={t('teams.list')} notice={notice} resource={teams} empty={t('teams.empty')} count={(n) => tn('teams.count', n)}>
        {(list) =>
          list.map((team) => (
            <TeamRow
              key={team.id}
              team={team}
              onChanged={(text) => {
                setNotice(text);
                teamsChanged();
              }}
            />
          ))
        }
      </ListPanel>
    </Page>
  );
}

function TeamRow({ team, onChanged }: { team: Team; onChanged: (notice: string) => void }) {
  const modes = useRowModes('input[name="name"]');
  const submission = useSubmit();
  const people = usePeople();
  const id = useId();
  const members = team.member_ids.map((member) => people.find(member) ?? { id: member, name: t('console.someone'), available: undefined });
  const available = members.filter((m) => m.available !== false).length;
  const remove = () =>
    void submission.run(async () => {
      try {
        await removeTeam(team.id);
      } catch (error) {
        // The question is answered: the row goes back to its buttons, the refusal said below.
        if (error instanceof ApiProblem && error.code === 'team_in_use') modes.keep();
        throw error;
      }
      modes.deleted();
      onChanged(t('teams.deleted', { name: team.name }));
    });
  return (
    <li class="integration team" aria-labelledby={id} ref={modes.row}>
      <div class="integration-head">
        <strong id={id}>{team.name}</strong>
        <span class={team.assignment === 'manual' ? 'badge' : 'badge badge--ok'}>{t(ASSIGNMENT_LABEL[team.assignment])}</span>
      </div>
      {modes.editing ? (
        <TeamForm
          initial={teamFormValues(team)}
          submitLabel={t('teams.form.save')}
          onCancel={modes.shown}
          onSave={async (request) => {
            const change = teamChange(team, request);
            const saved = Object.keys(change).length ? await changeTeam(team.id, change) : team;
            modes.shown();
            onChanged(Object.keys(change).length ? t('teams.saved', { name: saved.name }) : t('teams.form.unchanged'));
          }}
        />
      ) : (
        <>
          {team.description ? <p class="integration-description">{team.description}</p> : null}
          <dl class="facts">
            <div>
              <dt>{t('teams.fact.assignment')}</dt>
              <dd>
                {t(ASSIGNMENT_LABEL[team.assignment])}
                <span class="fact-detail">{t(ASSIGNMENT_HINT[team.assignment])}</span>
              </dd>
            </div>
            <div>
              <dt>{t('teams.fact.cap')}</dt>
              <dd>{team.max_open_per_agent == null ? t('teams.cap.none') : t('teams.cap.at_most', { count: team.max_open_per_agent })}</dd>
            </div>
            <div>
              <dt>{t('teams.fact.members')}</dt>
              <dd>
                {tn('teams.members.count', members.length)}
                {members.length ? <span class="fact-detail">{tn('teams.members.available', available)}</span> : null}
              </dd>
            </div>
          </dl>
          {members.length ? (
            <ul class="chips team-members" aria-label={t('teams.members.list', { name: team.name })}>
              {members.map((m) => (
                <li key={m.id} class={m.available === false ? 'badge badge--warn' : 'badge'}>
                  {m.name}
                  {m.available === false ? ` (${t('teams.members.unavailable')})` : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="hint">{t('teams.members.none')}</p>
          )}
          <RowActions
            modes={modes}
            busy={submission.busy}
            onDelete={remove}
            labels={{
              edit: t('teams.edit'),
              editNamed: t('teams.edit_named', { name: team.name }),
              delete: t('teams.delete'),
              deleteNamed: t('teams.delete_named', { name: team.name }),
              confirm: t('teams.delete_confirm', { name: team.name }),
              yes: t('teams.delete_yes', { name: team.name }),
              cancel: t('teams.form.cancel'),
            }}
          />
        </>
      )}
      <ErrorAlert error={submission.error} />
    </li>
  );
}
