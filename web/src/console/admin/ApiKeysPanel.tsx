/**
 * The organisation's API keys: creating one (its whole value shown once, with a copy button),
 * the list (prefix, permissions, dates, standing) and revoking one after a confirmation in place.
 */

import { useId, useState } from 'preact/hooks';
import { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey, type ApiKey, type ApiKeyScope, type CreatedApiKey } from '../../data/integrations';
import { useResource } from '../../data/resource';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { useMember } from '../../tenant/member';
import { CheckboxGroup, TextField } from '../../ui/Field';
import { serverFieldErrors, translated, useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { IntegrationPanel } from './IntegrationPanel';
import { useNow } from '../useNow';
import { OnceSecret } from './OnceSecret';
import { checkKeyForm, keyState, today, toggled, type KeyField, type KeyState } from './integrations';

export const SCOPE_LABEL: Record<ApiKeyScope, MessageKey> = {
  'tickets:read': 'integrations.scope.tickets_read',
  'tickets:write': 'integrations.scope.tickets_write',
  'inbound:email': 'integrations.scope.inbound_email',
};

const STATE_LABEL: Record<KeyState, MessageKey> = {
  active: 'integrations.key.state_active',
  expired: 'integrations.key.state_expired',
  revoked: 'integrations.key.state_revoked',
};

const STATE_BADGE: Record<KeyState, string> = { active: 'badge badge--ok', expired: 'badge badge--warn', revoked: 'badge badge--bad' };

export function ApiKeysPanel() {
  const { slug } = useMember();
  const keys = useResource(`api-keys:${slug}`, listApiKeys);
  return (
    <IntegrationPanel
      title={t('integrations.keys.title')}
      lead={t('integrations.keys.lead')}
      listTitle={t('integrations.keys.list')}
      emptyTitle={t('integrations.keys.empty')}
      items={keys}
      form={(onCreated: (key: CreatedApiKey) => void) => <KeyForm onCreated={onCreated} />}
      secret={(created, done) => (
        <OnceSecret title={t('integrations.key.created', { name: created.name })} label={t('integrations.key.value')} value={created.key} warning={t('integrations.key.once_warning')} onDone={done}>
          <p>{t('integrations.key.created_hint')}</p>
        </OnceSecret>
      )}
      goneNotice={(name) => t('integrations.key.revoked', { name })}
      row={(key, gone) => (
        <KeyRow
          apiKey={key}
          onRevoked={() => {
            gone(key.name);
            keys.reload();
          }}
        />
      )}
    />
  );
}

const NO_KEY = { name: '', scopes: [] as string[], expires: '' };

function KeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const form = useFields<typeof NO_KEY, KeyField>(NO_KEY);
  const { values, errors } = form;
  const submission = useSubmit();
  const now = useNow(60_000);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const checked = checkKeyForm(values, new Date());
    const request = checked.request;
    if (!form.show(translated(checked.errors)) || !request) return;
    void submission.run(async () => {
      try {
        const key = await createApiKey(request);
        form.setValues(NO_KEY);
        onCreated(key);
      } catch (error) {
        const server = serverFieldErrors<KeyField>(error, ['name', 'scopes', 'expires_at']);
        if (Object.keys(server).length) form.show(server);
        throw error;
      }
    });
  };

  return (
    <form ref={form.ref} class="form integration-form" onSubmit={onSubmit} noValidate>
      <h3>{t('integrations.keys.new')}</h3>
      <TextField
        label={t('integrations.key.name')}
        hint={t('integrations.key.name_hint')}
        {...form.field('name')}
        autocomplete="off"
        maxLength={200}
        required
      />
      <CheckboxGroup
        legend={t('integrations.key.scopes')}
        hint={t('integrations.key.scopes_hint')}
        name="scopes"
        options={API_KEY_SCOPES.map((s) => ({ value: s, label: t(SCOPE_LABEL[s]) }))}
        chosen={values.scopes}
        error={errors.scopes}
        onToggle={(value, on) => form.set('scopes')(toggled(API_KEY_SCOPES, values.scopes, value as ApiKeyScope, on))}
      />
      <TextField
        label={t('integrations.key.expires_on')}
        hint={t('integrations.key.expires_hint')}
        name="expires_at"
        type="date"
        min={today(now)}
        value={values.expires}
        error={errors.expires_at}
        onValue={(v) => {
          form.set('expires')(v);
          form.setErrors((e) => (e.expires_at ? { ...e, expires_at: undefined } : e));
        }}
      />
      <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields', limit_reached: 'integrations.keys.limit_reached' }} />
      <button type="submit" class="button" disabled={submission.busy}>
        {submission.busy ? t('common.working') : t('integrations.key.submit')}
      </button>
    </form>
  );
}

function KeyRow({ apiKey: key, onRevoked }: { apiKey: ApiKey; onRevoked: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const submission = useSubmit();
  const now = useNow();
  const state = keyState(key, now);
  const id = useId();
  const revoke = () =>
    void submission.run(async () => {
      await revokeApiKey(key.id);
      setConfirming(false);
      onRevoked();
    });
  return (
    <li class="integration" aria-labelledby={id}>
      <div class="integration-head">
        <strong id={id}>{key.name}</strong>
        <span class={STATE_BADGE[state]}>{t(STATE_LABEL[state])}</span>
      </div>
      <dl class="facts">
        <div>
          <dt>{t('integrations.key.prefix')}</dt>
          <dd>
            <code>{key.prefix}…</code>
          </dd>
        </div>
        <div>
          <dt>{t('integrations.key.scopes')}</dt>
          <dd>
            <ul class="chips">
              {key.scopes.map((s) => (
                <li key={s}>
                  <code>{s}</code>
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div>
          <dt>{t('integrations.key.created_at')}</dt>
          <dd>{formatDateTime(key.created_at)}</dd>
        </div>
        <div>
          <dt>{t('integrations.key.expires_at')}</dt>
          <dd>{key.expires_at ? formatDateTime(key.expires_at) : t('integrations.key.never_expires')}</dd>
        </div>
        <div>
          <dt>{t('integrations.key.last_used_at')}</dt>
          <dd>{key.last_used_at ? formatDateTime(key.last_used_at) : t('integrations.key.never_used')}</dd>
        </div>
        {key.revoked_at ? (
          <div>
            <dt>{t('integrations.key.revoked_at')}</dt>
            <dd>{formatDateTime(key.revoked_at)}</dd>
          </div>
        ) : null}
      </dl>
      {key.revoked_at ? null : (
        <div class="actions">
          {confirming ? (
            <>
              <span>{t('integrations.key.revoke_confirm', { name: key.name })}</span>
              <button type="button" class="button button--danger" disabled={submission.busy} onClick={revoke}>
                {t('integrations.key.revoke_yes', { name: key.name })}
              </button>
              <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>
                {t('integrations.cancel')}
              </button>
            </>
          ) : (
            <button type="button" class="button button--secondary" aria-label={t('integrations.key.revoke_named', { name: key.name })} onClick={() => setConfirming(true)}>
              {t('integrations.key.revoke')}
            </button>
          )}
        </div>
      )}
      <ErrorAlert error={submission.error} />
    </li>
  );
}
