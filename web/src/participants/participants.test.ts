import { describe, expect, it } from 'vitest';
import type { Participant } from '../data/participants';
import { addOutcome, checkParticipant, isFollowing, neighbour, normaliseAddress, ownParticipation, participantBody, participantName, sameAddress } from './participants';

const person = (id: number, email: string, kind: Participant['kind'] = 'cc', extra: Partial<Participant> = {}): Participant => ({
  id,
  email,
  name: '',
  user_id: null,
  kind,
  created_at: '2025-03-01T10:00:00Z',
  ...extra,
});

const me = { id: 'u-1', email: 'Ines.Moreau@Example.org' };

describe('addresses', () => {
  it('are compared as the server keeps them: trimmed, lower-case', () => {
    expect(normaliseAddress('  Zoe@Example.ORG ')).toBe('zoe@example.org');
    expect(sameAddress('zoe@example.org', ' ZOE@example.org')).toBe(true);
    expect(sameAddress('zoe@example.org', 'zoé@example.org')).toBe(false);
  });

  it('name a participant by their name, else their address', () => {
    expect(participantName(person(1, 'zoe@example.org', 'cc', { name: ' Zoé Petit ' }))).toBe('Zoé Petit');
    expect(participantName(person(1, 'zoe@example.org'))).toBe('zoe@example.org');
  });
});

describe('following', () => {
  it('finds the signed-in person by account or by address', () => {
    expect(ownParticipation([person(1, 'a@example.org'), person(2, 'x@example.org', 'follower', { user_id: 'u-1' })], me)?.id).toBe(2);
    expect(ownParticipation([person(3, 'ines.moreau@example.org', 'follower')], me)?.id).toBe(3);
    expect(ownParticipation([person(1, 'a@example.org')], me)).toBeUndefined();
  });

  it('holds only as a follower, not in copy', () => {
    expect(isFollowing([person(2, 'ines.moreau@example.org', 'follower', { user_id: 'u-1' })], me)).toBe(true);
    expect(isFollowing([person(2, 'ines.moreau@example.org', 'cc')], me)).toBe(false);
    expect(isFollowing([], me)).toBe(false);
  });
});

describe('adding', () => {
  it('tells a new participant from one the ticket held already', () => {
    const before = [person(1, 'zoe@example.org')];
    expect(addOutcome(person(2, 'marc@example.org'), before)).toBe('added');
    expect(addOutcome(person(1, 'zoe@example.org'), before)).toBe('already');
    expect(addOutcome(person(7, 'Zoe@Example.org'), before)).toBe('already');
  });

  it('checks the address before sending: present, well formed, not on the ticket yet', () => {
    const held = [person(1, 'zoe@example.org')];
    expect(checkParticipant({ email: '  ', name: '', kind: 'cc' }, held)).toEqual({ email: 'participants.add.email_required' });
    expect(checkParticipant({ email: 'zoe@', name: '', kind: 'cc' }, held)).toEqual({ email: 'validation.email' });
    expect(checkParticipant({ email: ' ZOE@example.org ', name: '', kind: 'follower' }, held)).toEqual({ email: 'participants.add.already_there' });
    expect(checkParticipant({ email: 'marc@example.org', name: 'x'.repeat(256), kind: 'cc' }, held)).toEqual({ name: 'validation.too_long' });
    expect(checkParticipant({ email: 'marc@example.org', name: 'Marc', kind: 'cc' }, held)).toEqual({});
  });

  it('sends the address trimmed, and a name only when there is one', () => {
    expect(participantBody({ email: ' marc@example.org ', name: ' ', kind: 'cc' })).toEqual({ email: 'marc@example.org', kind: 'cc' });
    expect(participantBody({ email: 'marc@example.org', name: ' Marc Roux ', kind: 'cc' })).toEqual({ email: 'marc@example.org', kind: 'cc', name: 'Marc Roux' });
    expect(participantBody({ email: 'nadia@example.org', name: '', kind: 'follower' }, 'Nadia Roux')).toEqual({ email: 'nadia@example.org', kind: 'follower', name: 'Nadia Roux' });
    expect(participantBody({ email: 'nadia@example.org', name: 'N. R.', kind: 'follower' }, 'Nadia Roux').name).toBe('N. R.');
  });
});

describe('the focus after a removal', () => {
  it('goes to the row taking its place, else the one before, else nowhere', () => {
    expect(neighbour([1, 2, 3], 2)).toBe(3);
    expect(neighbour([1, 2, 3], 3)).toBe(2);
    expect(neighbour([1], 1)).toBeUndefined();
    expect(neighbour([1, 2], 9)).toBeUndefined();
  });
});
