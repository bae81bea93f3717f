/**
 * The signed-in person's own menu in the header, under their name: their settings and signing
 * out. A button opens it (Enter or Space) and moves focus to its first item; Escape, a press
 * outside or focus leaving it closes it, Escape handing focus back to the button.
 */

import { useLayoutEffect } from 'preact/hooks';
import { t } from '../i18n';
import { Link } from '../router/router';
import { usePopup } from './hooks';
import type { NavItem } from './nav';

export interface UserMenuProps {
  /** Empty while the person is not known yet (their profile failed to load). */
  name: string;
  onSignOut: () => void;
  signingOut?: boolean | undefined;
  /** Their own pages (notification settings, account security). */
  links?: NavItem[] | undefined;
}

export function UserMenu({ name, onSignOut, signingOut, links = [] }: UserMenuProps) {
  const { open, setOpen, close, id, box, button, panel, onFocusOut } = usePopup<HTMLDivElement>();
  useLayoutEffect(() => {
    if (open) panel.current?.querySelector<HTMLElement>('a, button')?.focus();
  }, [open]);

  return (
    <div class="user-menu" ref={box} onFocusOut={onFocusOut}>
      <button
        ref={button}
        type="button"
        class="user-button"
        aria-label={name ? `${name}, ${t('common.account_menu')}` : t('common.account_menu')}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <span class="avatar" aria-hidden="true">
          {initials(name)}
        </span>
        {name ? <span class="user-name">{name}</span> : null}
        <svg class="icon user-chevron" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
          <path d="M3.5 6 8 10.5 12.5 6" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
      </button>
      {open ? (
        <div id={id} ref={panel} class="user-panel">
          <nav aria-label={t('common.account_nav')}>
            <ul>
              {links.map((item) => (
                <li key={item.href}>
                  <Link href={item.href} aria-current={item.current ? 'page' : undefined} onClick={close}>
                    {item.label}
                  </Link>
                </li>
              ))}
              <li>
                <button type="button" onClick={onSignOut} disabled={signingOut}>
                  {t('common.sign_out')}
                </button>
              </li>
            </ul>
          </nav>
        </div>
      ) : null}
    </div>
  );
}

/** One or two letters of the name for the round badge; a neutral sign without one. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return '?';
  const letters = words.length === 1 ? [words[0]!] : [words[0]!, words[words.length - 1]!];
  return letters.map((w) => Array.from(w)[0]!.toLocaleUpperCase()).join('');
}
