//! Writing on a ticket: a public reply to the customer or an internal note for the team, with
//! files dropped or chosen. The kind is chosen first and said again beside the text box, and a
//! note says that the customer never sees it. Live updates re-render around this form without
//! touching what is being typed (its state lives here).

import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { uploadFile } from '../../data/files';
import { postMessage } from '../../data/messages';
import { t } from '../../i18n';
import { textToHtml } from '../../tickets/text';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Notice } from '../../ui/status';
import { maxLength, required, validate } from '../../ui/validate';
import { Dropzone, type Pending } from './Dropzone';
import { LockIcon } from '../../tickets/icons';

export const COMPOSER_ID = 'reply';

type Kind = 'reply' | 'note';

export function Composer({ ticketId, onPosted }: { ticketId: number; onPosted: (kind: Kind) => void }) {
  const [kind, setKind] = useState<Kind>('reply');
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Pending[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [sent, setSent] = useState<Kind | null>(null);
  const submission = useSubmit();
  const hintId = useId();
  const note = kind === 'note';

  // Previews of files never sent are let go with the form.
  const pending = useRef(files);
  pending.current = files;
  useEffect(() => () => pending.current.forEach((f) => f.preview && URL.revokeObjectURL(f.preview)), []);

  useEffect(() => {
    // Arriving with #reply (the `r` shortcut from the queue) lands in the text box, after the
    // page has moved focus to its heading.
    if (window.location.hash === `#${COMPOSER_ID}`) requestAnimationFrame(() => document.getElementById(COMPOSER_ID)?.focus());
  }, []);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    setSent(null);
    const found = validate({ text }, { text: [required, maxLength(20000)] });
    setError(found.text);
    if (found.text) return void document.getElementById(COMPOSER_ID)?.focus();
    void submission.run(async () => {
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
      await postMessage(ticketId, { message: textToHtml(text), is_internal: note, ...(ids.length ? { attachment_ids: ids } : {}) });
      for (const item of uploaded) if (item.preview) URL.revokeObjectURL(item.preview);
      setText('');
      setFiles([]);
      setSent(kind);
      onPosted(kind);
    });
  };

  return (
    <form class={note ? 'form composer composer--note' : 'form composer'} onSubmit={onSubmit} noValidate aria-label={t('console.composer.title')}>
      <fieldset class="composer-kind">
        <legend>{t('console.composer.kind')}</legend>
        <label class="choice">
          <input type="radio" name="kind" value="reply" checked={!note} onChange={() => (setKind('reply'), setSent(null))} />
          {t('console.composer.kind_reply')}
        </label>
        <label class="choice">
          <input type="radio" name="kind" value="note" checked={note} onChange={() => (setKind('note'), setSent(null))} />
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
          onInput={(e) => {
            setText(e.currentTarget.value);
            setError(undefined);
            setSent(null);
          }}
        />
        {error ? (
          <p class="field-error" id={`${hintId}-error`}>
            {error}
          </p>
        ) : null}
      </div>
      <Dropzone files={files} onChange={setFiles} />
      {submission.error ? <ErrorAlert error={submission.error} overrides={{ ticket_closed: 'console.composer.closed' }} /> : null}
      {sent ? <Notice tone="success">{sent === 'note' ? t('console.composer.note_sent') : t('console.composer.reply_sent')}</Notice> : null}
      <button type="submit" class={note ? 'button button--note' : 'button'} disabled={submission.busy}>
        {submission.busy ? t('console.composer.sending') : note ? t('console.composer.note_submit') : t('console.composer.reply_submit')}
      </button>
    </form>
  );
}
