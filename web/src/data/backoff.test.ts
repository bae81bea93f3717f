import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import { FIRST_LOAD_RETRIES, delayAfter, firstLoadRetry } from './backoff';

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

describe('firstLoadRetry', () => {
  const now = new Date('2030-01-01T00:00:00Z');

  it('tries again after what may pass, a second at first, then longer', () => {
    const busy = new ApiProblem({ status: 503, code: 'unavailable' });
    const down = new ApiProblem({ status: 0, code: 'network_error' });
    expect([1, 2, 3].map((n) => firstLoadRetry(busy, n, now))).toEqual([1000, 2000, 4000]);
    expect(firstLoadRetry(down, 1, now)).toBe(1000);
    const limited = new ApiProblem({ status: 429, code: 'rate_limited', retryAt: new Date('2030-01-01T00:00:05Z') });
    expect(firstLoadRetry(limited, 1, now)).toBe(5000);
  });

  it('shows the failure after its retries, and at once when it would come again', () => {
    const busy = new ApiProblem({ status: 503, code: 'unavailable' });
    expect(firstLoadRetry(busy, FIRST_LOAD_RETRIES + 1, now)).toBeNull();
    expect(firstLoadRetry(new ApiProblem({ status: 404, code: 'not_found' }), 1, now)).toBeNull();
    expect(firstLoadRetry(new ApiProblem({ status: 403, code: 'forbidden' }), 1, now)).toBeNull();
    expect(firstLoadRetry(new Error('a bug'), 1, now)).toBeNull();
  });
});
