/**
 * The header's switch saying whether one takes tickets now (everyone on the staff): routing
 * gives a team's tickets only to members who are available, and becoming available hands one
 * the tickets waiting in one's teams. Anyone may still assign an unavailable colleague by hand.
 * It starts from `GET /v1/me` and shows what the server answered.
 */

import { useEffect, useId, useState } from 'preact/hooks';
import { setAvailability } from '../data/teams';
import { describeProblem } from '../errors/describe';
import { t } from '../i18n';
import { useMember } from '../tenant/member';
import { useSubmit } from '../ui/hooks';

export function AvailabilitySwitch() {
  const { member } = useMember();
  // A profile from before availability existed takes tickets, as it always did.
  const [available, setAvailable] = useState(member.available !== false);
  useEffect(() => setAvailable(member.available !== false), [member.available]);
  const submission = useSubmit();
  const id = useId();
  const toggle = () =>
    void submission.run(async () => {
      const answer = await setAvailability(!available);
      setAvailable(answer.available);
    });
  return (
    <div class="availability">
      {/* Named by what it shows ("Available", "Unavailable"); on or off as `aria-checked` says. */}
      <button
        type="button"
        role="switch"
        aria-checked={available}
        aria-describedby={`${id}-hint`}
        class={available ? 'availability-switch availability-switch--on' : 'availability-switch'}
        title={t('teams.availability.hint')}
        onClick={toggle}
      >
        <span class="switch-track" aria-hidden="true">
          <span class="switch-thumb" />
        </span>
        <span class="availability-text">{available ? t('teams.availability.on') : t('teams.availability.off')}</span>
      </button>
      <span id={`${id}-hint`} class="visually-hidden">
        {t('teams.availability.hint')}
      </span>
      {submission.error ? (
        <p class="availability-error" role="alert">
          {t('teams.availability.failed', { reason: describeProblem(submission.error) })}
        </p>
      ) : null}
    </div>
  );
}
