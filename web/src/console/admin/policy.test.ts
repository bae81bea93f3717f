import { describe, expect, it } from 'vitest';
import { checkPolicy, minutes, serverErrors, toValues, type SlaPolicy } from './policy';

const policy: SlaPolicy = {
  targets: {
    low: { response_minutes: 2880, resolution_minutes: 10080 },
    medium: { response_minutes: 1440, resolution_minutes: 4320 },
    high: { response_minutes: 240, resolution_minutes: 1440 },
    urgent: { response_minutes: 60, resolution_minutes: 240 },
  },
  auto_close: { waiting_customer_minutes: 10080, resolved_minutes: 1440 },
};

describe('the SLA policy form', () => {
  it('round-trips a valid policy', () => {
    expect(checkPolicy(toValues(policy))).toEqual({ errors: {}, policy: { ...policy, schedule_id: null } });
  });

  it('keeps the schedule its targets count, none being 24/7', () => {
    const scheduled = { ...policy, schedule_id: '0b0e8f3e-8d0a-4f55-9d43-2f8f7a1c9b10' };
    expect(toValues(scheduled).schedule_id).toBe(scheduled.schedule_id);
    expect(checkPolicy(toValues(scheduled)).policy?.schedule_id).toBe(scheduled.schedule_id);
    expect(serverErrors([{ field: 'schedule_id', message: 'unknown schedule' }])).toEqual({ schedule_id: 'policies.form.schedule_invalid' });
  });

  it('flags minutes out of bounds and a response after its resolution, by field', () => {
    const values = { ...toValues(policy), 'targets.high.response_minutes': '2000', 'targets.low.resolution_minutes': '0', 'auto_close.resolved_minutes': '1.5' };
    expect(checkPolicy(values)).toEqual({
      errors: {
        'targets.high.response_minutes': 'console.policy.order',
        'targets.low.resolution_minutes': 'console.policy.bounds',
        'auto_close.resolved_minutes': 'console.policy.bounds',
      },
      policy: null,
    });
  });

  it('reads whole minutes only', () => {
    expect(minutes(' 60 ')).toBe(60);
    expect([minutes('525601'), minutes('-1'), minutes('1e3'), minutes('')]).toEqual([null, null, null, null]);
  });

  it('puts the server field errors in the form words', () => {
    expect(
      serverErrors([
        { field: 'targets.low.response_minutes', message: 'must not exceed resolution_minutes (10)' },
        { field: 'auto_close.resolved_minutes', message: 'must be a whole number of minutes from 1 to 525600' },
      ]),
    ).toEqual({ 'targets.low.response_minutes': 'console.policy.order', 'auto_close.resolved_minutes': 'console.policy.bounds' });
  });
});
