//! Choosing a macro to apply to the ticket: a modal dialog (the button, `m`, or Ctrl/Cmd+Shift+M
//! from anywhere) with a filter box that keeps the focus while the arrow keys move through the
//! list (a combobox with its listbox), Enter taking the highlighted macro. Taking one previews it
//! (nothing is written) and hands the preview to the composer, where the agent reviews it before
//! sending; a macro the ticket would refuse is said in the dialog, which stays open for another
//! choice.

import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../../api';
import type { TicketDetail, TicketStatus } from '../../api/schemas';
import { describeProblem } from '../../errors/describe';
import { listMacros, previewMacro, type Macro, type MacroPreview } from '../../data/macros';
import { useResource } from '../../data/resource';
import { t } from '../../i18n';
import { STATUS_LABEL } from '../../tickets/badges';
import { useMember } from '../../tenant/member';
import { useModalDialog, useSubmit } from '../../ui/hooks';
import { EmptyState, Loaded } from '../../ui/status';
import { MacroEffects } from '../MacroEffects';
import { filterMacros, moveHighlight } from '../macros';

export function MacroPicker({ ticket, open, onClose, onPreviewed }: { ticket: TicketDetail; open: boolean; onClose: () => void; onPreviewed: (macro: Macro, preview: MacroPreview) => void }) {
  const dialog = useModalDialog(open);
  const titleId = useId();
  return (
    <dialog ref={dialog} class="dialog dialog--wide" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{t('macros.picker.title')}</h2>
      {open ? <PickerBody ticket={ticket} onPreviewed={onPreviewed} /> : null}
      <button type="button" class="button button--secondary" onClick={onClose}>
        {t('macros.picker.close')}
      </button>
    </dialog>
  );
}

/** Mounted while the dialog is open: the list is read again at each opening (an admin may have
 * just added one). */
function PickerBody({ ticket, onPreviewed }: { ticket: TicketDetail; onPreviewed: (macro: Macro, preview: MacroPreview) => void }) {
  const { slug } = useMember();
  const macros = useResource(`macros:${slug}:${ticket.id}`, listMacros);
  const [query, setQuery] = useState('');
  const [highlight, setHighlight] = useState(0);
  const [refused, setRefused] = useState<{ macro: Macro; error: unknown } | null>(null);
  const submission = useSubmit();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const shown = filterMacros(macros.data ?? [], query);
  const active = highlight >= 0 && highlight < shown.length ? shown[highlight] : undefined;
  const optionId = (macro: Macro) => `${id}-macro-${macro.id}`;

  useLayoutEffect(() => input.current?.focus(), []);
  // The highlighted option stays in view as the arrows move it.
  useEffect(() => {
    if (active) document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
  }, [active?.id]);

  const take = (macro: Macro) =>
    void submission.run(async () => {
      setRefused(null);
      try {
        onPreviewed(macro, await previewMacro(ticket.id, macro.id));
      } catch (error) {
        setRefused({ macro, error });
        input.current?.focus();
      }
    });

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setHighlight((h) => moveHighlight(h, event.key === 'ArrowDown' ? 1 : -1, shown.length));
    } else if (event.key === 'Home' || event.key === 'End') {
      if (!shown.length) return;
      event.preventDefault();
      setHighlight(event.key === 'Home' ? 0 : shown.length - 1);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (active && !submission.busy) take(active);
    }
  };

  return (
    <div class="picker">
      <div class="field">
        <label for={`${id}-filter`}>{t('macros.picker.filter')}</label>
        <p class="field-hint" id={`${id}-hint`}>
          {t('macros.picker.hint')}
        </p>
        <input
          ref={input}
          id={`${id}-filter`}
          type="text"
          role="combobox"
          autocomplete="off"
          spellcheck={false}
          aria-autocomplete="list"
          aria-expanded={shown.length > 0 ? 'true' : 'false'}
          aria-controls={`${id}-list`}
          aria-activedescendant={active ? optionId(active) : undefined}
          aria-describedby={`${id}-hint`}
          value={query}
          onInput={(e) => {
            setQuery(e.currentTarget.value);
            setHighlight(0);
            // A refusal belongs to the macro it was about, not to the next search.
            setRefused(null);
          }}
          onKeyDown={onKeyDown}
        />
      </div>
      <Loaded resource={macros} empty={(all) => all.length === 0 && t('macros.picker.none')}>
        {() => (shown.length ? null : <EmptyState title={t('macros.picker.no_match', { query: query.trim() })} />)}
      </Loaded>
      <ul id={`${id}-list`} class="picker-list" role="listbox" aria-label={t('macros.picker.list')} hidden={!shown.length}>
        {shown.map((macro, index) => (
          <li
            key={macro.id}
            id={optionId(macro)}
            role="option"
            aria-selected={index === highlight ? 'true' : 'false'}
            class={index === highlight ? 'picker-option picker-option--active' : 'picker-option'}
            // The filter box keeps the focus; a click picks as Enter does.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => {
              setHighlight(index);
              if (!submission.busy) take(macro);
            }}
          >
            <span class="picker-name">{macro.name}</span>
            <MacroEffects macro={macro} compact />
          </li>
        ))}
      </ul>
      <p class="live-note" role="status">
        {submission.busy && active ? t('macros.picker.taking', { name: active.name }) : ''}
      </p>
      {refused ? (
        <div class="alert alert--error" role="alert">
          <p>{macroRefusal(refused.macro, refused.error, ticket.status)}</p>
        </div>
      ) : null}
    </div>
  );
}

/** Why the server refused the macro (its preview or its apply), in the ticket's terms. */
export function macroRefusal(macro: Macro, error: unknown, current: TicketStatus): string {
  if (error instanceof ApiProblem && error.code === 'invalid_transition' && macro.status) {
    return t('macros.apply.refused_status', { name: macro.name, status: t(STATUS_LABEL[macro.status]), current: t(STATUS_LABEL[current]) });
  }
  if (error instanceof ApiProblem && error.code === 'not_found') return t('macros.apply.gone', { name: macro.name });
  if (error instanceof ApiProblem && error.status === 409) return `${t('macros.apply.refused', { name: macro.name })} ${describeProblem(error)}`;
  return describeProblem(error);
}
