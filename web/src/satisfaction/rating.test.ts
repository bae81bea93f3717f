import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import { isAlreadyRated, isInvalidToken, parseRating, starsFor } from './rating';

describe('rating links', () => {
  it('read a whole rating from 1 to 5 and nothing else', () => {
    expect(['1', ' 5 ', '3'].map(parseRating)).toEqual([1, 5, 3]);
    expect(['0', '6', '4.5', 'four', '', null, undefined, '44'].map(parseRating)).toEqual([null, null, null, null, null, null, null, null]);
  });

  it('tell a dead link and a given rating apart from other failures', () => {
    expect(isInvalidToken(new ApiProblem({ status: 400, code: 'invalid_token' }))).toBe(true);
    expect(isAlreadyRated(new ApiProblem({ status: 409, code: 'already_rated' }))).toBe(true);
    expect(isAlreadyRated(new ApiProblem({ status: 409, code: 'not_resolved' }))).toBe(false);
    expect(isInvalidToken(new Error('x'))).toBe(false);
  });

  it('fill stars to the nearest half', () => {
    expect(starsFor(4.2)).toEqual({ full: 4, half: false });
    expect(starsFor(4.3)).toEqual({ full: 4, half: true });
    expect(starsFor(4.8)).toEqual({ full: 5, half: false });
    expect(starsFor(9)).toEqual({ full: 5, half: false });
    expect(starsFor(-1)).toEqual({ full: 0, half: false });
  });
});
