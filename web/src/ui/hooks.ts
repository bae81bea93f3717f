/**
 * State for data that loads and for forms that submit, with the failure kept for display; how
 * dialogs and the panels a button opens (the bell, the account menu, the menu on phones) close;
 * where focus goes when a part of the page changes shape.
 */

import type { RefObject } from 'preact';
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { getLocale, onLocaleChange, type Locale } from '../i18n';

export interface Submission {
  busy: boolean;
  error: unknown;
  run: (task: () => Promise<void>) => Promise<void>;
  clear: () => void;
}

/** One submission at a time; the failure stays until the next attempt. */
export function useSubmit(): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const running = useRef(false);
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const run = useCallback(async (task: () => Promise<void>) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await task();
    } catch (e) {
      if (mounted.current) setError(e);
    } finally {
      running.current = false;
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}

/** Re-renders the caller when the language changes. */
export function useLocale(): Locale {
  const [locale, setLocale] = useState(getLocale);
  useEffect(() => onLocaleChange(setLocale), []);
  return locale;
}

/** A `<dialog>` shown as a modal while `open`, and closed when it is not. */
export function useModalDialog(open: boolean) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return dialog;
}

/** While `open`, what closes a panel its `trigger` opened: Escape (focus goes back to the
 * trigger) and a press outside both the trigger and the panel. Listening from the render that
 * opens it (a layout effect, not one run after the next paint), so a key pressed at once is
 * not missed. */
export function useDismiss(open: boolean, close: () => void, trigger: RefObject<HTMLElement | null>, panel: RefObject<HTMLElement | null>) {
  const closing = useRef(close);
  closing.current = close;
  useLayoutEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      closing.current();
      trigger.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!trigger.current?.contains(target) && !panel.current?.contains(target)) closing.current();
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);
}

/** Copying text to the clipboard, and whether the last copy worked (`copied`: `yes`, `no`, or
 * null before one). Without clipboard access the field that shows the text (`selectId`) is
 * selected, for the user to copy it themselves. */
export function useCopy() {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async (text: string, selectId?: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      if (selectId) (document.getElementById(selectId) as HTMLInputElement | null)?.select();
      setCopied('no');
    }
  };
  return { copied, setCopied, copy };
}

/** A panel that a button opens (a menu), in a box that holds both: whether it is open, its id
 * (for the button's `aria-controls`), the refs of the box, the button and the panel, and its
 * closing (`close`): by `useDismiss`, and when focus leaves the box (`onFocusOut`, the box's). */
export function usePopup<P extends HTMLElement>() {
  const [open, setOpen] = useState(false);
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<P>(null);
  const close = () => setOpen(false);
  useDismiss(open, close, button, panel);
  const onFocusOut = (event: FocusEvent) => {
    if (open && !box.current?.contains(event.relatedTarget as Node | null)) close();
  };
  return { open, setOpen, close, id, box, button, panel, onFocusOut };
}

/** Where focus goes once the part of the page inside the returned ref has changed shape (the
 * control that had it may be gone): `focusAfter(selector)` before the state change, and the next
 * render focuses the first element inside that matches. Moved in the render itself (a layout
 * effect), so a key pressed at once lands there. */
export function useFocusAfterRender<T extends HTMLElement>(within?: RefObject<T | null>) {
  const own = useRef<T>(null);
  const container = within ?? own;
  const target = useRef<string | null>(null);
  useLayoutEffect(() => {
    const selector = target.current;
    target.current = null;
    if (selector) container.current?.querySelector<HTMLElement>(selector)?.focus();
  });
  const focusAfter = useCallback((selector: string) => {
    target.current = selector;
  }, []);
  return { container, focusAfter };
}
