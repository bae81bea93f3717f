import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import type { TicketLink } from '../data/links';
import { linkRefusal, openChildren, parseTicketRef, sortLinks, splitSubject } from './links';
import { fieldsRefused } from '../api/problem.fixture';

const link = (ticket_id: number, kind: TicketLink['kind'], status: TicketLink['status'] = 'open'): TicketLink => ({
  ticket_id,
  ticket_number: `TKT-0000000${ticket_id}`,
  subject: `Ticket ${ticket_id}`,
  status,
  kind,
  created_at: '2025-03-01T10:00:00Z',
});

describe('linked tickets', () => {
  it('are listed parents first, then children, then related ones, each in the server’s order', () => {
    const listed = sortLinks([link(1, 'related'), link(2, 'child'), link(3, 'parent'), link(4, 'child'), link(5, 'related')]);
    expect(listed.map((l) => l.ticket_id)).toEqual([3, 2, 4, 1, 5]);
  });

  it('count as open children when not resolved nor closed', () => {
    const links = [link(1, 'child', 'open'), link(2, 'child', 'resolved'), link(3, 'child', 'waiting_customer'), link(4, 'child', 'closed'), link(5, 'parent', 'open'), link(6, 'related', 'in_progress')];
    expect(openChildren(links).map((l) => l.ticket_id)).toEqual([1, 3]);
    expect(openChildren(undefined)).toEqual([]);
  });
});

describe('the other ticket as typed', () => {
  it('is a number, in any case, or an id', () => {
    expect(parseTicketRef(' tkt-4f2a9c1b ')).toEqual({ number: 'TKT-4F2A9C1B' });
    expect(parseTicketRef('TKT-128')).toEqual({ number: 'TKT-128' });
    expect(parseTicketRef('1042')).toEqual({ id: 1042 });
    expect(parseTicketRef('#17')).toEqual({ id: 17 });
  });

  it('is neither when it is something else', () => {
    expect(parseTicketRef('')).toBeNull();
    expect(parseTicketRef('0')).toBeNull();
    expect(parseTicketRef('TKT-12 3')).toBeNull();
    expect(parseTicketRef('teapot broken')).toBeNull();
    expect(parseTicketRef('12a')).toBeNull();
  });

  it('is said not to be found when the server sees no such ticket; other refusals are not the field’s', () => {
    expect(linkRefusal(new ApiProblem({ status: 404, code: 'not_found' }))).toBe('links.add.not_found');
    expect(linkRefusal(fieldsRefused([{ field: 'ticket_id', message: 'already linked' }]))).toBeNull();
    expect(linkRefusal(new Error('boom'))).toBeNull();
  });
});

describe('a split’s subject', () => {
  it('is sent when changed, left to the server when it is the ticket’s, refused when empty', () => {
    expect(splitSubject('  Second problem ', 'Teapot broken')).toBe('Second problem');
    expect(splitSubject(' Teapot broken ', 'Teapot broken')).toBeUndefined();
    expect(splitSubject('   ', 'Teapot broken')).toBeNull();
  });
});
