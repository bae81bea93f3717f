import { describe, expect, it } from 'vitest';
import { appForHost, tenantDomain, tenantLoginUrl } from './host';

describe('appForHost', () => {
  it.each([
    ['localhost', { kind: 'control' }],
    ['LOCALHOST', { kind: 'control' }],
    ['127.0.0.1', { kind: 'control' }],
    ['192.168.1.20', { kind: 'control' }],
    ['[::1]', { kind: 'control' }],
    ['::1', { kind: 'control' }],
    ['helpdeskly.example', { kind: 'control' }],
    ['helpdeskly.example.', { kind: 'control' }],
    ['intranet', { kind: 'control' }],
    ['acme.localhost', { kind: 'tenant', slug: 'acme' }],
    ['Acme.LocalHost', { kind: 'tenant', slug: 'acme' }],
    ['acme.helpdeskly.example', { kind: 'tenant', slug: 'acme' }],
    ['acme-shop.helpdeskly.co.uk', { kind: 'tenant', slug: 'acme-shop' }],
  ])('%s', (host, expected) => {
    expect(appForHost(host)).toEqual(expected);
  });
});

describe('tenantLoginUrl', () => {
  const here = { protocol: 'http:', host: 'localhost:6500' };

  it('uses the address the server gives', () => {
    expect(tenantLoginUrl('acme', 'http://acme.localhost:6501', here)).toBe('http://acme.localhost:6501/login');
    expect(tenantLoginUrl('acme', 'https://acme.helpdeskly.example/', here)).toBe('https://acme.helpdeskly.example/login');
  });

  it('falls back to a subdomain of the current host', () => {
    expect(tenantLoginUrl('acme', null, here)).toBe('http://acme.localhost:6500/login');
    expect(tenantLoginUrl('acme', undefined, { protocol: 'https:', host: 'helpdeskly.example' })).toBe(
      'https://acme.helpdeskly.example/login',
    );
  });
});

describe('tenantDomain', () => {
  it('is the control host, or a tenant host without its slug', () => {
    expect(tenantDomain('helpdeskly.example')).toBe('helpdeskly.example');
    expect(tenantDomain('localhost')).toBe('localhost');
    expect(tenantDomain('acme.helpdeskly.example')).toBe('helpdeskly.example');
    expect(tenantDomain('acme.localhost')).toBe('localhost');
  });
});
