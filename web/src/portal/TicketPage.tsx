/**
 * One ticket: its facts, what the customer can do with it (and, once resolved, rate how it went),
 * the conversation, its files and the colleagues copied on it. It
 * stays current without a reload: the ticket is read again on the live stream's frames about it
 * (polled while the stream is down), the thread on its `message.added` frames and whenever the
 * ticket's `updated_at` moves, the files with it; arrivals are announced. A colleague's ticket
 * (one the caller sees through a customer organisation) says whose it is and offers no rating,
 * status moves or people copied, which stay its requester's; a reply and files only while the
 * organisation shares replies.
 */

import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Message } from '../api/schemas';
import { useFiles, useTicket } from '../data/hooks';
import { threadChanged } from '../data/live';
import { listMessages } from '../data/messages';
import { usePaged } from '../data/paged';
import { t, tn } from '../i18n';
import { Link } from '../router/router';
import { displayName, useMember } from '../tenant/member';
import { FilesPanel } from '../tickets/FilesPanel';
import { RichText } from '../tickets/RichText';
import { Thread } from '../tickets/Thread';
import { acceptsReplies } from '../tickets/moves';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { Loaded, LoadMore, Notice } from '../ui/status';
import { PeopleCopied } from './PeopleCopied';
import { RatingPanel } from './RatingPanel';
import { ReplyForm } from './ReplyForm';
import { TicketActions } from './TicketActions';
import { TicketSummary } from './TicketSummary';
import { UploadForm } from './UploadForm';
import { ticketStanding } from './organizations';
import { useMyOrganizations } from './useMyOrganizations';

/** The server's own page size for a thread. */
const THREAD_PAGE = 50;

export function TicketPage({ id }: { id: number }) {
  const { member } = useMember();
  const ticket = useTicket(id);
  const thread = usePaged<Message>(
    `thread:${id}`,
    {
      head: async (limit, _etag, signal) => ({ changed: true, body: await listMessages(id, { limit }, signal), etag: null }),
      page: (cursor) => listMessages(id, { cursor, limit: THREAD_PAGE }),
    },
    { live: false, follows: threadChanged(id), pageSize: THREAD_PAGE },
  );
  const version = ticket.data?.updated_at;
  const files = useFiles(id, version);
  // The ticket moved (a message, polled while the stream is down): its thread too, maybe.
  const seen = useRef(version);
  useEffect(() => {
    if (seen.current !== undefined && version !== undefined && version !== seen.current) void thread.refresh();
    seen.current = version;
  }, [version]);
  const more = useSubmit();
  const threadHeading = useId();
  const arrived = useArrivals(id, thread.listing?.items, member.id);
  // Read for a colleague's ticket alone: what the caller may do on it.
  const memberships = useMyOrganizations(ticket.data !== undefined && ticket.data.user_id !== member.id);

  if (!ticket.data) {
    return (
      <Page title={t('portal.ticket.title')}>
        <Loaded resource={ticket} overrides={{ not_found: 'portal.ticket.not_found' }}>
          {() => null}
        </Loaded>
        {ticket.error ? <Link href="/">{t('portal.ticket.back')}</Link> : null}
      </Page>
    );
  }

  const detail = ticket.data;
  const cursor = thread.listing?.cursor ?? null;
  const loadMore = () => void more.run(thread.loadMore);
  const onPosted = (message: Message) => {
    // With newer pages still unloaded, the reply shows up when they are loaded, in its place.
    thread.setData((l) => (l && !l.cursor && !l.items.some((m) => m.id === message.id) ? { items: [...l.items, message], cursor: null } : l));
    // A reply can move the ticket (waiting for the customer -> in progress).
    ticket.reload();
  };
  const standing = ticketStanding(detail, member.id, memberships.data);
  const own = standing.kind === 'own';
  const open = acceptsReplies(detail);
  // On a colleague's ticket, writing waits for the memberships that say whether it is allowed.
  const writable = open && (own || standing.mayWrite);

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
      {standing.kind === 'colleague' ? (
        <Notice>
          {standing.organization && detail.requester
            ? t('organizations.portal.colleague_named', { name: displayName(detail.requester), organisation: standing.organization.name })
            : t('organizations.portal.colleague')}{' '}
          {t(standing.mayWrite ? 'organizations.portal.may_reply' : 'organizations.portal.read_only')}
        </Notice>
      ) : null}
      {own ? <TicketActions ticket={detail} onChanged={ticket.reload} /> : null}
      {own ? <RatingPanel ticket={detail} /> : null}
      <section class="panel" aria-label={t('portal.ticket.description')}>
        <RichText html={detail.description} />
      </section>
      <section aria-labelledby={threadHeading}>
        <h2 id={threadHeading}>{t('portal.thread.title')}</h2>
        <p class="live-note" role="status">
          {arrived > 0 ? tn('portal.thread.arrived', arrived) : ''}
        </p>
        <Loaded resource={thread} empty={(l) => l.items.length === 0 && t('portal.thread.empty')}>
          {(l) => <Thread messages={l.items} me={member.id} audience="customer" />}
        </Loaded>
        <LoadMore more={more} label={t('portal.thread.load_more')} busyLabel={t('portal.thread.load_more')} onMore={cursor ? loadMore : null} />
        {writable ? <ReplyForm ticketId={id} status={detail.status} onPosted={onPosted} /> : open ? null : <Notice>{t('portal.reply.closed')}</Notice>}
      </section>
      <FilesPanel files={files} audience="customer">
        {writable ? <UploadForm ticketId={id} onUploaded={(file) => files.setData((list) => list && [...list, file])} /> : null}
      </FilesPanel>
      {own ? <PeopleCopied ticket={detail} onChanged={ticket.refresh} /> : null}
    </Page>
  );
}

/** How many messages from others the last update that brought some added (the customer's own
 * never count, whichever of their answer and the stream's frame comes first). */
function useArrivals(ticketId: number, messages: Message[] | undefined, me: string): number {
  const seen = useRef<{ ticketId: number; ids: Set<number> } | null>(null);
  const [arrived, setArrived] = useState(0);
  useEffect(() => {
    if (!messages) return;
    if (seen.current?.ticketId !== ticketId) {
      seen.current = { ticketId, ids: new Set(messages.map((m) => m.id)) };
      setArrived(0);
      return;
    }
    const known = seen.current.ids;
    const fresh = messages.filter((m) => !known.has(m.id) && m.sender_id !== me).length;
    for (const m of messages) known.add(m.id);
    if (fresh > 0) setArrived(fresh);
  }, [ticketId, messages]);
  return arrived;
}
