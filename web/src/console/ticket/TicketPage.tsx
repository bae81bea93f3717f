/**
 * One ticket for staff, as a conversation: its header, the thread opened by the description (the
 * customer's first message) with the composer and its macros right under it (the menu of a message
 * from the customer's side splits it off into a new ticket), and beside it the ticket's properties
 * (status, assignee, priority) and the customer (with the ticket's customer organisation), then its service targets, participants, the
 * tickets linked to it, files and history, folded until opened; on a phone, one column in that
 * order. The colleagues on the same page. The ticket is read again on the live stream's frames
 * about it (polled while the stream is down); what changed elsewhere shows up at once and is
 * announced in a status region, without a reload and without touching the composer. A ticket that
 * stops answering (an agent gave it away, or someone else did) leaves the page with a notice
 * instead of controls that would all be refused.
 */

import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../../api';
import type { Message, TicketDetail, TicketStatus } from '../../api/schemas';
import { describeProblem } from '../../errors/describe';
import { t, tn } from '../../i18n';
import { Link, useLocation } from '../../router/router';
import { useMember } from '../../tenant/member';
import { MenuButton } from '../../ui/MenuButton';
import { Page } from '../../ui/Page';
import { Loaded, Notice } from '../../ui/status';
import { ShortcutsButton, ShortcutsHelp } from '../ShortcutsHelp';
import { useFiles, useLinks, useThread, useTicket } from '../../data/hooks';
import { STAFF_PARTS } from '../../data/tickets';
import { allMessages } from '../../data/messages';
import { FilesPanel } from '../../tickets/FilesPanel';
import { Thread } from '../../tickets/Thread';
import { STATUS_LABEL } from '../../tickets/badges';
import { acceptsReplies } from '../../tickets/moves';
import { useShortcuts } from '../keyboard';
import { openChildren } from '../links';
import { TicketPeople, usePeople } from '../people';
import { lastQueueHref } from '../queue/QueuePage';
import { useNow } from '../useNow';
import { COMPOSER_ID, Composer, type NewerReplies } from './Composer';
import { CustomerPanel } from './CustomerPanel';
import { HistoryPanel } from './HistoryPanel';
import { LinksPanel } from './LinksPanel';
import { authorsOf, newerColleagueReplies, newestId } from './newer';
import { ParticipantsPanel } from './ParticipantsPanel';
import { PresenceNote } from './PresenceNote';
import { usePresence } from './usePresence';
import { PropertiesPanel } from './Properties';
import { SlaPanel } from './SlaPanel';
import { SplitDialog, splitFromState, type Splitting } from './SplitDialog';
import { useStatusMoves } from './StatusControl';
import { TicketHeader, customerOf } from './TicketHeader';

export function TicketPage({ id }: { id: number }) {
  // Its thread, links and customer come with it.
  const ticket = useTicket(id, STAFF_PARTS);
  // A ticket just split off another says where it came from.
  const from = splitFromState(useLocation().state);
  const [announcement, setAnnouncement] = useState(from ? t('links.split.done', { number: from }) : '');
  const back = (
    <p class="breadcrumb">
      <Link href={lastQueueHref()}>{t('console.ticket.back')}</Link>
    </p>
  );
  if (!ticket.data) {
    return (
      <Page title={t('console.ticket.title')}>
        {back}
        <Loaded resource={ticket} overrides={{ not_found: 'console.ticket.not_found' }}>
          {() => null}
        </Loaded>
      </Page>
    );
  }
  return (
    <Page title={ticket.data.subject}>
      {back}
      {isGone(ticket.stale) ? (
        <Gone announcement={announcement} />
      ) : (
        <TicketPeople ticket={ticket.data}>
          <TicketView ticket={ticket.data} refresh={ticket.refresh} stale={ticket.stale} announcement={announcement} setAnnouncement={setAnnouncement} />
        </TicketPeople>
      )}
    </Page>
  );
}

/** The server no longer shows the ticket to this person; the polls go on, so it comes back if it returns. */
const isGone = (stale: unknown) => stale instanceof ApiProblem && stale.status === 404;

function Gone({ announcement }: { announcement: string }) {
  const notice = useRef<HTMLDivElement>(null);
  // What had focus went with the ticket's controls.
  useLayoutEffect(() => notice.current?.focus(), []);
  return (
    <div class="alert alert--info" role="status" tabIndex={-1} ref={notice}>
      {announcement ? `${announcement} ` : ''}
      {t('console.ticket.gone')}
    </div>
  );
}

function TicketView({
  ticket,
  refresh,
  stale,
  announcement,
  setAnnouncement,
}: {
  ticket: TicketDetail;
  refresh: () => Promise<void>;
  stale: unknown;
  announcement: string;
  setAnnouncement: (text: string) => void;
}) {
  const { member } = useMember();
  const people = usePeople();
  const now = useNow();
  const thread = useThread(ticket.id, ticket.updated_at);
  const links = useLinks(ticket.id, ticket.updated_at);
  const [help, setHelp] = useState(false);
  const [picking, setPicking] = useState(false);
  const [splitting, setSplitting] = useState<Splitting | null>(null);
  const threadId = useId();
  const presence = usePresence(ticket.id);
  // The status a change made here was announced with (routing may move it): not told again.
  const told = useRef<TicketStatus | null>(null);
  const announce = (text: string, status?: TicketStatus) => {
    told.current = status ?? null;
    setAnnouncement(text);
  };
  useArrivals(thread.data, member.id, ticket, setAnnouncement, told);

  const moves = useStatusMoves(ticket, refresh, announce, openChildren(links.data).length);
  const writable = acceptsReplies(ticket);

  useShortcuts({
    reply: () => document.getElementById(COMPOSER_ID)?.focus(),
    resolve: () => {
      if (moves.allows('resolved')) void moves.move('resolved');
      else setAnnouncement(t('console.ticket.cannot_resolve', { status: t(STATUS_LABEL[ticket.status]) }));
    },
    macro: () => {
      if (writable) setPicking(true);
      else setAnnouncement(t('console.composer.closed'));
    },
    help: () => setHelp(true),
  });

  const messages: Message[] = thread.data ?? [];
  const onScreen = useRef(messages);
  onScreen.current = messages;
  // Read afresh at sending time: a colleague's reply may be on its way to the screen.
  const newerReplies: NewerReplies = async (seen) => {
    const newer = newerColleagueReplies(await allMessages(ticket.id), seen, member.id);
    return { authors: authorsOf(newer), newest: newestId(newer) };
  };
  return (
    <div class="ticket-layout">
      <div class="ticket-main">
        <TicketHeader ticket={ticket} now={now} />
        <PresenceNote others={presence.others} />
        <p class="live-note" role="status">
          {announcement}
          {stale ? ` ${t('console.live.paused', { reason: describeProblem(stale) })}` : ''}
        </p>
        {ticket.merged_into != null ? (
          <Notice>
            {t('console.ticket.merged_into')} <Link href={`/tickets/${ticket.merged_into}`}>{t('console.ticket.merged_link')}</Link>
          </Notice>
        ) : null}
        <section aria-labelledby={threadId}>
          <div class="section-head">
            <h2 id={threadId}>{t('console.thread.title')}</h2>
            <ShortcutsButton onOpen={() => setHelp(true)} />
          </div>
          <Loaded resource={thread}>
            {(all) => (
              <Thread
                messages={all}
                me={member.id}
                audience="staff"
                opening={{ html: ticket.description, author: customerOf(ticket, people).name, at: ticket.created_at }}
                nameOf={(id) => people.find(id)?.name}
                // A message from the customer's side may become a ticket of its own; the team's
                // messages have nothing to offer.
                actions={(message, label) =>
                  message.sender_type === 'customer' ? (
                    <MenuButton
                      label={t('links.menu', { message: label })}
                      items={[{ key: 'split', label: t('links.split.action'), onSelect: () => setSplitting({ message, label }) }]}
                    />
                  ) : null
                }
              />
            )}
          </Loaded>
          {writable ? (
            <Composer
              ticket={ticket}
              picking={picking}
              onPicking={setPicking}
              onPosted={() => {
                presence.beacon.sent();
                void refresh();
              }}
              onTyping={() => presence.beacon.keystroke()}
              newestOnScreen={() => newestId(onScreen.current)}
              newerReplies={newerReplies}
              nameOf={(id) => people.find(id)?.name ?? t('console.someone')}
            />
          ) : (
            <Notice>{t('console.composer.closed')}</Notice>
          )}
        </section>
      </div>
      <div class="ticket-side">
        <PropertiesPanel ticket={ticket} moves={moves} onChanged={refresh} onAnnounce={announce} />
        <CustomerPanel ticket={ticket} now={now} onChanged={refresh} onAnnounce={announce} />
        {/* Folded until opened. */}
        <SlaPanel ticket={ticket} now={now} />
        <ParticipantsPanel ticket={ticket} onChanged={refresh} onAnnounce={announce} />
        <LinksPanel ticket={ticket} links={links} onChanged={refresh} onAnnounce={announce} />
        <FilesPanel files={() => useFiles(ticket.id, ticket.updated_at)} audience="staff" folded />
        <HistoryPanel ticketId={ticket.id} version={ticket.updated_at} />
      </div>
      <ShortcutsHelp open={help} onClose={() => setHelp(false)} />
      <SplitDialog ticket={ticket} splitting={splitting} onClose={() => setSplitting(null)} />
    </div>
  );
}

/** Announces what arrived from others since the last look (not what was there on arrival). */
function useArrivals(messages: Message[] | undefined, me: string, ticket: TicketDetail, announce: (text: string) => void, told: { current: TicketStatus | null }) {
  const seen = useRef<Set<number> | null>(null);
  const status = useRef(ticket.status);
  useEffect(() => {
    if (!messages) return;
    if (seen.current === null) {
      seen.current = new Set(messages.map((m) => m.id));
      return;
    }
    const fresh = messages.filter((m) => !seen.current!.has(m.id) && m.sender_id !== me);
    for (const m of messages) seen.current.add(m.id);
    if (fresh.length) announce(tn('console.live.messages', fresh.length));
  }, [messages]);
  useEffect(() => {
    if (status.current !== ticket.status && told.current !== ticket.status) announce(t('console.status.changed', { status: t(STATUS_LABEL[ticket.status]) }));
    if (status.current !== ticket.status) told.current = null;
    status.current = ticket.status;
  }, [ticket.status]);
}
