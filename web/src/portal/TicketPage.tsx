//! One ticket: its facts, what the customer can do with it, the conversation and its files.

import { useId, useState } from 'preact/hooks';
import { api } from '../api';
import type { Message } from '../api/schemas';
import { t } from '../i18n';
import { Link } from '../router/router';
import { useMember } from '../tenant/member';
import { useLoad, useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { EmptyState, ErrorAlert, Loading, Notice } from '../ui/status';
import { FilesPanel } from './FilesPanel';
import { ReplyForm } from './ReplyForm';
import { RichText } from './RichText';
import { Thread } from './Thread';
import { TicketActions } from './TicketActions';
import { TicketSummary } from './TicketSummary';
import { acceptsReplies } from './transitions';

export function TicketPage({ id }: { id: number }) {
  const { member } = useMember();
  const ticket = useLoad((signal) => api('GET', '/v1/tickets/{id}', { signal, path: { id } }), [id]);
  const thread = useLoad((signal) => api('GET', '/v1/tickets/{id}/messages', { signal, path: { id } }), [id]);
  const [later, setLater] = useState<{ messages: Message[]; cursor: string | null } | null>(null);
  const more = useSubmit();
  const threadHeading = useId();

  if (ticket.error) {
    return (
      <Page title={t('portal.ticket.title')}>
        <ErrorAlert error={ticket.error} overrides={{ not_found: 'portal.ticket.not_found' }} onRetry={ticket.reload} />
        <Link href="/">{t('portal.ticket.back')}</Link>
      </Page>
    );
  }
  if (!ticket.data) {
    return (
      <Page title={t('portal.ticket.title')}>
        <Loading />
      </Page>
    );
  }

  const detail = ticket.data;
  const messages = [...(thread.data?.data ?? []), ...(later?.messages ?? [])];
  const cursor = later ? later.cursor : (thread.data?.next_cursor ?? null);
  const loadMore = () =>
    void more.run(async () => {
      if (!cursor) return;
      const page = await api('GET', '/v1/tickets/{id}/messages', { path: { id }, query: { cursor } });
      setLater((l) => ({ messages: appendNew(l?.messages ?? [], page.data), cursor: page.next_cursor ?? null }));
    });
  const onPosted = (message: Message) => {
    // With newer pages still unloaded, the reply shows up when they are loaded, in its place.
    if (!cursor) setLater((l) => ({ messages: [...(l?.messages ?? []), message], cursor: null }));
    // A reply can move the ticket (waiting for the customer -> in progress).
    ticket.reload();
  };
  const open = acceptsReplies(detail.status);

  return (
    <Page title={detail.subject}>
      <p class="breadcrumb">
        <Link href="/">{t('portal.ticket.back')}</Link>
      </p>
      <TicketSummary ticket={detail} />
      {detail.merged_into != null ? (
        <Notice>
          {t('portal.ticket.merged_into')} <Link href={`/tickets/${detail.merged_into}`}>{t('portal.ticket.merged_link')}</Link>
        </Notice>
      ) : null}
      <TicketActions ticket={detail} onChanged={ticket.reload} />
      <section class="panel" aria-label={t('portal.ticket.description')}>
        <RichText html={detail.description} />
      </section>
      <section aria-labelledby={threadHeading}>
        <h2 id={threadHeading}>{t('portal.thread.title')}</h2>
        {thread.error ? <ErrorAlert error={thread.error} onRetry={thread.reload} /> : null}
        {thread.loading && !thread.data ? <Loading /> : null}
        {thread.data && messages.length === 0 ? <EmptyState title={t('portal.thread.empty')} /> : null}
        {messages.length ? <Thread messages={messages} me={member.id} /> : null}
        {more.error ? <ErrorAlert error={more.error} onRetry={loadMore} /> : null}
        {cursor ? (
          <button type="button" class="button button--secondary" onClick={loadMore} disabled={more.busy}>
            {t('portal.thread.load_more')}
          </button>
        ) : null}
        {open ? <ReplyForm ticketId={id} status={detail.status} onPosted={onPosted} /> : <Notice>{t('portal.reply.closed')}</Notice>}
      </section>
      <FilesPanel ticketId={id} canUpload={open} />
    </Page>
  );
}

/** Pages can overlap a message the app already shows (a reply just sent). */
function appendNew(shown: Message[], page: Message[]): Message[] {
  const ids = new Set(shown.map((m) => m.id));
  return [...shown, ...page.filter((m) => !ids.has(m.id))];
}
