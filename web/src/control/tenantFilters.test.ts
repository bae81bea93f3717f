import { describe, expect, it } from 'vitest';
import { NO_FILTERS, parseTenantFilters, tenantsHref, tenantsQuery } from './tenantFilters';

describe('parseTenantFilters', () => {
  it('reads the filters the address holds', () => {
    const query = new URLSearchParams({ status: 'suspended', placement: 'dedicated', cluster: ' eu-west ' });
    expect(parseTenantFilters(query)).toEqual({ status: 'suspended', placement: 'dedicated', cluster: 'eu-west' });
  });

  it('takes what it does not know for no filter', () => {
    expect(parseTenantFilters(new URLSearchParams({ status: 'asleep', placement: 'shared', cluster: '  ' }))).toEqual(NO_FILTERS);
    expect(parseTenantFilters(new URLSearchParams())).toEqual(NO_FILTERS);
  });

  it('keeps a cluster name within the length of a name', () => {
    expect(parseTenantFilters(new URLSearchParams({ cluster: 'x'.repeat(80) })).cluster).toBe('x'.repeat(63));
  });
});

describe('tenantsHref', () => {
  it('is the plain list without filters', () => {
    expect(tenantsHref(NO_FILTERS)).toBe('/operators/tenants');
  });

  it('writes only the filters set, and reads back the same', () => {
    const filters = { ...NO_FILTERS, placement: 'pooled' as const, cluster: 'default' };
    expect(tenantsHref(filters)).toBe('/operators/tenants?placement=pooled&cluster=default');
    const back = new URL(tenantsHref(filters), 'http://localhost').searchParams;
    expect(parseTenantFilters(back)).toEqual(filters);
  });

  it('writes a cluster trimmed, and one of spaces not at all', () => {
    expect(tenantsHref({ ...NO_FILTERS, status: 'active', cluster: ' eu ' })).toBe('/operators/tenants?status=active&cluster=eu');
    expect(tenantsHref({ ...NO_FILTERS, cluster: '   ' })).toBe('/operators/tenants');
  });
});

describe('tenantsQuery', () => {
  it('asks for a page of the size given, with the filters set', () => {
    expect(tenantsQuery(NO_FILTERS, 50, null)).toEqual({ limit: 50 });
    expect(tenantsQuery({ status: 'failed', placement: 'dedicated', cluster: ' default ' }, 25, 'next-1')).toEqual({
      limit: 25,
      status: 'failed',
      placement: 'dedicated',
      cluster: 'default',
      cursor: 'next-1',
    });
  });
});
