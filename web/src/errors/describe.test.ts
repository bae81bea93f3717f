import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import { setLocale } from '../i18n';
import { describeProblem, fieldErrors, retrySentence } from './describe';
import { fieldsRefused } from '../api/problem.fixture';

setLocale('en');
const now = new Date('2030-05-01T10:00:00');

describe('describeProblem', () => {
  it('turns a code into a sentence', () => {
    expect(describeProblem(new ApiProblem({ status: 409, code: 'ticket_closed' }))).toBe('This ticket is closed and can no longer change.');
  });

  it('lets a page say a code its own way', () => {
    const problem = new ApiProblem({ status: 401, code: 'unauthorized' });
    expect(describeProblem(problem, { unauthorized: 'error.forbidden' })).toBe('You are not allowed to do this.');
  });

  it('adds when to try again', () => {
    const problem = new ApiProblem({ status: 429, code: 'rate_limited', retryAt: new Date(now.getTime() + 30_000) });
    expect(describeProblem(problem, {}, now)).toBe('Too many requests. You can try again in 30 seconds.');
    const soon = new ApiProblem({ status: 503, code: 'server_busy', retryAt: new Date(now.getTime() + 1000) });
    expect(describeProblem(soon, {}, now)).toBe('The service is busy. You can try again in 1 second.');
  });

  it('falls back on the status for unknown codes, and on a generic sentence for other errors', () => {
    expect(describeProblem(new ApiProblem({ status: 502, code: 'weird' }))).toBe('The server ran into a problem. Please try again.');
    expect(describeProblem(ApiProblem.network(new TypeError('x')))).toMatch(/cannot be reached/);
    expect(describeProblem(new Error('boom'))).toBe('Something unexpected happened. Please try again.');
  });
});

describe('retrySentence', () => {
  it('gives a time of day in the user locale for longer waits', () => {
    const sentence = retrySentence(new Date('2030-05-01T10:15:00'), now);
    expect(sentence).toMatch(/^You can try again at .*15/);
    setLocale('fr');
    expect(retrySentence(new Date('2030-05-01T10:15:00'), now)).toBe('Vous pourrez réessayer à 10:15.');
    setLocale('en');
  });

  it('says now when the time has passed', () => {
    expect(retrySentence(new Date('2030-05-01T09:00:00'), now)).toBe('You can try again now.');
  });
});

describe('fieldErrors', () => {
  it('maps the server field names to the form names, first message wins', () => {
    const problem = fieldsRefused([
      { field: 'admin.email', message: 'is not valid' },
      { field: 'slug', message: 'is reserved' },
      { field: 'slug', message: 'second' },
    ]);
    expect(fieldErrors(problem, { 'admin.email': 'email' })).toEqual({ email: 'is not valid', slug: 'is reserved' });
    expect(fieldErrors(new Error('x'))).toEqual({});
  });
});
