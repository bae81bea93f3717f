import { describe, expect, it } from 'vitest';
import { checkProfile, profileChange } from './organisation';

const saved = { name: 'Acme SAV', time_zone: 'UTC', default_locale: 'en' };

describe('the organisation profile form', () => {
  it('sends only what changed, trimmed', () => {
    expect(profileChange(saved, { ...saved })).toEqual({});
    expect(profileChange(saved, { ...saved, name: '  Acme Support ' })).toEqual({ name: 'Acme Support' });
    expect(profileChange(saved, { name: 'Acme SAV ', time_zone: 'Europe/Paris', default_locale: 'fr' })).toEqual({ time_zone: 'Europe/Paris', default_locale: 'fr' });
  });

  it('asks for a name of 1 to 200 characters and a time zone before sending', () => {
    expect(checkProfile(saved)).toEqual({});
    expect(checkProfile({ ...saved, name: '   ', time_zone: '' })).toEqual({ name: 'console.organisation.name_required', time_zone: 'console.organisation.zone_required' });
    expect(checkProfile({ ...saved, name: 'é'.repeat(200) })).toEqual({});
    expect(checkProfile({ ...saved, name: 'é'.repeat(201) })).toEqual({ name: 'console.organisation.name_invalid' });
  });
});
