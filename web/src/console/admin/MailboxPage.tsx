/**
 * The organisation's mailbox (owners and admins): the helpdesk fetches it over IMAP and turns
 * its mail into tickets and messages. The settings and the state of the fetch, the form that
 * sets or replaces them (the password with each save), removing it; and the other way in, mail
 * posted by a mail server with an API key.
 */

import { useState } from 'preact/hooks';
import { getMailbox, type Mailbox } from '../../data/inbound';
import { useResource } from '../../data/resource';
import { t, type MessageKey } from '../../i18n';
import { Link } from '../../router/router';
import { useMember } from '../../tenant/member';
import { Page } from '../../ui/Page';
import { EmptyState, Loaded, Notice } from '../../ui/status';
import { MailboxForm } from './MailboxForm';
import { MailboxStatus } from './MailboxStatus';
import { Panel } from '../../ui/Panel';

type PageNotice = 'saved' | 'removed';
const NOTICE: Record<PageNotice, MessageKey> = {
  saved: 'inbound.mailbox.saved',
  removed: 'inbound.mailbox.removed',
};

export function MailboxPage() {
  const { slug } = useMember();
  const mailbox = useResource(`mailbox:${slug}`, getMailbox);
  const [notice, setNotice] = useState<PageNotice | null>(null);
  return (
    <Page title={t('inbound.mailbox.title')}>
      <p class="lead">{t('inbound.mailbox.lead')}</p>
      <Loaded resource={mailbox}>
        {(held) => (
          <>
            {notice ? <Notice tone="success">{t(NOTICE[notice])}</Notice> : null}
            {held ? (
              <MailboxStatus
                mailbox={held}
                onRefresh={mailbox.refresh}
                onRemoved={() => {
                  setNotice('removed');
                  mailbox.setData(() => null);
                }}
              />
            ) : (
              <EmptyState title={t('inbound.mailbox.none')}>
                <p>{t('inbound.mailbox.none_hint')}</p>
              </EmptyState>
            )}
            {/* A save gives the settings a new `updated_at`: the form starts again from them. */}
            <MailboxForm
              key={held?.updated_at ?? 'none'}
              mailbox={held}
              onSaved={(saved: Mailbox) => {
                setNotice('saved');
                mailbox.setData(() => saved);
              }}
            />
          </>
        )}
      </Loaded>
      <PostedMail />
    </Page>
  );
}

/** The other way mail comes in: a mail server posts each message with an `inbound:email` key. */
function PostedMail() {
  return (
    <Panel title={t('inbound.posted.title')}>
      <p>{t('inbound.posted.lead')}</p>
      <dl class="facts">
        <div class="facts-wide">
          <dt>{t('inbound.posted.endpoint')}</dt>
          <dd>
            <code class="integration-url">POST {`${window.location.origin}/v1/inbound/email`}</code>
          </dd>
        </div>
        <div>
          <dt>{t('inbound.posted.body')}</dt>
          <dd>{t('inbound.posted.body_value')}</dd>
        </div>
        <div>
          <dt>{t('inbound.posted.permission')}</dt>
          <dd>
            <code>inbound:email</code>
          </dd>
        </div>
      </dl>
      <p>
        <Link href="/admin/integrations">{t('inbound.posted.link')}</Link>
      </p>
    </Panel>
  );
}
