/**
 * A macro taken into the composer and not sent yet: its filled text put in the text box, the
 * changes it would make on the ticket (those the agent removes are skipped), and the one request
 * that sends it as reviewed.
 */

import type { Macro, MacroPreview, MacroReviewed } from '../data/macros';
import { textToHtml } from '../tickets/text';
import type { MacroEffect } from './macros';

/** A change the agent may take out, by the name the server's `skip` gives it. */
export type ChangeKind = NonNullable<MacroReviewed['skip']>[number];

/** One change still pending, with the words that describe it. */
export interface PendingChange {
  kind: ChangeKind;
  effect: MacroEffect;
}

export interface MacroDraft {
  macro: Macro;
  /** Whether the macro posts a message (its filled text went into the text box). */
  posts: boolean;
  /** The message goes as an internal note. */
  internal: boolean;
  /** What it changes on the ticket, less what the agent removed, in the order they are told. */
  changes: PendingChange[];
  /** What the agent removed. */
  skipped: ChangeKind[];
}

/** The draft of `macro` from its preview: only what it would change on the ticket now. */
export function macroDraft(macro: Macro, preview: MacroPreview): MacroDraft {
  const { status, priority, assigned_to: assignee, add_tags: tags } = preview.changes;
  const changes: PendingChange[] = [];
  if (status) changes.push({ kind: 'status', effect: { kind: 'status', status } });
  if (priority) changes.push({ kind: 'priority', effect: { kind: 'priority', priority } });
  if (assignee !== undefined) changes.push({ kind: 'assigned_to', effect: { kind: 'assign', to: assignee ?? 'nobody' } });
  if (tags?.length) changes.push({ kind: 'add_tags', effect: { kind: 'tags', tags } });
  return { macro, posts: Boolean(preview.message), internal: preview.message?.is_internal ?? macro.is_internal, changes, skipped: [] };
}

/** The draft without the change `kind`, which the send skips. */
export function withoutChange(draft: MacroDraft, kind: ChangeKind): MacroDraft {
  if (!draft.changes.some((change) => change.kind === kind)) return draft;
  return { ...draft, changes: draft.changes.filter((change) => change.kind !== kind), skipped: [...draft.skipped, kind] };
}

/** The text box once the macro's filled text is put in: after what was typed, a blank line
 * between them. */
export function withMacroText(typed: string, filled: string | undefined): string {
  if (!filled) return typed;
  return typed.trim() ? `${typed.trimEnd()}\n\n${filled}` : filled;
}

/** The apply's body: the text as reviewed (none when the box is empty, for a macro that posts
 * nothing) and the changes removed. */
export function reviewedMacro(draft: MacroDraft, text: string): MacroReviewed {
  return { ...(text.trim() ? { message: textToHtml(text) } : {}), skip: draft.skipped };
}
