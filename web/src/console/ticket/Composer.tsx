/**
 * Writing on a ticket: a public reply to the customer or an internal note for the team, with
 * files dropped or chosen. The kind is chosen first and said again beside the text box, and a
 * note says that the customer never sees it. Live updates re-render around this form without
 * touching what is being typed (its state lives here). A public reply sent after a colleague's
 * newer reply (newer than what was on screen at the first keystroke) asks first, in place. A
 * help center article's link goes where the cursor was (`ArticleLinkPicker`). A public reply may
 * set the ticket's status with it ("Send and resolve", "Send and wait for the customer"): one
 * request, the message and the move written together or not at all. A macro taken from the
 * picker is pending until sent: its filled text in the text box, its kind of message fixed, its
 * changes listed under the text box (each removable); Send applies it as reviewed, in one request.
 */

import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { uploadFile } from '../../data/files';
import { applyMacro, type Macro, type MacroPreview } from '../../data/macros';
import { postMessage } from '../../data/messages';
import { getLocale, t, tn } from '../../i18n';
import { textToHtml } from '../../tickets/text';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Notice } from '../../ui/status';
import { maxLength, required } from '../../ui/validate';
import { FieldError } from '../../ui/Field';
import { useFields } from '../../ui/form';
import { Dropzone, type Pending } from './Dropzone';
import { ArticleLinkPicker } from './ArticleLinkPicker';
import { articleLinkText, insertText, publicArticleUrl } from '../../helpCenter/links';
import type { SearchHit } from '../../data/helpCenter';
import type { TicketDetail, TicketStatus } from '../../api/schemas';
import { STATUS_LABEL } from '../../tickets/badges';
import { canSendAnd } from '../../tickets/moves';
import { LockIcon } from '../../tickets/icons';
import { macroDraft, reviewedMacro, withMacroText, withoutChange, type MacroDraft } from '../macroDraft';
import { MacroPicker, macroRefusal } from './MacroPicker';
import { PendingMacro } from './PendingMacro';

export const COMPOSER_ID = 'reply';

type Kind = 'reply' | 'note';

/** What the last send did, for the notice after it. */
type Sent = { kind: Kind; to?: TicketStatus } | { macro: string; posted: boolean };

/** The statuses a public reply may set as it goes, with their buttons' words. */
const SEND_AND: { to: TicketStatus; label: 'console.composer.send_resolve' | 'console.composer.send_wait' }[] = [
  { to: 'resolved', label: 'console.composer.send_resolve' },
  { to: 'waiting_customer', label: 'console.composer.send_wait' },
];

/** Colleagues who replied publicly since `seen` (a message id), by id, and the newest such
 * reply. Their names are read as the question is drawn (`nameOf`): the list of people may
 * still be on its way when the check answers. */
export type NewerReplies = (seen: number | null) => Promise<{ authors: string[]; newest: number | null }>;

export function Composer({
  ticket,
  picking,
  onPicking,
  onPosted,
  onTyping,
  newestOnScreen,
  newerReplies,
  nameOf,
}: {
  /** Its status now: which "Send and ..." buttons a reply offers. */
  ticket: TicketDetail;
  /** Whether the macro picker is open (the page's shortcuts open it too). */
  picking: boolean;
  onPicking: (open: boolean) => void;
  onPosted: (kind: Kind) => void;
  /** Each keystroke in the text box (presence). */
  onTyping?: () => void;
  /** The newest message id on screen now. */
  newestOnScreen?: () => number | null;
  newerReplies?: NewerReplies;
  /** A colleague's name, by id. */
  nameOf: (userId: string) => string;
}) {
  const ticketId = ticket.id;
  const [kind, setKind] = useState<Kind>('reply');
  const form = useFields({ text: '' });
  const text = form.values.text;
  const error = form.errors.text;
  const [files, setFiles] = useState<Pending[]>([]);
  const [draft, setDraft] = useState<MacroDraft | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  // The status the send asked for, kept while a colleague's newer reply is asked about.
  const moving = useRef<TicketStatus | undefined>(undefined);
  // The newest message on screen when this draft was started (`undefined`: no draft yet).
  const started = useRef<number | null | undefined>(undefined);
  const [asking, setAsking] = useState<{ authors: string[]; newest: number | null } | null>(null);
  const submission = useSubmit();
  const hintId = useId();
  const confirmId = useId();
  const anyway = useRef<HTMLButtonElement>(null);
  const note = kind === 'note';
  const [linking, setLinking] = useState(false);
  const [linked, setLinked] = useState<string | null>(null);
  // Where the cursor was in the text box when the picker opened, and where it goes after.
  const selection = useRef<{ start: number; end: number } | null>(null);
  const caret = useRef<number | null>(null);
  // A macro just taken: the text box gets the focus once the picker has closed.
  const taken = useRef(false);

  // Previews of files never sent are let go with the form.
  const pending = useRef(files);
  pending.current = files;
  useEffect(() => () => pending.current.forEach((f) => f.preview && URL.revokeObjectURL(f.preview)), []);

  useEffect(() => {
    // Arriving with #reply (the `r` shortcut from the queue) lands in the text box, after the
    // page has moved focus to its heading.
    if (window.location.hash === `#${COMPOSER_ID}`) requestAnimationFrame(() => document.getElementById(COMPOSER_ID)?.focus());
  }, []);

  // The question takes the focus once the check that raised it is over (its button enabled).
  useLayoutEffect(() => {
    if (asking && !submission.busy) anyway.current?.focus();
  }, [asking, submission.busy]);

  const send = (confirmed: boolean, to?: TicketStatus) => {
    setSent(null);
    // A macro that posts no message may go with an empty text box.
    if (!form.check({ text: draft && !draft.posts ? [maxLength(20000)] : [required, maxLength(20000)] })) return;
    setAsking(null);
    if (!confirmed) moving.current = note ? undefined : to;
    const status = moving.current;
    void submission.run(async () => {
      if (!note && !confirmed && text.trim() && newerReplies) {
        const newer = await newerReplies(started.current ?? null);
        if (newer.authors.length) return setAsking(newer);
      }
      if (draft) {
        await applyMacro(ticketId, draft.macro.id, reviewedMacro(draft, text));
        form.setValues({ text: '' });
        started.current = undefined;
        setDraft(null);
        setSent({ macro: draft.macro.name, posted: Boolean(text.trim()) });
        onPosted(kind);
        return;
      }
      const ids: number[] = [];
      const uploaded = [...files];
      for (const [index, item] of uploaded.entries()) {
        // A file goes up with the note's visibility; one sent up for the other kind goes again.
        if (!item.stored || item.stored.internal !== note) {
          const stored = await uploadFile(ticketId, item.file, note);
          uploaded[index] = { ...item, stored: { id: stored.id, internal: note } };
          setFiles([...uploaded]);
        }
        ids.push(uploaded[index]!.stored!.id);
      }
      await postMessage(ticketId, { message: textToHtml(text), is_internal: note, ...(ids.length ? { attachment_ids: ids } : {}), ...(status ? { status } : {}) });
      for (const item of uploaded) if (item.preview) URL.revokeObjectURL(item.preview);
      form.setValues({ text: '' });
      setFiles([]);
      started.current = undefined;
      setSent({ kind, to: status });
      moving.current = undefined;
      onPosted(kind);
    });
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    send(false);
  };

  /** What is typed in the text box, by hand or put in. */
  const typed = (value: string) => {
    // A draft starts at its first character (again after being emptied).
    if (!value.trim()) started.current = undefined;
    else if (started.current === undefined) started.current = newestOnScreen?.() ?? null;
    form.set('text')(value);
    setSent(null);
    setAsking(null);
    setLinked(null);
    onTyping?.();
  };

  /** The macro's text after what is typed, its kind of message, and its changes pending. */
  const takeMacro = (macro: Macro, preview: MacroPreview) => {
    const next = macroDraft(macro, preview);
    setDraft(next);
    setKind(next.internal ? 'note' : 'reply');
    typed(withMacroText(text, preview.message?.message));
    submission.clear();
    taken.current = true;
    onPicking(false);
  };

  /** A plain message again, with what is in the text box. */
  const removeMacro = () => {
    setDraft(null);
    submission.clear();
    document.getElementById(COMPOSER_ID)?.focus();
  };

  const openPicker = () => {
    const box = document.getElementById(COMPOSER_ID) as HTMLTextAreaElement | null;
    selection.current = box ? { start: box.selectionStart, end: box.selectionEnd } : null;
    setLinked(null);
    setLinking(true);
  };

  const insertLink = (hit: SearchHit) => {
    const url = publicArticleUrl(window.location.origin, hit.locale, hit.slug);
    const at = selection.current ?? { start: text.length, end: text.length };
    const next = insertText(text, at.start, at.end, articleLinkText(hit.title, url, hit.locale));
    setLinking(false);
    typed(next.text);
    caret.current = next.caret;
    setLinked(t('help.link.inserted', { title: hit.title }));
  };

  /** Not now: the draft stays, and counts from the replies just seen. */
  const holdBack = () => {
    if (asking) started.current = asking.newest;
    setAsking(null);
    document.getElementById(COMPOSER_ID)?.focus();
  };

  return (
    <form ref={form.ref} class={note ? 'form composer composer--note' : 'form composer'} onSubmit={onSubmit} noValidate aria-label={t('console.composer.title')}>
      <div class="composer-tools">
        <button type="button" class="button button--secondary button--small" aria-haspopup="dialog" onClick={openPicker}>
          {t('help.link.open')}
        </button>
        <button type="button" class="button button--secondary button--small" aria-haspopup="dialog" aria-keyshortcuts="m Control+Shift+M Meta+Shift+M" onClick={() => onPicking(true)}>
          {t('macros.picker.open')}
        </button>
      </div>
      <fieldset class="composer-kind">
        <legend>{t('console.composer.kind')}</legend>
        <label class="choice">
          <input type="radio" name="kind" value="reply" checked={!note} disabled={Boolean(draft)} onChange={() => (setKind('reply'), setSent(null))} />
          {t('console.composer.kind_reply')}
        </label>
        <label class="choice">
          <input type="radio" name="kind" value="note" checked={note} disabled={Boolean(draft)} onChange={() => (setKind('note'), setSent(null))} />
          <LockIcon />
          {t('console.composer.kind_note')}
        </label>
      </fieldset>
      <div class={error ? 'field field--invalid' : 'field'}>
        <label for={COMPOSER_ID}>{note ? t('console.composer.note_label') : t('console.composer.reply_label')}</label>
        <p id={hintId} class={note ? 'composer-hint composer-hint--note' : 'composer-hint'}>
          {note ? <LockIcon /> : null}
          {note ? t('console.composer.note_hint') : t('console.composer.reply_hint')}
        </p>
        <textarea
          id={COMPOSER_ID}
          name="message"
          rows={6}
          value={text}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${hintId} ${hintId}-error` : hintId}
          onInput={(e) => typed(e.currentTarget.value)}
        />
        <FieldError id={hintId} error={error} />
      </div>
      {draft ? (
        <>
          <PendingMacro draft={draft} onRemoveChange={(change) => setDraft(withoutChange(draft, change))} onRemove={removeMacro} />
          <p class="field-hint">{t('macros.draft.files')}</p>
        </>
      ) : (
        <Dropzone files={files} onChange={setFiles} />
      )}
      {asking ? (
        <div class="actions confirm" role="group" aria-labelledby={confirmId}>
          <span id={confirmId}>{tn('console.composer.newer', asking.authors.length, { names: listOf(asking.authors.map(nameOf)) })}</span>
          <button ref={anyway} type="button" class="button" disabled={submission.busy} onClick={() => send(true)}>
            {t('console.composer.send_anyway')}
          </button>
          <button type="button" class="button button--secondary" onClick={holdBack}>
            {t('console.composer.not_now')}
          </button>
        </div>
      ) : null}
      {draft && submission.error ? (
        <div class="alert alert--error" role="alert">
          <p>{macroRefusal(draft.macro, submission.error, ticket.status)}</p>
        </div>
      ) : (
        <ErrorAlert error={submission.error} overrides={{ ticket_closed: 'console.composer.closed' }} />
      )}
      {sent ? <Notice tone="success">{sentText(sent)}</Notice> : null}
      <p class="live-note" role="status">
        {linked ?? ''}
      </p>
      <div class="actions composer-send">
        <button type="submit" class={note ? 'button button--note' : 'button'} disabled={submission.busy}>
          {submission.busy
            ? t('console.composer.sending')
            : draft && !text.trim()
              ? t('macros.draft.apply')
              : note
                ? t('console.composer.note_submit')
                : t('console.composer.reply_submit')}
        </button>
        {/* A pending macro sets the status its own way. */}
        {!note && !draft
          ? SEND_AND.filter((option) => canSendAnd(ticket.status, option.to)).map((option) => (
              <button key={option.to} type="button" class="button button--secondary" disabled={submission.busy} onClick={() => send(false, option.to)}>
                {t(option.label)}
              </button>
            ))
          : null}
      </div>
      <ArticleLinkPicker
        open={linking}
        onClose={() => {
          setLinking(false);
          // Back in the text box, after the link when one was put in.
          const box = document.getElementById(COMPOSER_ID) as HTMLTextAreaElement | null;
          box?.focus();
          if (box && caret.current !== null) box.setSelectionRange(caret.current, caret.current);
          caret.current = null;
        }}
        onPick={insertLink}
      />
      <MacroPicker
        ticket={ticket}
        open={picking}
        onClose={() => {
          onPicking(false);
          if (!taken.current) return;
          taken.current = false;
          // In the text box, after the macro's text, to review it.
          const box = document.getElementById(COMPOSER_ID) as HTMLTextAreaElement | null;
          box?.focus();
          box?.setSelectionRange(box.value.length, box.value.length);
        }}
        onPreviewed={takeMacro}
      />
    </form>
  );
}

function sentText(sent: Sent): string {
  if ('macro' in sent) return t(sent.posted ? 'macros.apply.sent' : 'macros.apply.done', { name: sent.macro });
  if (sent.kind === 'note') return t('console.composer.note_sent');
  return sent.to ? t('console.composer.reply_sent_status', { status: t(STATUS_LABEL[sent.to]) }) : t('console.composer.reply_sent');
}

/** "Inès", "Inès and Hugo", "Inès, Hugo and Léa", in the page's language. */
function listOf(names: string[]): string {
  return new Intl.ListFormat(getLocale(), { style: 'long', type: 'conjunction' }).format(names);
}
