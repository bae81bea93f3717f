import { describe, expect, it } from 'vitest';
import { countOf, countText } from './counts';

describe('queue counts', () => {
  it('count the first page, and say when there are more', () => {
    expect(countText(countOf({ data: [] }))).toBe('0');
    expect(countText(countOf({ data: [1, 2, 3], next_cursor: null }))).toBe('3');
    expect(countText(countOf({ data: Array.from({ length: 50 }), next_cursor: 'abc' }))).toBe('50+');
  });
});
