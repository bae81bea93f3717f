/**
 * Tags on tickets, as plain functions: what a tag looks like (for the queue's filter, which lives
 * in the address), what a change of tags did (for the history and the announcements), and which
 * refusals of the server are said beside the tag field. The server decides what a ticket holds:
 * it trims and lower-cases each tag, then refuses what does not match `TAG`, and the 21st tag.
 */

import { ApiProblem } from '../api/problem';
import { t, type MessageKey } from '../i18n';

/** A tag as the server keeps it: 1 to 50 characters of a-z, 0-9, `_`, `:` and `-`, starting with a
 * letter or a digit. */
export const TAG = /^[a-z0-9][a-z0-9_:-]{0,49}$/;

/** The most tags one ticket holds (the server refuses the 21st with `limit_reached`). */
export const MAX_TAGS = 20;

/** A tag as typed, the way the server reads it: trimmed and lower-cased. */
export function normaliseTag(value: string): string {
  return value.trim().toLowerCase();
}

/** Whether what was typed is a tag once trimmed and lower-cased. */
export function isTag(value: string): boolean {
  return TAG.test(normaliseTag(value));
}

/** The tags of a history entry's `[before, after]` (`before` is `null` when the ticket was
 * opened): what was added, in the order the server keeps them, and what was taken off. */
export function tagDiff(before: unknown, after: unknown): { added: string[]; removed: string[] } {
  const was = tagList(before);
  const now = tagList(after);
  return { added: now.filter((tag) => !was.includes(tag)), removed: was.filter((tag) => !now.includes(tag)) };
}

function tagList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** Tags named in a sentence, each in the language's quotation marks: “a”, “b” (« a », « b »). */
export function quotedTags(tags: readonly string[]): string {
  return tags.map((tag) => t('tags.quoted', { tag })).join(', ');
}

/** Whether adding `tag` changed the ticket (`added`) or it held the tag already (`already`: the
 * server changes nothing), by what the ticket held before. */
export function addOutcome(tag: string, before: readonly string[]): 'added' | 'already' {
  return before.includes(normaliseTag(tag)) ? 'already' : 'added';
}

/** Suggestions for the tag field: the tags in use that the ticket does not hold yet. */
export function suggestions(inUse: readonly { name: string }[], held: readonly string[]): string[] {
  return inUse.map((tag) => tag.name).filter((name) => !held.includes(name));
}

/** The server's refusal of a tag, as a sentence for beside the field: a bad tag (a field error on
 * `add_tags`, `remove_tags` or `tags`) or one tag too many. Anything else (the ticket closed, the
 * network) is not about the field: `null`, for an alert. */
export function tagRefusal(error: unknown): MessageKey | null {
  if (!(error instanceof ApiProblem)) return null;
  if (error.code === 'limit_reached') return 'tags.ticket.limit';
  if (error.code === 'validation_failed' && error.errors.some((e) => ['tags', 'add_tags', 'remove_tags'].includes(e.field))) return 'tags.invalid';
  return null;
}
