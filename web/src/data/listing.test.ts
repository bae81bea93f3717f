import { describe, expect, it } from 'vitest';
import { appendPage, headSize, mergeHead } from './listing';

const list = (...ids: number[]) => ids.map((id) => ({ id }));

describe('mergeHead', () => {
  it('takes a complete head as the whole list', () => {
    const shown = { items: list(5, 4, 3, 2, 1), cursor: null };
    expect(mergeHead(shown, { items: list(6, 5, 3), cursor: null }, 25)).toEqual({ items: list(6, 5, 3), cursor: null });
  });

  it('keeps the pages loaded past the head, and their cursor', () => {
    const shown = { items: list(9, 8, 7, 6), cursor: 'after-6' };
    const head = { items: list(10, 9), cursor: 'after-9' };
    expect(mergeHead(shown, head, 2)).toEqual({ items: list(10, 9, 7, 6), cursor: 'after-6' });
  });

  it('takes the head and its cursor when nothing was loaded past it', () => {
    const shown = { items: list(9, 8), cursor: 'after-8' };
    expect(mergeHead(shown, { items: list(10, 9), cursor: 'after-9' }, 2)).toEqual({ items: list(10, 9), cursor: 'after-9' });
  });
});

describe('appendPage and headSize', () => {
  it('append without duplicates and bound the head', () => {
    expect(appendPage({ items: list(3, 2), cursor: 'c' }, { items: list(2, 1), cursor: null })).toEqual({ items: list(3, 2, 1), cursor: null });
    expect(headSize(3)).toBe(25);
    expect(headSize(60)).toBe(60);
    expect(headSize(400)).toBe(100);
  });
});
