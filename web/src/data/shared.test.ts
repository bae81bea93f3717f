import { describe, expect, it } from 'vitest';
import { shared } from './shared';

describe('shared', () => {
  it('gives callers of one key, while its load is on its way, one request', async () => {
    let calls = 0;
    const load = () => {
      calls += 1;
      return Promise.resolve(calls);
    };
    const [a, b] = await Promise.all([shared('k', load), shared('k', load)]);
    expect([a, b, calls]).toEqual([1, 1, 1]);
    // Answered: the next caller asks afresh.
    expect(await shared('k', load)).toBe(2);
    expect(await shared('other', load)).toBe(3);
  });

  it('forgets a failure, so the next caller tries again', async () => {
    await expect(shared('fails', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await shared('fails', () => Promise.resolve('up'))).toBe('up');
  });
});
