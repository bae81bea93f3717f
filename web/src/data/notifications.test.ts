import { describe, expect, it } from 'vitest';
import { completePreferences } from './notifications';

describe('completePreferences', () => {
  it('holds every kind on both channels, a kind left out counting as off', () => {
    const complete = completePreferences({ email: { message_added: true, sla_breach: false }, in_app: { ticket_created: true }, language: 'fr' });
    expect(complete.email).toEqual({
      ticket_created: false,
      ticket_assigned: false,
      message_added: true,
      status_changed: false,
      ticket_resolved: false,
      sla_breach: false,
    });
    expect(complete.in_app.ticket_created).toBe(true);
    expect(Object.keys(complete.in_app)).toHaveLength(6);
    expect(complete.language).toBe('fr');
  });

  it('drops what is not a kind', () => {
    expect(Object.keys(completePreferences({ email: { bogus: true }, in_app: {}, language: 'en' }).email)).not.toContain('bogus');
  });
});
