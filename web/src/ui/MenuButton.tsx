/**
 * A button that opens a short menu of actions (the WAI-ARIA menu button): Enter, Space or
 * ArrowDown open it on its first item, ArrowUp on its last; the arrows, Home and End move
 * between the items, Enter or Space picks one; Escape closes it and gives focus back to the
 * button, as do a press outside and Tab (focus goes on). Picking an item closes the menu with
 * the focus on the button, so a dialog the item opens gives it back there.
 */

import { useLayoutEffect, useState } from 'preact/hooks';
import { usePopup } from './hooks';
import { menuMove, openingItem } from './menu';

export interface MenuItem {
  key: string;
  label: string;
  onSelect: () => void;
}

/** `label`: the button's accessible name (it shows an icon only); `title`: its tooltip. */
export function MenuButton({ label, items }: { label: string; items: MenuItem[] }) {
  const { open, setOpen, close, id, box, button, panel: menu, onFocusOut } = usePopup<HTMLDivElement>();
  const [active, setActive] = useState(0);
  useLayoutEffect(() => {
    if (open) menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]')[active]?.focus();
  }, [open, active]);

  const openAt = (index: number) => {
    setActive(index);
    setOpen(true);
  };
  const pick = (item: MenuItem) => {
    close();
    button.current?.focus();
    item.onSelect();
  };

  return (
    <div class="action-menu" ref={box} onFocusOut={onFocusOut}>
      <button
        ref={button}
        type="button"
        class="action-menu-trigger"
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => (open ? close() : openAt(0))}
        onKeyDown={(event) => {
          const index = openingItem(event.key, items.length);
          if (index === null) return;
          event.preventDefault();
          openAt(index);
        }}
      >
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
          <circle cx="3" cy="8" r="1.5" fill="currentColor" />
          <circle cx="8" cy="8" r="1.5" fill="currentColor" />
          <circle cx="13" cy="8" r="1.5" fill="currentColor" />
        </svg>
      </button>
      {open ? (
        <div
          id={id}
          ref={menu}
          role="menu"
          aria-label={label}
          class="action-menu-list"
          onKeyDown={(event) => {
            if (event.key === 'Tab') return close();
            const next = menuMove(event.key, active, items.length);
            if (next === null) return;
            event.preventDefault();
            setActive(next);
          }}
        >
          {items.map((item, index) => (
            <button key={item.key} type="button" role="menuitem" tabIndex={index === active ? 0 : -1} class="action-menu-item" onClick={() => pick(item)}>
              {item.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
