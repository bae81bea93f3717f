//! State for data that loads and for forms that submit, with the failure kept for display.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
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
