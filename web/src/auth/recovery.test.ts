import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import { isInvalidLink, linkToken, neutralAnswer } from './recovery';

const problem = (status: number, code: string) => new ApiProblem({ status, code });

describe('neutralAnswer', () => {
  it('confirms whatever the server decided about the account', () => {
    expect(neutralAnswer(problem(404, 'not_found'))).toBe(true);
    expect(neutralAnswer(problem(403, 'forbidden'))).toBe(true);
    expect(neutralAnswer(problem(400, 'tenant_not_found'))).toBe(true);
  });

  it('says what kept the request from being decided', () => {
    expect(neutralAnswer(problem(0, 'network_error'))).toBe(false);
    expect(neutralAnswer(problem(503, 'dependency_unavailable'))).toBe(false);
    expect(neutralAnswer(problem(429, 'rate_limited'))).toBe(false);
    expect(neutralAnswer(problem(422, 'validation_failed'))).toBe(false);
    expect(neutralAnswer(new Error('boom'))).toBe(false);
  });
});

describe('links', () => {
  it('reads the token and recognises a dead link', () => {
    expect(linkToken(new URLSearchParams('token=abc'))).toBe('abc');
    expect(linkToken(new URLSearchParams('token=%20'))).toBeNull();
    expect(linkToken(new URLSearchParams(''))).toBeNull();
    expect(isInvalidLink(problem(400, 'invalid_token'))).toBe(true);
    expect(isInvalidLink(problem(400, 'validation_failed'))).toBe(false);
  });
});
