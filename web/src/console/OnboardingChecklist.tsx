/**
 * The onboarding checklist on the console's home, for owners and admins: the four steps of a new
 * organisation, each done or to do and with the way to do it (the portal's address to copy and
 * say shared), until every step is done or it is dismissed. Agents see nothing and ask nothing.
 */

import { useId, useRef, useState } from 'preact/hooks';
import { changeOnboarding, getOnboarding, type OnboardingChange, type OnboardingStep } from '../data/onboarding';
import { useResource } from '../data/resource';
import { t, tn, type MessageKey } from '../i18n';
import { Link } from '../router/router';
import { useMember } from '../tenant/member';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import { STEPS, STEP_PAGE, portalAddress, showsChecklist, stepsLeft } from './onboarding';
import { isAdmin } from './roles';

const STEP_NAME: Record<OnboardingStep, MessageKey> = {
  invite_agents: 'onboarding.step.invite_agents',
  connect_mail: 'onboarding.step.connect_mail',
  share_portal: 'onboarding.step.share_portal',
  publish_article: 'onboarding.step.publish_article',
};

const STEP_HINT: Record<OnboardingStep, MessageKey> = {
  invite_agents: 'onboarding.step.invite_agents_hint',
  connect_mail: 'onboarding.step.connect_mail_hint',
  share_portal: 'onboarding.step.share_portal_hint',
  publish_article: 'onboarding.step.publish_article_hint',
};

export function OnboardingChecklist() {
  const { member } = useMember();
  return isAdmin(member.role) ? <Checklist /> : null;
}

/** Nothing while it loads or if it cannot be read: the queue below is the page. */
function Checklist() {
  const { slug } = useMember();
  const onboarding = useResource(`onboarding:${slug}`, getOnboarding);
  const change = useSubmit();
  const [note, setNote] = useState<MessageKey | null>(null);
  const copyButton = useRef<HTMLButtonElement>(null);
  const headingId = useId();
  const addressId = useId();
  const address = portalAddress(window.location.origin);

  const send = (patch: OnboardingChange) =>
    void change.run(async () => {
      const next = await changeOnboarding(patch);
      if (showsChecklist(next)) {
        // "I shared it" is gone once the step is done; focus stays beside the address.
        copyButton.current?.focus();
        setNote('onboarding.shared_done');
      } else {
        // The checklist goes: focus moves to the page's heading below it.
        document.querySelector<HTMLElement>('#main h1')?.focus();
      }
      onboarding.setData(() => next);
    });

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(address);
      setNote('onboarding.copied');
    } catch {
      // Without clipboard access the address is selected, for the user to copy themselves.
      (document.getElementById(addressId) as HTMLInputElement | null)?.select();
      setNote('onboarding.copy_failed');
    }
  };

  const data = onboarding.data;
  if (!data || !showsChecklist(data)) return null;
  return (
    <section class="panel panel--accent onboarding" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('onboarding.title')}</h2>
      <p class="hint">{tn('onboarding.progress', STEPS.length - stepsLeft(data).length, { total: STEPS.length })}</p>
      <ol class="onboarding-steps">
        {STEPS.map((step) => (
          <li key={step} class="onboarding-step">
            <StepState done={data.steps[step]} />
            <div class="onboarding-step-body">
              {step === 'share_portal' ? (
                <>
                  <span class="onboarding-step-name">{t(STEP_NAME[step])}</span>
                  <p class="hint">{t(STEP_HINT[step])}</p>
                  <label for={addressId}>{t('onboarding.portal_address')}</label>
                  <div class="onboarding-address">
                    <input id={addressId} type="text" readOnly value={address} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
                    <button ref={copyButton} type="button" class="button button--secondary button--small" onClick={() => void copy()}>
                      {t('onboarding.copy')}
                    </button>
                    {data.steps.share_portal ? null : (
                      <button type="button" class="button button--secondary button--small" disabled={change.busy} onClick={() => send({ share_portal: true })}>
                        {t('onboarding.shared')}
                      </button>
                    )}
                  </div>
                </>
              ) : (
                <>
                  <Link href={STEP_PAGE[step]} class="onboarding-step-name">
                    {t(STEP_NAME[step])}
                  </Link>
                  <p class="hint">{t(STEP_HINT[step])}</p>
                </>
              )}
            </div>
          </li>
        ))}
      </ol>
      <p class="hint onboarding-note" role="status">
        {note ? t(note) : ''}
      </p>
      <ErrorAlert error={change.error} />
      <button type="button" class="button button--secondary" disabled={change.busy} onClick={() => send({ dismissed: true })}>
        {t('onboarding.dismiss')}
      </button>
    </section>
  );
}

/** Done or to do, in words (the mark beside them is decoration). */
function StepState({ done }: { done: boolean }) {
  return done ? (
    <span class="badge badge--ok onboarding-state">
      <span aria-hidden="true">✓ </span>
      {t('onboarding.done')}
    </span>
  ) : (
    <span class="badge onboarding-state">{t('onboarding.to_do')}</span>
  );
}
