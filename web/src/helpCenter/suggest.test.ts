import { afterEach, describe, expect, it, vi } from 'vitest';
import { SEARCH_MAX_CHARS, debouncer, searchTerm } from './suggest';

describe('searchTerm', () => {
  it('waits for three characters, spaces aside', () => {
    expect(searchTerm('')).toBeNull();
    expect(searchTerm('  ab  ')).toBeNull();
    expect(searchTerm('abc')).toBe('abc');
    expect(searchTerm('  colis   abîmé \n')).toBe('colis abîmé');
    expect(searchTerm('a', 1)).toBe('a');
  });

  it('cuts what is too long for the search', () => {
    const long = 'é'.repeat(SEARCH_MAX_CHARS + 20);
    expect([...(searchTerm(long) ?? '')].length).toBe(SEARCH_MAX_CHARS);
  });
});

describe('debouncer', () => {
  afterEach(() => void vi.useRealTimers());

  it('runs once with the last value, after a pause', () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const debounce = debouncer((value: string) => seen.push(value), 300);
    debounce.push('r');
    vi.advanceTimersByTime(200);
    debounce.push('re');
    vi.advanceTimersByTime(200);
    debounce.push('ref');
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(299);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(['ref']);
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual(['ref']);
  });

  it('forgets what waits when cancelled, and runs it at once when flushed', () => {
    vi.useFakeTimers();
    const seen: number[] = [];
    const debounce = debouncer((value: number) => seen.push(value), 300);
    debounce.push(1);
    debounce.cancel();
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([]);
    debounce.push(2);
    debounce.flush();
    expect(seen).toEqual([2]);
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([2]);
    // Nothing waiting: a flush does nothing.
    debounce.flush();
    expect(seen).toEqual([2]);
  });

  it('uses the timers it is given', () => {
    const waiting: (() => void)[] = [];
    const cleared: unknown[] = [];
    const seen: string[] = [];
    const debounce = debouncer((value: string) => seen.push(value), 300, {
      set: (run) => waiting.push(run) - 1,
      clear: (handle) => cleared.push(handle),
    });
    debounce.push('a');
    debounce.push('b');
    expect(cleared).toEqual([0]);
    waiting[1]!();
    expect(seen).toEqual(['b']);
  });
});
