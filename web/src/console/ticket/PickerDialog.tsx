/**
 * A modal dialog to pick something for the ticket (a macro, an article to link): its title, what
 * it holds while open (mounted afresh at each opening), and the button that closes it.
 */

import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { useModalDialog } from '../../ui/hooks';

export function PickerDialog({ open, title, closeLabel, onClose, children }: { open: boolean; title: string; closeLabel: string; onClose: () => void; children: ComponentChildren }) {
  const dialog = useModalDialog(open);
  const titleId = useId();
  return (
    <dialog ref={dialog} class="dialog dialog--wide" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open ? children : null}
      <button type="button" class="button button--secondary" onClick={onClose}>
        {closeLabel}
      </button>
    </dialog>
  );
}
