/**
 * The mailbox as set, and how its fetch goes: when it last ran, why it failed (prominent, until
 * a fetch succeeds), where it stands in the folder (UIDVALIDITY and the last UID, for whoever
 * looks after the mail server); removing it after a confirmation in place.
 */

import { useId, useState } from 'preact/hooks';
import { removeMailbox, type Mailbox } from '../../data/inbound';
import { formatDateTime, t } from '../../i18n';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';

export function MailboxStatus({ mailbox, onRefresh, onRemoved }: { mailbox: Mailbox; onRefresh: () => Promise<void>; onRemoved: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const removal = useSubmit();
  const refresh = useSubmit();
  const id = useId();
  const remove = () =>
    void removal.run(async () => {
      await removeMailbox();
      setConfirming(false);
      onRemoved();
    });
  return (
    <section class="panel" aria-labelledby={id}>
      <div class="section-head">
        <h2 id={id}>{t('inbound.mailbox.current')}</h2>
        <button type="button" class="button button--secondary button--small" disabled={refresh.busy} onClick={() => void refresh.run(onRefresh)}>
          {refresh.busy ? t('common.loading') : t('inbound.mailbox.refresh')}
        </button>
      </div>
      {mailbox.last_error ? (
        <div class="alert alert--error mailbox-error">
          <p>
            <strong>{t('inbound.mailbox.failing')}</strong>
          </p>
          <p class="mailbox-error-text">{mailbox.last_error}</p>
          <p>{t('inbound.mailbox.failing_hint')}</p>
        </div>
      ) : null}
      <dl class="facts">
        <div class="facts-wide">
          <dt>{t('inbound.mailbox.server')}</dt>
          <dd>
            <code class="integration-url">{mailbox.imap_url}</code>
          </dd>
        </div>
        <div>
          <dt>{t('inbound.mailbox.username')}</dt>
          <dd>{mailbox.username}</dd>
        </div>
        <div>
          <dt>{t('inbound.mailbox.folder')}</dt>
          <dd>{mailbox.folder}</dd>
        </div>
        <div>
          <dt>{t('inbound.mailbox.authserv')}</dt>
          <dd>{mailbox.authserv_id ? <code>{mailbox.authserv_id}</code> : t('inbound.mailbox.authserv_none')}</dd>
        </div>
        <div>
          <dt>{t('inbound.mailbox.unknown_senders')}</dt>
          <dd>{t(mailbox.create_customers ? 'inbound.mailbox.unknown_create' : 'inbound.mailbox.unknown_quarantine')}</dd>
        </div>
        <div>
          <dt>{t('inbound.mailbox.last_fetch')}</dt>
          <dd>{mailbox.last_fetch_at ? <time dateTime={mailbox.last_fetch_at}>{formatDateTime(mailbox.last_fetch_at)}</time> : t('inbound.mailbox.never_fetched')}</dd>
        </div>
        <div>
          <dt>{t('inbound.mailbox.updated_at')}</dt>
          <dd>
            <time dateTime={mailbox.updated_at}>{formatDateTime(mailbox.updated_at)}</time>
          </dd>
        </div>
      </dl>
      {mailbox.uid_validity != null || mailbox.last_uid != null ? (
        <p class="hint mailbox-uids">
          {t('inbound.mailbox.uids', { validity: mailbox.uid_validity ?? '—', uid: mailbox.last_uid ?? '—' })}
        </p>
      ) : null}
      <ErrorAlert error={refresh.error} />
      <div class="actions">
        {confirming ? (
          <div class="actions confirm">
            <span>{t('inbound.mailbox.remove_confirm', { username: mailbox.username })}</span>
            <button type="button" class="button button--danger" disabled={removal.busy} onClick={remove}>
              {t('inbound.mailbox.remove_yes')}
            </button>
            <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>
              {t('inbound.cancel')}
            </button>
          </div>
        ) : (
          <button type="button" class="button button--secondary" onClick={() => setConfirming(true)}>
            {t('inbound.mailbox.remove')}
          </button>
        )}
      </div>
      <ErrorAlert error={removal.error} />
    </section>
  );
}
