//! The organisation's API keys: creating one (its whole value shown once, with a copy button),
//! the list (prefix, permissions, dates, standing) and revoking one after a confirmation in place.

import { useId, useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey, type ApiKey, type ApiKeyScope, type CreatedApiKey } from '../../data/integrations';
import { useResource } from '../../data/resource';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { useMember } from '../../tenant/member';
import { CheckboxGroup, TextField, focusFirstInvalid } from '../../ui/Field';
import { useSubmit } from '../../ui/hooks';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../ui/status';
import { useNow } from '../useNow';
import { OnceSecret } from './OnceSecret';
import { checkKeyForm, formField, keyState, today, toggled, type KeyField, type KeyState } from './integrations';

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
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const id = useId();
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{t('integrations.keys.title')}</h2>
      <p class="hint">{t('integrations.keys.lead')}</p>
      <KeyForm
        onCreated={(key) => {
          setCreated(key);
          setRevoked(null);
          keys.reload();
        }}
      />
      {created ? (
        <OnceSecret title={t('integrations.key.created', { name: created.name })} label={t('integrations.key.value')} value={created.key} warning={t('integrations.key.once_warning')} onDone={() => setCreated(null)}>
          <p>{t('integrations.key.created_hint')}</p>
        </OnceSecret>
      ) : null}
      <h3>{t('integrations.keys.list')}</h3>
      <ErrorAlert error={keys.error} onRetry={keys.reload} />
      {keys.loading && !keys.data ? <Loading /> : null}
      {revoked !== null ? <Notice tone="success">{t('integrations.key.revoked', { name: revoked })}</Notice> : null}
      {keys.data && keys.data.length === 0 ? <EmptyState title={t('integrations.keys.empty')} /> : null}
      {keys.data?.length ? (
        <ul class="integration-list">
          {keys.data.map((key) => (
            <KeyRow
              key={key.id}
              apiKey={key}
              onRevoked={() => {
                setRevoked(key.name);
                if (created?.id === key.id) setCreated(null);
                keys.reload();
              }}
            />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function KeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<Partial<Record<KeyField, string>>>({});
  const submission = useSubmit();
  const ref = useRef<HTMLFormElement>(null);
  const now = useNow(60_000);
  const clear = (field: KeyField) => setErrors((e) => (e[field] ? { ...e, [field]: undefined } : e));

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const checked = checkKeyForm({ name, scopes, expires }, new Date());
    const shown: Partial<Record<KeyField, string>> = {};
    for (const [field, message] of Object.entries(checked.errors) as [KeyField, MessageKey][]) shown[field] = t(message);
    setErrors(shown);
    if (!checked.request) return void requestAnimationFrame(() => focusFirstInvalid(ref.current));
    const request = checked.request;
    void submission.run(async () => {
      try {
        const key = await createApiKey(request);
        setName('');
        setScopes([]);
        setExpires('');
        onCreated(key);
      } catch (error) {
        if (error instanceof ApiProblem && error.errors.length) {
          const server: Partial<Record<KeyField, string>> = {};
          for (const e of error.errors) {
            const field = formField<KeyField>(e.field, ['name', 'scopes', 'expires_at']);
            if (field) server[field] ??= e.message;
          }
          setErrors(server);
          requestAnimationFrame(() => focusFirstInvalid(ref.current));
        }
        throw error;
      }
    });
  };

  return (
    <form ref={ref} class="form integration-form" onSubmit={onSubmit} noValidate>
      <h3>{t('integrations.keys.new')}</h3>
      <TextField
        label={t('integrations.key.name')}
        hint={t('integrations.key.name_hint')}
        name="name"
        autocomplete="off"
        maxLength={200}
        value={name}
        error={errors.name}
        onValue={(v) => {
          setName(v);
          clear('name');
        }}
        required
      />
      <CheckboxGroup
        legend={t('integrations.key.scopes')}
        hint={t('integrations.key.scopes_hint')}
        name="scopes"
        options={API_KEY_SCOPES.map((s) => ({ value: s, label: t(SCOPE_LABEL[s]) }))}
        chosen={scopes}
        error={errors.scopes}
        onToggle={(value, on) => {
          setScopes((current) => toggled(API_KEY_SCOPES, current, value as ApiKeyScope, on));
          clear('scopes');
        }}
      />
      <TextField
        label={t('integrations.key.expires_on')}
        hint={t('integrations.key.expires_hint')}
        name="expires_at"
        type="date"
        min={today(now)}
        value={expires}
        error={errors.expires_at}
        onValue={(v) => {
          setExpires(v);
          clear('expires_at');
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
