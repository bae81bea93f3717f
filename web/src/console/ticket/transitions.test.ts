import { describe, expect, it } from 'vitest';
import { allowedFrom, staffTargets } from './transitions';

describe('staffTargets', () => {
  it('follows the state machine for staff', () => {
    expect(staffTargets('open')).toEqual(['in_progress', 'closed']);
    expect(staffTargets('in_progress')).toEqual(['waiting_customer', 'resolved', 'open']);
    expect(staffTargets('waiting_customer')).toEqual([]);
    expect(staffTargets('resolved')).toEqual([]);
    expect(staffTargets('closed')).toEqual([]);
  });
});

describe('allowedFrom', () => {
  it('reads the allowed statuses of a refusal', () => {
    expect(allowedFrom({ allowed: ['resolved', 'bogus', 'open'] })).toEqual(['resolved', 'open']);
    expect(allowedFrom({})).toBeNull();
  });
});
