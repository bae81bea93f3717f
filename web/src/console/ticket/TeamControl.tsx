/**
 * The ticket's team, which anyone on the staff may change: the team's queue is where the ticket
 * waits, and a team that hands its tickets out may give it to an available member at once (the
 * server's answer says so, and the page reads the ticket again: assignee and status with it). A
 * ticket given to someone else may leave an agent's sight; the page says so (`TicketPage`).
 */

import { useEffect, useId } from 'preact/hooks';
import type { TicketDetail, TicketStatus } from '../../api/schemas';
import { updateTicket } from '../../data/tickets';
import { t } from '../../i18n';
import { useMember } from '../../tenant/member';
import { useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { staffName, usePeople } from '../people';
import { ASSIGNMENT_LABEL, teamMove } from '../teams';
import { useTeams, useTeamsById } from '../useTeams';
import { Property } from './Property';

export function TeamControl({
  ticket,
  onChanged,
  onAnnounce,
}: {
  ticket: TicketDetail;
  onChanged: () => Promise<void>;
  onAnnounce: (text: string, status?: TicketStatus) => void;
}) {
  const { member } = useMember();
  const people = usePeople();
  const teams = useTeams();
  const byId = useTeamsById(teams.data);
  const current = ticket.team_id ?? '';
  const form = useFields({ team: current });
  const chosen = form.values.team;
  const submission = useSubmit();
  const id = useId();
  // A change made elsewhere (routing, a colleague) shows up, unless this person is choosing now.
  useEffect(() => form.setValues({ team: current }), [current]);
  const labelId = `${id}-title`;
  const team = current ? byId.get(current) : undefined;
  const name = (teamId: string) => byId.get(teamId)?.name ?? t('teams.ticket.unknown');

  const options = [{ value: '', label: t('teams.ticket.none') }, ...(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))];
  // A team deleted since, or not loaded yet, stays shown as the current one.
  if (current && !byId.has(current)) options.push({ value: current, label: t('teams.ticket.unknown') });

  const move = () =>
    void submission.run(async () => {
      try {
        const answer = await updateTicket(ticket.id, { team_id: chosen || null });
        const what = teamMove(ticket, answer, (teamId) => byId.get(teamId)?.assignment);
        if (what.kind === 'removed') onAnnounce(t('teams.ticket.removed'));
        else if (what.kind === 'assigned') {
          const known = what.to === member.id ? t('console.thread.you') : people.find(what.to)?.name;
          const to = known ?? (await staffName(what.to)) ?? t('console.someone');
          // Routing's assignment moved it on (to "In progress"): the sentence says it all.
          onAnnounce(t('teams.ticket.moved_assigned', { team: name(what.team), name: to }), answer.status !== ticket.status ? answer.status : undefined);
        } else if (what.kind === 'waiting') onAnnounce(t('teams.ticket.moved_waiting', { team: name(what.team) }));
        else onAnnounce(t('teams.ticket.moved', { team: name(what.team) }));
      } finally {
        await onChanged();
      }
    });

  return (
    <Property id={labelId} label={t('teams.ticket.title')}>
      {ticket.status === 'closed' ? (
        <p class="property-value">
          <strong>{current ? name(current) : t('teams.ticket.none')}</strong>
        </p>
      ) : (
        <form
          class="property-inline"
          onSubmit={(e) => {
            e.preventDefault();
            move();
          }}
        >
          <select id={id} name="team_id" value={chosen} aria-labelledby={labelId} onChange={(e) => form.set('team')(e.currentTarget.value)}>
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          <button type="submit" class="button button--secondary" disabled={submission.busy || chosen === current}>
            {t('teams.ticket.submit')}
          </button>
        </form>
      )}
      {team ? <p class="hint">{t('teams.ticket.mode', { mode: t(ASSIGNMENT_LABEL[team.assignment]) })}</p> : null}
      <ErrorAlert error={submission.error} />
    </Property>
  );
}
