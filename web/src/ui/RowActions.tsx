/**
 * A settings list's row (a macro, a team, a field, a schedule): shown, edited in place, or its
 * deletion asked and confirmed in place. Focus follows each change to the control that takes
 * the place of the one that had it: the form's first field, the Edit button again, the
 * confirmation, the Delete button again.
 */

import { useState } from 'preact/hooks';
import { useFocusAfterRender } from './hooks';

/** The row's modes; `editFocus`: the form field focused when editing begins. */
export function useRowModes(editFocus: string) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const { container: row, focusAfter } = useFocusAfterRender<HTMLLIElement>();
  const to = (focus: string, apply: () => void) => () => {
    focusAfter(focus);
    apply();
  };
  return {
    /** The row's element (`ref`), where focus is looked for. */
    row,
    editing,
    confirming,
    edit: to(editFocus, () => setEditing(true)),
    /** Editing ends, saved or cancelled. */
    shown: to('[data-action="edit"]', () => setEditing(false)),
    ask: to('[data-action="delete-yes"]', () => setConfirming(true)),
    keep: to('[data-action="delete"]', () => setConfirming(false)),
    /** The row's item is gone: the list reads again without it. */
    deleted: () => setConfirming(false),
  };
}

export type RowModes = ReturnType<typeof useRowModes>;

/** What the row's buttons say, each already in the page's words and with the item's name. */
export interface RowLabels {
  edit: string;
  editNamed: string;
  delete: string;
  deleteNamed: string;
  confirm: string;
  yes: string;
  cancel: string;
}

/** Edit and Delete, or the question and its answers while a deletion is asked. */
export function RowActions({ modes, busy, onDelete, labels }: { modes: RowModes; busy: boolean; onDelete: () => void; labels: RowLabels }) {
  return (
    <div class="actions">
      {modes.confirming ? (
        <>
          <span>{labels.confirm}</span>
          <button type="button" class="button button--danger" data-action="delete-yes" disabled={busy} onClick={onDelete}>
            {labels.yes}
          </button>
          <button type="button" class="button button--secondary" onClick={modes.keep}>
            {labels.cancel}
          </button>
        </>
      ) : (
        <>
          <button type="button" class="button button--secondary" data-action="edit" aria-label={labels.editNamed} onClick={modes.edit}>
            {labels.edit}
          </button>
          <button type="button" class="button button--secondary" data-action="delete" aria-label={labels.deleteNamed} onClick={modes.ask}>
            {labels.delete}
          </button>
        </>
      )}
    </div>
  );
}

/** What the move buttons say, each already in the page's words (the named ones with the item's name). */
export interface MoveLabels {
  up: string;
  upNamed: string;
  down: string;
  downNamed: string;
}

/** Move up and Move down for a row of an ordered list (`index` of `count`): none while a
 *  deletion is asked or when the list holds one row. `move(-1)` or `move(1)` does the move. */
export function MoveButtons({
  modes,
  index,
  count,
  move,
  labels,
}: {
  modes: RowModes;
  index: number;
  count: number;
  move: (by: -1 | 1) => void;
  labels: MoveLabels;
}) {
  if (modes.confirming || count < 2) return null;
  return (
    <div class="actions">
      <button
        type="button"
        class="button button--secondary button--small"
        data-action="move-up"
        disabled={index === 0}
        aria-label={labels.upNamed}
        onClick={() => move(-1)}
      >
        {labels.up}
      </button>
      <button
        type="button"
        class="button button--secondary button--small"
        data-action="move-down"
        disabled={index === count - 1}
        aria-label={labels.downNamed}
        onClick={() => move(1)}
      >
        {labels.down}
      </button>
    </div>
  );
}
