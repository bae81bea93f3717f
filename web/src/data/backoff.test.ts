import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import { delayAfter } from './backoff';

describe('delayAfter', () => {
  const now = new Date('2030-01-01T00:00:00Z');

  it('follows Retry-After', () => {
    const limited = new ApiProblem({ status: 429, code: 'rate_limited', retryAt: new Date('2030-01-01T00:00:20Z') });
    expect(delayAfter(limited, 1, 4000, now)).toBe(20_000);
  });

  it('doubles with each failure in a row, up to a minute', () => {
    const down = new ApiProblem({ status: 0, code: 'network_error' });
    expect([1, 2, 3, 4, 5, 6].map((n) => delayAfter(down, n, 4000, now))).toEqual([4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });
});
