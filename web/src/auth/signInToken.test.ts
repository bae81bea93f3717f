import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import { signInWithToken, withSignInToken, type TokenSignInOptions } from './signInToken';
import { fragmentValue } from './sso';

const challenge = { mfa_required: true, mfa_token: 'mfa-1', expires_in: 300 };

function run(answers: (ApiProblem | Error | 'ok' | 'mfa')[], extra: Partial<TokenSignInOptions> = {}) {
  let clock = 0;
  let calls = 0;
  const sleeps: number[] = [];
  const result = signInWithToken({
    signIn: async () => {
      calls += 1;
      const next = answers.length > 1 ? answers.shift()! : answers[0]!;
      if (next === 'ok') return { kind: 'signed_in' as const };
      if (next === 'mfa') return { kind: 'mfa' as const, challenge };
      throw next;
    },
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    ...extra,
  });
  return { result, sleeps, calls: () => calls };
}

const provisioning = new ApiProblem({ status: 503, code: 'tenant_provisioning' });
const invalid = new ApiProblem({ status: 400, code: 'invalid_token' });

describe('signInWithToken', () => {
  it('signs in at once when the organisation is ready', async () => {
    const { result, sleeps } = run(['ok']);
    expect(await result).toEqual({ kind: 'signed_in' });
    expect(sleeps).toEqual([]);
  });

  it('hands over a second-factor challenge, as a password login would', async () => {
    expect(await run(['mfa']).result).toEqual({ kind: 'mfa', challenge });
  });

  it('asks again shortly while the organisation is being prepared, and on network failures', async () => {
    const { result, sleeps, calls } = run([provisioning, ApiProblem.network(new TypeError('offline')), provisioning, 'ok'], { retryMs: 1500 });
    expect(await result).toEqual({ kind: 'signed_in' });
    expect(sleeps).toEqual([1500, 1500, 1500]);
    expect(calls()).toBe(4);
  });

  it('waits as long as the server asks', async () => {
    const later = new ApiProblem({ status: 503, code: 'tenant_provisioning', retryAt: new Date(5000) });
    const { result, sleeps } = run([later, 'ok'], { retryMs: 1000 });
    expect(await result).toEqual({ kind: 'signed_in' });
    expect(sleeps).toEqual([5000]);
  });

  it('gives up on a used, expired or forged token at once', async () => {
    const { result, sleeps, calls } = run([invalid]);
    expect(await result).toEqual({ kind: 'refused' });
    expect(sleeps).toEqual([]);
    expect(calls()).toBe(1);
  });

  it('takes any other refusal, or a failure that is no answer, as a refusal', async () => {
    expect(await run([new ApiProblem({ status: 404, code: 'not_found' })]).result).toEqual({ kind: 'refused' });
    expect(await run([new Error('bug')]).result).toEqual({ kind: 'refused' });
  });

  it('stops asking after its time, the form then being the way on', async () => {
    const { result, calls } = run([provisioning], { retryMs: 1000, timeoutMs: 5000 });
    expect(await result).toEqual({ kind: 'unavailable' });
    expect(calls()).toBe(6);
  });

  it('stops when the page goes away', async () => {
    const controller = new AbortController();
    const { result, calls } = run([provisioning], {
      signal: controller.signal,
      sleep: async () => controller.abort(),
    });
    expect(await result).toEqual({ kind: 'unavailable' });
    expect(calls()).toBe(1);
  });
});

describe('withSignInToken', () => {
  it('puts the token in the fragment, which no server sees, and it reads back whole', () => {
    const url = withSignInToken('https://acme.example.com/login', 'a+b/c=d');
    expect(url).toBe('https://acme.example.com/login#sign_in_token=a%2Bb%2Fc%3Dd');
    const parsed = new URL(url);
    expect(parsed.pathname + parsed.search).toBe('/login');
    expect(fragmentValue(parsed.hash, 'sign_in_token')).toBe('a+b/c=d');
  });
});
