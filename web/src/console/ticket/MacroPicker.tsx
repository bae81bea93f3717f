/**
 * Choosing a macro to apply to the ticket: a modal dialog (the button, `m`, or Ctrl/Cmd+Shift+M
 * from anywhere) with a filter box that keeps the focus while the arrow keys move through the
 * list (a combobox with its listbox), Enter taking the highlighted macro. Taking one previews it
 * (nothing is written) and hands the preview to the composer, where the agent reviews it before
 * sending; a macro the ticket would refuse is said in the dialog, which stays open for another
 * choice.
 */

import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../../api';
import type { TicketDetail, TicketStatus } from '../../api/schemas';
import { describeProblem } from '../../errors/describe';
import { listMacros, previewMacro, type Macro, type MacroPreview } from '../../data/macros';
import { useResource } from '../../data/resource';
import { t } from '../../i18n';
import { STATUS_LABEL } from '../../tickets/badges';
import { useMember } from '../../tenant/member';
import { FormRow } from '../../ui/Field';
import { useSubmit } from '../../ui/hooks';
import { useListbox } from '../../ui/listbox';
import { EmptyState, Loaded } from '../../ui/status';
import { MacroEffects } from '../MacroEffects';
import { filterMacros } from '../macros';
import { PickerDialog } from './PickerDialog';

export function MacroPicker({ ticket, open, onClose, onPreviewed }: { ticket: TicketDetail; open: boolean; onClose: () => void; onPreviewed: (macro: Macro, preview: MacroPreview) => void }) {
  return (
    <PickerDialog open={open} title={t('macros.picker.title')} closeLabel={t('macros.picker.close')} onClose={onClose}>
      <PickerBody ticket={ticket} onPreviewed={onPreviewed} />
    </PickerDialog>
  );
}

/** Mounted while the dialog is open: the list is read again at each opening (an admin may have
 * just added one). */
function PickerBody({ ticket, onPreviewed }: { ticket: TicketDetail; onPreviewed: (macro: Macro, preview: MacroPreview) => void }) {
  const { slug } = useMember();
  const macros = useResource(`macros:${slug}:${ticket.id}`, listMacros);
  const [query, setQuery] = useState('');
  const [refused, setRefused] = useState<{ macro: Macro; error: unknown } | null>(null);
  const submission = useSubmit();
  const input = useRef<HTMLInputElement>(null);
  const shown = filterMacros(macros.data ?? [], query);

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
  const listbox = useListbox(shown, (macro) => String(macro.id), (macro, index) => {
    setHighlight(index);
    if (!submission.busy) take(macro);
  });
  const { id, setHighlight, active } = listbox;

  useLayoutEffect(() => input.current?.focus(), []);

  return (
    <div class="picker">
      <FormRow id={`${id}-filter`} label={t('macros.picker.filter')} hint={t('macros.picker.hint')}>
        {(control) => (
          <input
            ref={input}
            {...control}
            {...listbox.combobox}
            type="text"
            autocomplete="off"
            spellcheck={false}
            value={query}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
              setHighlight(0);
              // A refusal belongs to the macro it was about, not to the next search.
              setRefused(null);
            }}
          />
        )}
      </FormRow>
      <Loaded resource={macros} empty={(all) => all.length === 0 && t('macros.picker.none')}>
        {() => (shown.length ? null : <EmptyState title={t('macros.picker.no_match', { query: query.trim() })} />)}
      </Loaded>
      <ul id={listbox.listId} class="picker-list" role="listbox" aria-label={t('macros.picker.list')} hidden={!shown.length}>
        {shown.map((macro, index) => (
          <li key={macro.id} {...listbox.option(macro, index)}>
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
