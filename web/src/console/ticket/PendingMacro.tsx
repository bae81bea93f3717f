/**
 * The macro pending in the composer, under the text box: what it changes on the ticket with the
 * message, each change removable (the send skips it), and the macro itself removable (what is
 * in the text box stays, for a plain message).
 */

import { useId } from 'preact/hooks';
import { t, type MessageKey } from '../../i18n';
import { useFocusAfterRender } from '../../ui/hooks';
import { effectText } from '../MacroEffects';
import type { ChangeKind, MacroDraft } from '../macroDraft';
import { usePeople } from '../people';

/** Each change's remove button, named by the change it takes out. */
const REMOVE_LABEL: Record<ChangeKind, MessageKey> = {
  status: 'macros.draft.remove_status',
  priority: 'macros.draft.remove_priority',
  assigned_to: 'macros.draft.remove_assignment',
  add_tags: 'macros.draft.remove_tags',
};

export function PendingMacro({ draft, onRemoveChange, onRemove }: { draft: MacroDraft; onRemoveChange: (kind: ChangeKind) => void; onRemove: () => void }) {
  const people = usePeople();
  const titleId = useId();
  // A removed change's button goes with it: the focus moves to the next button.
  const { container, focusAfter } = useFocusAfterRender<HTMLDivElement>();
  const name = draft.macro.name;
  return (
    <div ref={container} class="macro-draft" role="group" aria-labelledby={titleId}>
      <p id={titleId} class="macro-draft-title">
        {!draft.changes.length ? t('macros.draft.nothing', { name }) : draft.internal ? t('macros.draft.with_note', { name }) : t('macros.draft.with_reply', { name })}
      </p>
      {draft.changes.length ? (
        <ul class="macro-draft-changes">
          {draft.changes.map((change) => (
            <li key={change.kind}>
              <span>{effectText(change.effect, people)}</span>
              <button
                type="button"
                class="button button--secondary button--small"
                aria-label={t(REMOVE_LABEL[change.kind])}
                onClick={() => {
                  focusAfter('button');
                  onRemoveChange(change.kind);
                }}
              >
                {t('macros.draft.remove')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" class="button button--secondary button--small" onClick={onRemove}>
        {t('macros.draft.remove_macro')}
      </button>
    </div>
  );
}
