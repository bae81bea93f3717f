/**
 * The ticket's tags, which anyone on the staff may add and take off: words the team puts on a
 * ticket to find it again and to filter the queue by (`refund`, `vip:gold`). Each change names
 * only the tag added or taken off (`add_tags`, `remove_tags`), applied by the server to what the
 * ticket holds then, so two people tagging the same ticket at once both keep theirs. The server
 * reads each tag trimmed and lower-cased; a bad one, or one tag too many, is said beside the field.
 * Customers never see tags (the server shows them none).
 */

import { useId, useRef, useState } from 'preact/hooks';
import type { TicketDetail } from '../../api/schemas';
import { updateTicket } from '../../data/tickets';
import { t } from '../../i18n';
import { FieldError } from '../../ui/Field';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert } from '../../ui/status';
import { addOutcome, normaliseTag, suggestions, tagRefusal } from '../tags';
import { useTagSuggestions } from '../useTagSuggestions';
import { Property } from './Property';

export function TagsControl({ ticket, onChanged, onAnnounce }: { ticket: TicketDetail; onChanged: () => Promise<void>; onAnnounce: (text: string) => void }) {
  const id = useId();
  const labelId = `${id}-title`;
  const inputId = `${id}-tag`;
  const listId = `${id}-suggestions`;
  const [typed, setTyped] = useState('');
  // The server's refusal of what was typed (or nothing typed), beside the field.
  const [refusal, setRefusal] = useState('');
  const [wanted, setWanted] = useState(false);
  const submission = useSubmit();
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const tags = ticket.tags;
  const closed = ticket.status === 'closed';
  const offered = suggestions(useTagSuggestions(typed, wanted && !closed), tags);

  const add = () => {
    const tag = typed;
    if (!tag.trim()) {
      setRefusal(t('tags.ticket.empty'));
      input.current?.focus();
      return;
    }
    void submission.run(async () => {
      try {
        await updateTicket(ticket.id, { add_tags: [tag] });
        setTyped('');
        setRefusal('');
        onAnnounce(t(addOutcome(tag, tags) === 'already' ? 'tags.ticket.already' : 'tags.ticket.added', { tag: normaliseTag(tag) }));
        await onChanged();
      } catch (error) {
        // A bad tag or one too many: said beside the field, which keeps what was typed. It
        // changed nothing, so nothing is reloaded: the submission ends with the refusal shown,
        // and the next press (a tag's removal, say) is not dropped behind a reload still running.
        const key = tagRefusal(error);
        if (!key) {
          await onChanged();
          throw error;
        }
        setRefusal(t(key, { tag: tag.trim() }));
      } finally {
        // The focus stays in the field (or comes back to it from the button), for the next tag.
        input.current?.focus();
      }
    });
  };

  const remove = (tag: string) => {
    // The button pressed goes with its tag: the focus moves to the tag that takes its place, or
    // the one before, or the field once none is left.
    const at = tags.indexOf(tag);
    const next = tags[at + 1] ?? tags[at - 1];
    void submission.run(async () => {
      let removed = false;
      try {
        await updateTicket(ticket.id, { remove_tags: [tag] });
        removed = true;
        onAnnounce(t('tags.ticket.removed', { tag }));
      } finally {
        await onChanged();
        if (removed) requestAnimationFrame(() => focusAfterRemoval(list.current, next, input.current ?? document.getElementById(labelId)));
      }
    });
  };

  return (
    <Property id={labelId} label={t('tags.ticket.title')}>
      {tags.length ? (
        <ul class="tag-list" ref={list}>
          {tags.map((tag) => (
            <li key={tag} class="tag">
              <span class="tag-name">{tag}</span>
              {closed ? null : (
                <button type="button" class="tag-remove" data-tag={tag} aria-label={t('tags.ticket.remove', { tag })} title={t('tags.ticket.remove', { tag })} onClick={() => remove(tag)}>
                  <svg class="icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
                    <path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
                  </svg>
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p class="property-value">{t('tags.ticket.none')}</p>
      )}
      {closed ? null : (
        <form
          class="tag-add"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            add();
          }}
        >
          <label for={inputId}>{t('tags.ticket.add')}</label>
          <p class="field-hint" id={`${inputId}-hint`}>
            {t('tags.ticket.add_hint')}
          </p>
          <div class="property-inline">
            <input
              ref={input}
              id={inputId}
              name="tag"
              type="text"
              value={typed}
              list={listId}
              autocomplete="off"
              spellcheck={false}
              aria-invalid={refusal ? 'true' : undefined}
              aria-describedby={refusal ? `${inputId}-hint ${inputId}-error` : `${inputId}-hint`}
              onFocus={() => setWanted(true)}
              onInput={(e) => {
                setTyped(e.currentTarget.value);
                // A corrected field stops being flagged as soon as it is edited.
                setRefusal('');
              }}
            />
            <button type="submit" class="button button--secondary">
              {t('tags.ticket.submit')}
            </button>
          </div>
          <FieldError id={inputId} error={refusal || undefined} />
          <datalist id={listId}>
            {offered.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </form>
      )}
      <ErrorAlert error={submission.error} />
    </Property>
  );
}

/** After a tag is taken off: the remove button of `next` if it is still shown, else `fallback`. */
function focusAfterRemoval(list: HTMLUListElement | null, next: string | undefined, fallback: HTMLElement | null) {
  const button = next ? Array.from(list?.querySelectorAll<HTMLButtonElement>('button[data-tag]') ?? []).find((b) => b.dataset.tag === next) : undefined;
  (button ?? fallback)?.focus();
}
