/**
 * Single sign-on (owners only): the organisation's OpenID Provider. The two addresses to
 * register at the provider (read-only, to copy), the settings as set with a test sign-in and
 * their removal, the form that sets or changes them (the server reads the provider's discovery
 * document before it saves, and its refusals are shown beside their fields), and, back from a
 * test sign-in (`#trial=...`), what the provider sent and how it mapped.
 */

import { useId, useState } from 'preact/hooks';
import { SSO_ERRORS, takeFragmentValue } from '../../auth/sso';
import { useResource } from '../../data/resource';
import { getSsoSettings, removeSsoSettings, ssoStartAddress, type SsoSettings } from '../../data/sso';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { useMember } from '../../tenant/member';
import { useCopy, useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { FormRow } from '../../ui/Field';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import { decodeTrialReport, type TrialReport } from './sso';
import { SsoForm } from './SsoForm';
import { Panel } from '../../ui/Panel';

type PageNotice = 'saved' | 'removed';
const NOTICE: Record<PageNotice, MessageKey> = { saved: 'sso.saved', removed: 'sso.removed' };

const ROLE_NAME: Record<TrialReport['role'], MessageKey> = {
  admin: 'console.team.role_admin',
  agent: 'console.team.role_agent',
  customer: 'console.team.role_customer',
};

export function SsoPage() {
  const { slug } = useMember();
  const settings = useResource(`sso:${slug}`, (signal) => getSsoSettings(slug, signal));
  // Read once, as the page opens: the fragment is then taken out of the address.
  const [trial] = useState(() => {
    const encoded = takeFragmentValue('trial');
    return encoded === null ? null : { report: decodeTrialReport(encoded) };
  });
  const [notice, setNotice] = useState<PageNotice | null>(null);
  return (
    <Page title={t('sso.title')}>
      <p class="lead">{t('sso.lead')}</p>
      {trial ? <TrialPanel report={trial.report} /> : null}
      <Loaded resource={settings}>
        {(held) => (
          <>
            {notice ? <Notice tone="success">{t(NOTICE[notice])}</Notice> : null}
            <Addresses settings={held} />
            {held ? (
              <SsoStatus
                slug={slug}
                settings={held}
                onRemoved={() => {
                  setNotice('removed');
                  settings.setData(() => null);
                }}
              />
            ) : null}
            {/* A save gives the settings a new `updated_at`: the form starts again from them. */}
            <SsoForm
              key={held?.updated_at ?? 'none'}
              slug={slug}
              settings={held}
              onSaved={(saved) => {
                setNotice('saved');
                settings.setData(() => saved);
              }}
              onEdit={() => setNotice(null)}
            />
          </>
        )}
      </Loaded>
    </Page>
  );
}

/** The redirect URI and the back-channel logout URI, as the server gives them once set; before
 * that, this host's (which is where the server's point). */
function Addresses({ settings }: { settings: SsoSettings | null }) {
  const origin = window.location.origin;
  const redirect = settings?.redirect_uri ?? `${origin}/v1/auth/sso/callback`;
  const logout = settings?.backchannel_logout_uri ?? `${origin}/v1/auth/sso/backchannel-logout`;
  return (
    <Panel title={t('sso.addresses.title')}>
      <p>{t('sso.addresses.lead')}</p>
      <CopyableAddress label={t('sso.addresses.redirect')} hint={t('sso.addresses.redirect_hint')} name="redirect_uri" value={redirect} />
      <CopyableAddress label={t('sso.addresses.logout')} hint={t('sso.addresses.logout_hint')} name="backchannel_logout_uri" value={logout} />
    </Panel>
  );
}

/** A read-only address: selected whole when focused, with a button that copies it. */
function CopyableAddress({ label, hint, name, value }: { label: string; hint: string; name: string; value: string }) {
  const { copied, copy } = useCopy();
  return (
    <FormRow class="sso-address" label={label} hint={hint}>
      {(control) => (
        <>
          <div class="sso-address-row">
            <input {...control} name={name} type="text" readOnly value={value} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="button button--secondary button--small" onClick={() => void copy(value)}>
              {t('sso.addresses.copy', { what: label })}
            </button>
          </div>
          <p class="hint" role="status">
            {copied === 'yes' ? t('sso.addresses.copied') : copied === 'no' ? t('sso.addresses.copy_failed') : ''}
          </p>
        </>
      )}
    </FormRow>
  );
}

/** The settings as set: whom they let in, the test sign-in, and removing them after a
 * confirmation in place. */
function SsoStatus({ slug, settings, onRemoved }: { slug: string; settings: SsoSettings; onRemoved: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const removal = useSubmit();
  const id = useId();
  const remove = () =>
    void removal.run(async () => {
      await removeSsoSettings(slug);
      setConfirming(false);
      onRemoved();
    });
  const mapped = Object.entries(settings.role_map);
  return (
    <Panel title={t('sso.current.title')} id={id}>
      <dl class="facts sso-facts">
        <div class="facts-wide">
          <dt>{t('sso.form.issuer')}</dt>
          <dd>
            <code class="integration-url">{settings.issuer}</code>
          </dd>
        </div>
        <div>
          <dt>{t('sso.form.client_id')}</dt>
          <dd>
            <code>{settings.client_id}</code>
          </dd>
        </div>
        <div>
          <dt>{t('sso.current.domains')}</dt>
          <dd>{settings.allowed_domains.length ? settings.allowed_domains.join(', ') : t('sso.current.any_domain')}</dd>
        </div>
        <div>
          <dt>{t('sso.current.roles')}</dt>
          <dd>
            {settings.role_claim && mapped.length
              ? mapped.map(([value, role]) => t('sso.current.role_rule', { claim: settings.role_claim ?? '', value, role: t(ROLE_NAME[role]) })).join('; ')
              : t('sso.current.no_role_rule')}
          </dd>
        </div>
        <div>
          <dt>{t('sso.form.default_role')}</dt>
          <dd>{t(ROLE_NAME[settings.default_role])}</dd>
        </div>
        <div>
          <dt>{t('sso.current.newcomers')}</dt>
          <dd>{t(settings.auto_create ? 'sso.current.newcomers_join' : 'sso.current.newcomers_refused')}</dd>
        </div>
        <div>
          <dt>{t('sso.current.staff')}</dt>
          <dd>{t(settings.required_for_staff ? 'sso.current.staff_required' : 'sso.current.staff_optional')}</dd>
        </div>
        <div>
          <dt>{t('sso.current.updated_at')}</dt>
          <dd>
            <time dateTime={settings.updated_at}>{formatDateTime(settings.updated_at)}</time>
          </dd>
        </div>
      </dl>
      <p class="hint" id={`${id}-trial-hint`}>
        {t('sso.trial.hint')}
      </p>
      <div class="actions">
        {/* A navigation, not a call: the provider's own pages come on the way. */}
        <a class="button" href={ssoStartAddress(slug, true)} aria-describedby={`${id}-trial-hint`}>
          {t('sso.trial.start')}
        </a>
        {confirming ? (
          <div class="actions confirm">
            <span>{t('sso.remove_confirm')}</span>
            <button type="button" class="button button--danger" disabled={removal.busy} onClick={remove}>
              {t('sso.remove_yes')}
            </button>
            <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>
              {t('sso.cancel')}
            </button>
          </div>
        ) : (
          <button type="button" class="button button--secondary" onClick={() => setConfirming(true)}>
            {t('sso.remove')}
          </button>
        )}
      </div>
      <ErrorAlert error={removal.error} />
    </Panel>
  );
}

/** What the provider sent for the test sign-in and how it mapped, in a table. */
function TrialPanel({ report }: { report: TrialReport | null }) {
  if (!report) {
    return (
      <div class="alert alert--error" role="alert">
        <p>{t('sso.trial.unreadable')}</p>
      </div>
    );
  }
  const yesNo = (value: boolean | null) => (value === null ? t('sso.trial.not_sent') : t(value ? 'sso.trial.yes' : 'sso.trial.no'));
  const none = t('sso.trial.not_sent');
  const refusal = report.refused === null ? null : Object.hasOwn(SSO_ERRORS, report.refused) ? t(SSO_ERRORS[report.refused as keyof typeof SSO_ERRORS]) : report.refused;
  return (
    <Panel class="sso-trial" title={t('sso.trial.title')}>
      {refusal === null ? (
        <Notice tone="success">{t('sso.trial.admitted', { role: t(ROLE_NAME[report.role]) })}</Notice>
      ) : (
        <div class="alert alert--error" role="alert">
          <p>{t('sso.trial.refused', { reason: refusal })}</p>
        </div>
      )}
      <div class="table-wrap">
        <table class="sso-trial-table">
          <caption>{t('sso.trial.caption')}</caption>
          <tbody>
            <tr>
              <th scope="row">{t('sso.trial.subject')}</th>
              <td>
                <code>{report.subject}</code>
              </td>
            </tr>
            <tr>
              <th scope="row">{t('sso.trial.email')}</th>
              <td>{report.email ?? none}</td>
            </tr>
            <tr>
              <th scope="row">{t('sso.trial.email_verified')}</th>
              <td>{yesNo(report.email_verified)}</td>
            </tr>
            <tr>
              <th scope="row">{t('sso.trial.name')}</th>
              <td>{report.name ?? none}</td>
            </tr>
            <tr>
              <th scope="row">{t('sso.trial.amr')}</th>
              <td>{report.amr.length ? report.amr.join(', ') : none}</td>
            </tr>
            <tr>
              <th scope="row">{t('sso.trial.role_claim_values')}</th>
              <td>{report.role_claim_values.length ? report.role_claim_values.join(', ') : none}</td>
            </tr>
            <tr>
              <th scope="row">{t('sso.trial.role')}</th>
              <td>{t(ROLE_NAME[report.role])}</td>
            </tr>
            <tr>
              <th scope="row">{t('sso.trial.outcome')}</th>
              <td>{refusal === null ? t('sso.trial.outcome_admitted') : refusal}</td>
            </tr>
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
