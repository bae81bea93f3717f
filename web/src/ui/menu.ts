/**
 * How the keys move through a menu a button opens (the WAI-ARIA menu button): the arrows go to
 * the next or previous item, wrapping round, Home and End to the first and the last.
 */

/** The item focused after `key` from item `index` of `count`; `null` for a key that does not
 * move (the caller lets it do what it does). */
export function menuMove(key: string, index: number, count: number): number | null {
  if (count <= 0) return null;
  switch (key) {
    case 'ArrowDown':
      return index < 0 ? 0 : (index + 1) % count;
    case 'ArrowUp':
      return index < 0 ? count - 1 : (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/** The item focused as the menu opens from its button: the last one on ArrowUp, else the first;
 * `null` for a key that does not open it (Enter and Space click the button, which opens it). */
export function openingItem(key: string, count: number): number | null {
  if (count <= 0) return null;
  if (key === 'ArrowDown') return 0;
  if (key === 'ArrowUp') return count - 1;
  return null;
}
