import { describe, expect, it } from 'vitest';
import { authorsOf, newerColleagueReplies, newestId } from './newer';

const message = (id: number, sender_id: string, sender_type: 'agent' | 'customer' = 'agent', is_internal = false) => ({ id, sender_id, sender_type, is_internal });

describe('the newer-reply rule', () => {
  const thread = [message(10, 'cust', 'customer'), message(11, 'me'), message(12, 'ines', 'agent', true), message(14, 'ines'), message(13, 'hugo')];

  it('finds the newest message on screen', () => {
    expect(newestId(thread)).toBe(14);
    expect(newestId([])).toBeNull();
  });

  it('holds back for a colleague’s public reply newer than what was on screen', () => {
    expect(newerColleagueReplies(thread, 12, 'me').map((m) => m.id)).toEqual([13, 14]);
    expect(newerColleagueReplies(thread, 13, 'me').map((m) => m.id)).toEqual([14]);
  });

  it('ignores one’s own replies, internal notes, customers and what was already seen', () => {
    expect(newerColleagueReplies(thread, 14, 'me')).toEqual([]);
    expect(newerColleagueReplies([message(20, 'me'), message(21, 'ines', 'agent', true), message(22, 'cust', 'customer')], 19, 'me')).toEqual([]);
  });

  it('counts every colleague reply when the thread was empty at the first keystroke', () => {
    expect(newerColleagueReplies(thread, null, 'me').map((m) => m.id)).toEqual([13, 14]);
  });

  it('names each author once, in order', () => {
    expect(authorsOf([message(13, 'hugo'), message(14, 'ines'), message(15, 'hugo')])).toEqual(['hugo', 'ines']);
  });
});
