import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import { setLocale } from '../i18n';
import { addOutcome, isTag, normaliseTag, quotedTags, suggestions, tagDiff, tagRefusal } from './tags';
import { fieldsRefused } from '../api/problem.fixture';

describe('what a tag is', () => {
  it('is read trimmed and lower-cased, as the server reads it', () => {
    expect(normaliseTag('  VIP:Gold ')).toBe('vip:gold');
    for (const good of ['refund', 'vip:gold', 'carrier-late', 'q3_2030', '7', ' Urgent ', 'a'.repeat(50)]) expect(isTag(good), good).toBe(true);
    for (const bad of ['', '   ', 'two words', '-late', ':x', '_x', 'café', 'a/b', 'a'.repeat(51)]) expect(isTag(bad), bad).toBe(false);
  });
});

describe('a change of tags', () => {
  it('is what was added and what was taken off', () => {
    expect(tagDiff(['refund'], ['refund', 'urgent'])).toEqual({ added: ['urgent'], removed: [] });
    expect(tagDiff(['a', 'c'], ['a', 'b'])).toEqual({ added: ['b'], removed: ['c'] });
    // The ticket was opened with them; anything that is not a list of words counts as none.
    expect(tagDiff(null, ['a', 'b'])).toEqual({ added: ['a', 'b'], removed: [] });
    expect(tagDiff('x', [1, 'a'])).toEqual({ added: ['a'], removed: [] });
  });

  it('says whether adding a tag changed the ticket', () => {
    expect(addOutcome(' Urgent ', ['refund'])).toBe('added');
    expect(addOutcome('REFUND', ['refund'])).toBe('already');
  });

  it('suggests the tags in use that the ticket does not hold yet, most used first', () => {
    const inUse = [
      { name: 'refund', count: 12 },
      { name: 'returns', count: 4 },
      { name: 'rush', count: 1 },
    ];
    expect(suggestions(inUse, ['returns'])).toEqual(['refund', 'rush']);
  });

  it('names tags in the language’s quotation marks', () => {
    setLocale('en');
    expect(quotedTags(['a', 'b'])).toBe('“a”, “b”');
    setLocale('fr');
    expect(quotedTags(['a'])).toBe('« a »');
    setLocale('en');
  });
});

describe('the server refusing a tag', () => {
  it('is said beside the field when it is about the tag: a bad one, or one too many', () => {
    const bad = fieldsRefused([{ field: 'add_tags', message: '"two words" is not a tag' }]);
    expect(tagRefusal(bad)).toBe('tags.invalid');
    const many = new ApiProblem({ status: 422, code: 'limit_reached', errors: [{ field: 'tags', message: 'a ticket holds at most 20 tags' }] });
    expect(tagRefusal(many)).toBe('tags.ticket.limit');
  });

  it('is left to an alert otherwise', () => {
    expect(tagRefusal(new ApiProblem({ status: 409, code: 'ticket_closed' }))).toBeNull();
    expect(tagRefusal(fieldsRefused([{ field: 'subject', message: 'too long' }]))).toBeNull();
    expect(tagRefusal(new ApiProblem({ status: 0, code: 'network_error' }))).toBeNull();
    expect(tagRefusal(new Error('boom'))).toBeNull();
  });
});
