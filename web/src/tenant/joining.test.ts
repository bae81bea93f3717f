import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import { whileJoining } from './joining';

const missing = () => new ApiProblem({ status: 404, code: 'not_found' });

describe('whileJoining', () => {
  it('asks again while the member is not known yet', async () => {
    let calls = 0;
    const answer = await whileJoining(async () => {
      calls += 1;
      if (calls < 3) throw missing();
      return 'me';
    }, new AbortController().signal, [0, 0, 0]);
    expect([answer, calls]).toEqual(['me', 3]);
  });

  it('gives up after its delays, and at once on any other failure', async () => {
    let calls = 0;
    await expect(whileJoining(async () => ((calls += 1), Promise.reject(missing())), new AbortController().signal, [0, 0])).rejects.toMatchObject({ code: 'not_found' });
    expect(calls).toBe(3);
    calls = 0;
    await expect(whileJoining(async () => ((calls += 1), Promise.reject(new ApiProblem({ status: 500, code: 'server_error' }))), new AbortController().signal, [0, 0])).rejects.toMatchObject({ code: 'server_error' });
    expect(calls).toBe(1);
  });
});
