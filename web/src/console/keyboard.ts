/**
 * The console's single-key shortcuts (j, k, Enter, r, e, m, ?), never while typing in a field
 * nor with Ctrl, Alt or Meta held (those belong to the browser and assistive technology). One
 * chord works anywhere, typing included: Ctrl+Shift+M (Cmd+Shift+M on a Mac) for the macros.
 */

import { useEffect, useRef } from 'preact/hooks';

export type Shortcut = 'next' | 'previous' | 'open' | 'reply' | 'resolve' | 'macro' | 'help';

const KEYS: Record<string, Shortcut> = { j: 'next', k: 'previous', Enter: 'open', r: 'reply', e: 'resolve', m: 'macro', '?': 'help' };

interface KeyLike {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  shiftKey?: boolean;
  isComposing?: boolean;
  target: EventTarget | null;
}

interface ElementLike {
  tagName?: string;
  isContentEditable?: boolean;
  type?: string;
}

/** Fields where a key is text, not a command (buttons and links are not). */
export function isTyping(target: EventTarget | null): boolean {
  const element = target as ElementLike | null;
  if (!element || typeof element.tagName !== 'string') return false;
  if (element.isContentEditable) return true;
  const tag = element.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag !== 'input') return false;
  return !['button', 'submit', 'reset', 'checkbox', 'radio', 'file', 'range', 'color'].includes((element.type ?? 'text').toLowerCase());
}

export function shortcutFor(event: KeyLike): Shortcut | null {
  if (event.isComposing) return null;
  // The macro picker's chord: meant to be pressed while writing a reply.
  if ((event.ctrlKey || event.metaKey) && event.shiftKey && !event.altKey && event.key.toLowerCase() === 'm') return 'macro';
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  if (isTyping(event.target)) return null;
  const shortcut = KEYS[event.key];
  if (!shortcut) return null;
  // Enter already follows a focused link or presses a focused button.
  if (shortcut === 'open') {
    const tag = (event.target as ElementLike | null)?.tagName?.toLowerCase();
    if (tag === 'a' || tag === 'button' || tag === 'summary') return null;
  }
  return shortcut;
}

/** Handles the shortcuts a page offers; any other key passes untouched. */
export function useShortcuts(handlers: Partial<Record<Shortcut, () => void>>): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      // An open dialog (the help itself, a confirmation) owns the keyboard.
      if (document.querySelector('dialog[open]')) return;
      const shortcut = shortcutFor(event);
      const handler = shortcut ? latest.current[shortcut] : undefined;
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
