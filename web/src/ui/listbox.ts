/**
 * A combobox's list of options: the text box keeps the focus while the arrow keys, Home and End
 * move the highlight through the options shown (kept in view), and Enter chooses the highlighted
 * one; a click chooses as Enter does.
 */

import { useEffect, useId, useState } from 'preact/hooks';

/** The option highlighted after moving `step` from `index` in a list of `count`, wrapping. */
export function moveHighlight(index: number, step: number, count: number): number {
  if (count <= 0) return -1;
  if (index < 0) return step > 0 ? 0 : count - 1;
  return (((index + step) % count) + count) % count;
}

/** `shown`: the options; `keyOf`: an option's own key (its id); `onChoose`: Enter or a click on
 * one; `onArrowInEmpty`: an arrow pressed with no option shown (a closed list opens, say). */
export function useListbox<T>(shown: readonly T[], keyOf: (option: T) => string, onChoose: (option: T, index: number) => void, onArrowInEmpty?: () => void) {
  const id = useId();
  const [highlight, setHighlight] = useState(0);
  const active = highlight >= 0 && highlight < shown.length ? shown[highlight] : undefined;
  const optionId = (option: T) => `${id}-option-${keyOf(option)}`;
  const listId = `${id}-list`;

  // The highlighted option stays in view as the arrows move it.
  useEffect(() => {
    if (active) document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
  }, [active ? keyOf(active) : undefined]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!shown.length && onArrowInEmpty) return onArrowInEmpty();
      setHighlight((h) => moveHighlight(h, event.key === 'ArrowDown' ? 1 : -1, shown.length));
    } else if (event.key === 'Home' || event.key === 'End') {
      if (!shown.length) return;
      event.preventDefault();
      setHighlight(event.key === 'Home' ? 0 : shown.length - 1);
    } else if (event.key === 'Enter') {
      // Enter chooses; it never sends a form from here.
      event.preventDefault();
      if (active) onChoose(active, highlight);
    }
  };

  /** The text box's part: what it controls and which option is highlighted. */
  const combobox = {
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': shown.length > 0 ? 'true' : 'false',
    'aria-controls': listId,
    'aria-activedescendant': active ? optionId(active) : undefined,
    onKeyDown,
  } as const;

  /** An option's part: its id, whether it is highlighted, and the click that chooses it (the
   * text box keeping the focus). */
  const option = (item: T, index: number) => ({
    id: optionId(item),
    role: 'option',
    'aria-selected': index === highlight ? 'true' : 'false',
    class: index === highlight ? 'picker-option picker-option--active' : 'picker-option',
    onMouseDown: (e: MouseEvent) => e.preventDefault(),
    onClick: () => onChoose(item, index),
  }) as const;

  return { id, listId, highlight, setHighlight, active, onKeyDown, combobox, option };
}
