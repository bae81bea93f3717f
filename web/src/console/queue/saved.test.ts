import { describe, expect, it } from 'vitest';
import { addSaved, parseSaved, serializeSaved } from './saved';
import { DEFAULT_STATE } from './views';

describe('saved filters', () => {
  it('round-trip through their stored form', () => {
    const filters = addSaved([], ' Urgent refunds ', { ...DEFAULT_STATE, view: 'all', priority: 'urgent', category: 'refund', tag: 'vip:gold' }, 'a');
    const back = parseSaved(serializeSaved(filters), true);
    expect(back).toEqual([{ id: 'a', name: 'Urgent refunds', state: { ...DEFAULT_STATE, view: 'all', priority: 'urgent', category: 'refund', tag: 'vip:gold' } }]);
  });

  it('replace a filter of the same name', () => {
    const one = addSaved([], 'Mine', DEFAULT_STATE, 'a');
    const two = addSaved(one, 'mine', { ...DEFAULT_STATE, status: 'any' }, 'b');
    expect(two.map((f) => f.id)).toEqual(['b']);
  });

  it('skip whatever is not a filter', () => {
    expect(parseSaved('not json', true)).toEqual([]);
    expect(parseSaved('{"a":1}', true)).toEqual([]);
    expect(parseSaved('[null, {"id":1}, {"id":"x","name":"","href":"/"}]', true)).toEqual([]);
  });
});
