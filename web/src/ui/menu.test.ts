import { describe, expect, it } from 'vitest';
import { menuMove, openingItem } from './menu';

describe('a menu’s keys', () => {
  it('move to the next and previous item, wrapping round', () => {
    expect(menuMove('ArrowDown', 0, 3)).toBe(1);
    expect(menuMove('ArrowDown', 2, 3)).toBe(0);
    expect(menuMove('ArrowUp', 0, 3)).toBe(2);
    expect(menuMove('ArrowUp', 2, 3)).toBe(1);
    expect(menuMove('ArrowDown', 0, 1)).toBe(0);
  });

  it('go to the ends with Home and End', () => {
    expect(menuMove('Home', 2, 3)).toBe(0);
    expect(menuMove('End', 0, 3)).toBe(2);
  });

  it('start from the ends when nothing is focused, and leave other keys alone', () => {
    expect(menuMove('ArrowDown', -1, 3)).toBe(0);
    expect(menuMove('ArrowUp', -1, 3)).toBe(2);
    expect(menuMove('Tab', 1, 3)).toBeNull();
    expect(menuMove('a', 1, 3)).toBeNull();
    expect(menuMove('ArrowDown', 0, 0)).toBeNull();
  });

  it('open on the arrows, at the first or the last item', () => {
    expect(openingItem('ArrowDown', 2)).toBe(0);
    expect(openingItem('ArrowUp', 2)).toBe(1);
    expect(openingItem('Enter', 2)).toBeNull();
    expect(openingItem('ArrowDown', 0)).toBeNull();
  });
});
