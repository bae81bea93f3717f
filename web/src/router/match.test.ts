import { describe, expect, it } from 'vitest';
import { matchPath, safeNext } from './match';

describe('matchPath', () => {
  it('matches literal paths, ignoring a trailing slash', () => {
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/tickets/new', '/tickets/new/')).toEqual({});
    expect(matchPath('/tickets/new', '/tickets')).toBeNull();
  });

  it('captures and decodes parameters', () => {
    expect(matchPath('/tickets/{id}', '/tickets/42')).toEqual({ id: '42' });
    expect(matchPath('/invite/{token}', '/invite/a%2Fb')).toEqual({ token: 'a/b' });
    expect(matchPath('/invite/{token}', '/invite/%E0%A4%A')).toBeNull();
  });
});

describe('safeNext', () => {
  it('keeps own paths and refuses other sites', () => {
    expect(safeNext('/tickets/4?x=1')).toBe('/tickets/4?x=1');
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
