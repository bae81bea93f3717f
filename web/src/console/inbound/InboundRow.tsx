/**
 * One received mail: who sent it, its subject, why it was held back, when it came and how, what
 * became of it (every mail's list), its original to download, the ticket it went to, and for
 * owners and admins, while it is in quarantine, releasing it or (after a confirmation in place)
 * discarding it.
 */

import { useState } from 'preact/hooks';
import { discardInbound, downloadOriginal, releaseInbound, type InboundEmail, type Released } from '../../data/inbound';
import { formatBytes, formatDateTime, t, type MessageKey } from '../../i18n';
import { Link } from '../../router/router';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { OUTCOME_LABEL, outcomeBadge, reasonText, sender, type Settled } from './inbound';

const SOURCE: Record<InboundEmail['source'], MessageKey> = {
  imap: 'inbound.source.imap',
  api: 'inbound.source.api',
};

export function InboundRow({
  mail,
  all,
  admin,
  onSettled,
}: {
  mail: InboundEmail;
  /** Every mail's list: the outcome has its own column. */
  all: boolean;
  admin: boolean;
  onSettled: (id: number, change: Settled, released?: Released) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const action = useSubmit();
  const original = useSubmit();
  const subject = mail.subject.trim() || t('inbound.no_subject');
  const from = sender(mail);
  const reason = reasonText(mail.reason);
  const held = mail.outcome === 'quarantined';
  const release = () =>
    void action.run(async () => {
      const released = await releaseInbound(mail.id);
      onSettled(mail.id, { outcome: 'released', ticket_id: released.ticket_id, message_id: released.message_id ?? null }, released);
    });
  const discard = () =>
    void action.run(async () => {
      await discardInbound(mail.id);
      setConfirming(false);
      onSettled(mail.id, { outcome: 'discarded' });
    });
  const outcome = <span class={outcomeBadge(mail.outcome)}>{t(OUTCOME_LABEL[mail.outcome] ?? 'inbound.outcome.ignored')}</span>;
  return (
    <tr>
      <td class="inbound-from">{from}</td>
      <th scope="row" class="inbound-subject">
        {subject}
      </th>
      <td>{reason ?? <Nothing />}</td>
      <td>
        <time dateTime={mail.received_at}>{formatDateTime(mail.received_at)}</time>
        <span class="fact-detail">
          {t(SOURCE[mail.source] ?? 'inbound.source.api')} · {formatBytes(mail.size_bytes)}
        </span>
      </td>
      {all ? <td>{outcome}</td> : null}
      <td>
        <div class="inbound-actions">
          {/* Released or discarded here: the quarantine's list says so where the mail was. */}
          {!all && !held ? outcome : null}
          <button
            type="button"
            class="button button--secondary button--small"
            disabled={original.busy}
            aria-label={t('inbound.original_named', { subject })}
            onClick={() => void original.run(() => downloadOriginal(mail.id))}
          >
            {t('inbound.original')}
          </button>
          {mail.ticket_id != null ? (
            <Link href={`/tickets/${mail.ticket_id}`} aria-label={t('inbound.open_ticket_named', { subject })}>
              {t('inbound.open_ticket')}
            </Link>
          ) : null}
          {admin && held && !confirming ? (
            <>
              <button type="button" class="button button--small" disabled={action.busy} aria-label={t('inbound.release_named', { subject })} onClick={release}>
                {t('inbound.release')}
              </button>
              <button type="button" class="button button--secondary button--small" disabled={action.busy} aria-label={t('inbound.discard_named', { subject })} onClick={() => setConfirming(true)}>
                {t('inbound.discard')}
              </button>
            </>
          ) : null}
        </div>
        {admin && held && confirming ? (
          <div class="actions confirm">
            <span>{t('inbound.discard_confirm', { subject, from })}</span>
            <button type="button" class="button button--danger button--small" disabled={action.busy} onClick={discard}>
              {t('inbound.discard_yes')}
            </button>
            <button type="button" class="button button--secondary button--small" onClick={() => setConfirming(false)}>
              {t('inbound.cancel')}
            </button>
          </div>
        ) : null}
        <ErrorAlert error={action.error} overrides={{ conflict: 'inbound.not_quarantined' }} />
        <ErrorAlert error={original.error} />
      </td>
    </tr>
  );
}

/** An empty cell: a dash to the eye, a word to a screen reader. */
function Nothing() {
  return (
    <>
      <span aria-hidden="true">—</span>
      <span class="visually-hidden">{t('inbound.none')}</span>
    </>
  );
}
