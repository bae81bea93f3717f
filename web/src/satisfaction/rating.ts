/**
 * Ratings as the pages read them: the scale, a rating link's value, and which answers mean the
 * link or the rating can no longer be used.
 */

import { ApiProblem } from '../api/problem';

export const SCALE = [1, 2, 3, 4, 5] as const;
export const COMMENT_MAX = 2000;

/** A rating from an address (`?rating=4`): a whole number from 1 to 5, else `null`. */
export function parseRating(value: string | null | undefined): number | null {
  const text = value?.trim() ?? '';
  if (!/^[1-5]$/.test(text)) return null;
  return Number(text);
}

/** A rating link that cannot work (forged, expired, missing). */
export const isInvalidToken = (error: unknown) => error instanceof ApiProblem && error.code === 'invalid_token';

/** This resolution has its rating already (and its comment, when one was being added). */
export const isAlreadyRated = (error: unknown) => error instanceof ApiProblem && error.code === 'already_rated';

/** How many of the five stars are filled for an average: to the nearest half. */
export function starsFor(average: number): { full: number; half: boolean } {
  const halves = Math.round(Math.min(5, Math.max(0, average)) * 2);
  return { full: Math.floor(halves / 2), half: halves % 2 === 1 };
}
