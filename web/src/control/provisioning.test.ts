import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import type { TenantStatusView } from '../api/schemas';
import { pollUntilActive, type PollOptions } from './provisioning';

function run(answers: (TenantStatusView['status'] | Error)[], extra: Partial<PollOptions> = {}) {
  let clock = 0;
  const seen: string[] = [];
  const sleeps: number[] = [];
  const result = pollUntilActive({
    signal: new AbortController().signal,
    fetchStatus: async () => {
      const next = answers.length > 1 ? answers.shift()! : answers[0]!;
      if (next instanceof Error) throw next;
      return { slug: 'acme', name: 'Acme', status: next };
    },
    onStatus: (view) => seen.push(view.status),
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    ...extra,
  });
  return { result, seen, sleeps };
}

describe('pollUntilActive', () => {
  it('asks again soon after the sign-up, then every second, until the tenant is active', async () => {
    const { result, seen, sleeps } = run(['provisioning', 'provisioning', 'provisioning', 'provisioning', 'active']);
    expect(await result).toMatchObject({ kind: 'active' });
    expect(seen).toEqual(['provisioning', 'provisioning', 'provisioning', 'provisioning', 'active']);
    expect(sleeps).toEqual([250, 500, 1000, 1000]);
  });

  it('rides out network failures and server errors', async () => {
    const down = ApiProblem.network(new TypeError('offline'));
    const busy = new ApiProblem({ status: 503, code: 'server_busy' });
    const { result } = run([down, busy, 'active']);
    expect(await result).toMatchObject({ kind: 'active' });
  });

  it('stops on a status that will not become active', async () => {
    expect(await run(['provisioning', 'failed']).result).toMatchObject({ kind: 'failed', view: { status: 'failed' } });
  });

  it('stops when the tenant does not exist', async () => {
    expect(await run([new ApiProblem({ status: 404, code: 'not_found' })]).result).toEqual({ kind: 'not_found' });
  });

  it('gives up after two minutes', async () => {
    const { result, sleeps } = run(['provisioning']);
    expect(await result).toEqual({ kind: 'timeout' });
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(120_000);
    expect(sleeps.length).toBeGreaterThanOrEqual(110);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await run(['provisioning'], { signal: controller.signal }).result).toEqual({ kind: 'cancelled' });
  });
});
