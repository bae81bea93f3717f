/**
 * Where the help center's public pages are (rendered by the server, so reached by a plain link
 * that loads the page, never by the app's router), and an article's link as text put into a
 * reply where the cursor was.
 */

import type { HelpLocale } from '../data/helpCenter';

/** The help center's home page in a language: `/help/en`. */
export function publicHelpPath(locale: HelpLocale): string {
  return `/help/${locale}`;
}

/** An article's public page: `/help/en/articles/reset-your-password`. */
export function publicArticlePath(locale: HelpLocale, slug: string): string {
  return `${publicHelpPath(locale)}/articles/${encodeURIComponent(slug)}`;
}

/** The article's public page in full, on this host (`origin`: `location.origin`). */
export function publicArticleUrl(origin: string, locale: HelpLocale, slug: string): string {
  return `${origin.replace(/\/+$/, '')}${publicArticlePath(locale, slug)}`;
}

/** An article's link as it reads in a reply, punctuated in the article's language:
 * "Reset your password: https://…", "Réinitialiser son mot de passe : https://…". */
export function articleLinkText(title: string, url: string, locale: HelpLocale): string {
  const name = title.trim().replace(/\s+/g, ' ');
  return locale === 'fr' ? `${name} : ${url}` : `${name}: ${url}`;
}

/** `text` with `snippet` in place of what was selected (`start` to `end`; the cursor when they
 * are equal), set apart from the words around it by a space, and where the cursor goes after
 * it. A URL glued to the next word would take it in. */
export function insertText(text: string, start: number, end: number, snippet: string): { text: string; caret: number } {
  const from = clamp(Math.min(start, end), text.length);
  const to = clamp(Math.max(start, end), text.length);
  const before = text.slice(0, from);
  const after = text.slice(to);
  const lead = before && !/\s$/.test(before) ? ' ' : '';
  const trail = !after || /^\s/.test(after) ? '' : ' ';
  const inserted = `${lead}${snippet}${trail}`;
  return { text: `${before}${inserted}${after}`, caret: before.length + inserted.length };
}

function clamp(index: number, length: number): number {
  if (!Number.isFinite(index) || index < 0) return length;
  return Math.min(index, length);
}
