/**
 * The organisation's outbound webhooks: adding an endpoint (its signing secret shown once), and
 * for each one: turning it off and on, sending a test event, rotating its secret (the new one
 * shown once; the old one keeps signing for a while), its delivery log, and deleting it.
 */

import { useId, useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { WEBHOOK_EVENTS, createWebhook, deleteWebhook, listWebhooks, rotateWebhookSecret, testWebhook, updateWebhook, type CreatedWebhook, type RotatedSecret, type Webhook, type WebhookEvent } from '../../data/integrations';
import { useResource } from '../../data/resource';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { useMember } from '../../tenant/member';
import { CheckboxGroup, TextArea, UrlField } from '../../ui/Field';
import { serverFieldErrors, translated, useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Notice } from '../../ui/status';
import { IntegrationPanel } from './IntegrationPanel';
import { DeliveryLog } from './DeliveryLog';
import { OnceSecret } from './OnceSecret';
import { checkWebhookForm, toggled, type WebhookField } from './integrations';

export const EVENT_LABEL: Record<WebhookEvent, MessageKey> = {
  'ticket.created': 'integrations.event.ticket_created',
  'ticket.assigned': 'integrations.event.ticket_assigned',
  'ticket.status_changed': 'integrations.event.ticket_status_changed',
  'ticket.resolved': 'integrations.event.ticket_resolved',
  'ticket.updated': 'integrations.event.ticket_updated',
  'message.added': 'integrations.event.message_added',
  'ticket.sla_breach': 'integrations.event.ticket_sla_breach',
  'organization.created': 'integrations.event.organization_created',
  'organization.updated': 'integrations.event.organization_updated',
  'organization.deleted': 'integrations.event.organization_deleted',
};

export function WebhooksPanel() {
  const { slug } = useMember();
  const hooks = useResource(`webhooks:${slug}`, listWebhooks);
  const replace = (changed: Webhook) => hooks.setData((list) => list?.map((h) => (h.id === changed.id ? changed : h)));
  return (
    <IntegrationPanel
      title={t('integrations.webhooks.title')}
      lead={t('integrations.webhooks.lead')}
      listTitle={t('integrations.webhooks.list')}
      emptyTitle={t('integrations.webhooks.empty')}
      items={hooks}
      form={(onCreated: (hook: CreatedWebhook) => void) => <WebhookForm onCreated={onCreated} />}
      secret={(created, done) => (
        <OnceSecret title={t('integrations.webhook.created', { url: created.url })} label={t('integrations.webhook.secret')} value={created.secret} warning={t('integrations.webhook.once_warning')} onDone={done}>
          <p>{t('integrations.webhook.secret_hint')}</p>
        </OnceSecret>
      )}
      goneNotice={(url) => t('integrations.webhook.deleted', { url })}
      row={(hook, gone) => (
        <WebhookRow
          hook={hook}
          onChanged={replace}
          onDeleted={() => {
            gone(hook.url);
            hooks.setData((list) => list?.filter((h) => h.id !== hook.id));
          }}
        />
      )}
    />
  );
}

const NO_WEBHOOK = { url: '', events: [] as string[], description: '' };

function WebhookForm({ onCreated }: { onCreated: (hook: CreatedWebhook) => void }) {
  const form = useFields(NO_WEBHOOK);
  const { values, errors } = form;
  const submission = useSubmit();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const checked = checkWebhookForm(values);
    const request = checked.request;
    if (!form.show(translated(checked.errors)) || !request) return;
    void submission.run(async () => {
      try {
        const hook = await createWebhook(request);
        form.setValues(NO_WEBHOOK);
        onCreated(hook);
      } catch (error) {
        const server = serverFieldErrors<WebhookField>(error, ['url', 'events', 'description']);
        if (error instanceof ApiProblem && error.code === 'invalid_target') server.url = t('integrations.webhook.invalid_target');
        if (Object.keys(server).length) form.show(server);
        throw error;
      }
    });
  };

  return (
    <form ref={form.ref} class="form integration-form" onSubmit={onSubmit} noValidate>
      <h3>{t('integrations.webhooks.new')}</h3>
      <UrlField label={t('integrations.webhook.url')} hint={t('integrations.webhook.url_hint')} {...form.field('url')} required />
      <CheckboxGroup
        legend={t('integrations.webhook.events')}
        name="events"
        options={WEBHOOK_EVENTS.map((e) => ({ value: e, label: t(EVENT_LABEL[e]) }))}
        chosen={values.events}
        error={errors.events}
        onToggle={(value, on) => form.set('events')(toggled(WEBHOOK_EVENTS, values.events, value as WebhookEvent, on))}
      />
      <TextArea
        label={t('integrations.webhook.description')}
        hint={t('integrations.webhook.description_hint')}
        {...form.field('description')}
        rows={2}
      />
      <ErrorAlert
        error={submission.error}
        overrides={{ validation_failed: 'error.check_fields', invalid_target: 'error.check_fields', limit_reached: 'integrations.webhooks.limit_reached' }}
      />
      <button type="submit" class="button" disabled={submission.busy}>
        {submission.busy ? t('common.working') : t('integrations.webhook.submit')}
      </button>
    </form>
  );
}

const REASON: Record<string, MessageKey> = {
  gone: 'integrations.webhook.reason_gone',
  failing: 'integrations.webhook.reason_failing',
  manual: 'integrations.webhook.reason_manual',
};

/** Why an endpoint is off, in words; a reason this page does not know, as the server gave it. */
function reasonText(reason: string): string {
  const known = Object.hasOwn(REASON, reason) ? REASON[reason] : undefined;
  return known ? t(known) : t('integrations.webhook.disabled_reason', { reason });
}

type Confirming = 'rotate' | 'delete' | null;

/** What the last action on a row did (kept as such, so that it follows a change of language). */
type RowNotice = 'enabled' | 'disabled' | 'test';
const ROW_NOTICE: Record<RowNotice, MessageKey> = {
  enabled: 'integrations.webhook.enabled_now',
  disabled: 'integrations.webhook.disabled_now',
  test: 'integrations.webhook.test_sent',
};

function WebhookRow({ hook, onChanged, onDeleted }: { hook: Webhook; onChanged: (hook: Webhook) => void; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [notice, setNotice] = useState<RowNotice | null>(null);
  const [rotated, setRotated] = useState<RotatedSecret | null>(null);
  const [logOpen, setLogOpen] = useState(false);
  /** Deliveries queued from here (tests), for the log to wait for. */
  const [queued, setQueued] = useState<string[]>([]);
  const submission = useSubmit();
  const id = useId();
  const url = hook.url;

  const act = (task: () => Promise<void>) => {
    setNotice(null);
    void submission.run(task);
  };
  const toggle = () =>
    act(async () => {
      const changed = await updateWebhook(hook.id, { enabled: !hook.enabled });
      onChanged(changed);
      setNotice(changed.enabled ? 'enabled' : 'disabled');
    });
  const sendTest = () =>
    act(async () => {
      const queuedNow = await testWebhook(hook.id);
      setQueued((q) => [...q, queuedNow.delivery_id]);
      setLogOpen(true);
      setNotice('test');
    });
  const rotate = () =>
    act(async () => {
      const secret = await rotateWebhookSecret(hook.id);
      setConfirming(null);
      setRotated(secret);
    });
  const remove = () =>
    act(async () => {
      await deleteWebhook(hook.id);
      onDeleted();
    });

  return (
    <li class="integration" aria-labelledby={id}>
      <div class="integration-head">
        <strong id={id} class="integration-url">
          {url}
        </strong>
        <span class={hook.enabled ? 'badge badge--ok' : 'badge badge--bad'}>{t(hook.enabled ? 'integrations.webhook.enabled' : 'integrations.webhook.disabled')}</span>
      </div>
      {!hook.enabled && hook.disabled_reason ? <p class="integration-reason">{reasonText(hook.disabled_reason)}</p> : null}
      {hook.description ? <p class="integration-description">{hook.description}</p> : null}
      <dl class="facts">
        <div class="facts-wide">
          <dt>{t('integrations.webhook.events')}</dt>
          <dd>
            <ul class="chips">
              {hook.events.map((e) => (
                <li key={e}>
                  <code>{e}</code>
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div>
          <dt>{t('integrations.webhook.created_at')}</dt>
          <dd>{formatDateTime(hook.created_at)}</dd>
        </div>
      </dl>
      <div class="actions">
        <button
          type="button"
          class="button button--secondary"
          disabled={submission.busy}
          aria-label={t(hook.enabled ? 'integrations.webhook.disable_named' : 'integrations.webhook.enable_named', { url })}
          onClick={toggle}
        >
          {t(hook.enabled ? 'integrations.webhook.disable' : 'integrations.webhook.enable')}
        </button>
        <button type="button" class="button button--secondary" disabled={submission.busy} aria-label={t('integrations.webhook.test_named', { url })} onClick={sendTest}>
          {t('integrations.webhook.test')}
        </button>
        <button
          type="button"
          class="button button--secondary"
          aria-expanded={logOpen}
          aria-controls={`${id}-log`}
          aria-label={t('integrations.webhook.log_named', { url })}
          onClick={() => setLogOpen((open) => !open)}
        >
          {t('integrations.webhook.log')}
        </button>
        <button
          type="button"
          class="button button--secondary"
          aria-label={t('integrations.webhook.rotate_named', { url })}
          onClick={() => setConfirming('rotate')}
          disabled={submission.busy || confirming === 'rotate'}
        >
          {t('integrations.webhook.rotate')}
        </button>
        <button
          type="button"
          class="button button--secondary"
          aria-label={t('integrations.webhook.delete_named', { url })}
          onClick={() => setConfirming('delete')}
          disabled={submission.busy || confirming === 'delete'}
        >
          {t('integrations.webhook.delete')}
        </button>
      </div>
      {confirming ? (
        <div class="actions confirm">
          <span>{t(confirming === 'rotate' ? 'integrations.webhook.rotate_confirm' : 'integrations.webhook.delete_confirm', { url })}</span>
          <button type="button" class={confirming === 'rotate' ? 'button' : 'button button--danger'} disabled={submission.busy} onClick={confirming === 'rotate' ? rotate : remove}>
            {t(confirming === 'rotate' ? 'integrations.webhook.rotate_yes' : 'integrations.webhook.delete_yes')}
          </button>
          <button type="button" class="button button--secondary" onClick={() => setConfirming(null)}>
            {t('integrations.cancel')}
          </button>
        </div>
      ) : null}
      <ErrorAlert error={submission.error} />
      {notice ? <Notice tone="success">{t(ROW_NOTICE[notice], { url })}</Notice> : null}
      {rotated ? (
        <OnceSecret title={t('integrations.webhook.rotated', { url })} label={t('integrations.webhook.new_secret')} value={rotated.secret} warning={t('integrations.webhook.once_warning')} onDone={() => setRotated(null)}>
          <p>
            {rotated.previous_expires_at
              ? t('integrations.webhook.rotated_hint', { time: formatDateTime(rotated.previous_expires_at) })
              : t('integrations.webhook.rotated_alone')}
          </p>
        </OnceSecret>
      ) : null}
      {logOpen ? (
        <div id={`${id}-log`}>
          <DeliveryLog webhookId={hook.id} url={url} queued={queued} />
        </div>
      ) : (
        <div id={`${id}-log`} hidden />
      )}
    </li>
  );
}
