/**
 * Which app a hostname serves: the same files answer on the control host (the apex) and on
 * every tenant's subdomain.
 */

export type HostApp = { kind: 'control' } | { kind: 'tenant'; slug: string };

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function appForHost(hostname: string): HostApp {
  const host = hostname.trim().toLowerCase().replace(/\.$/, '');
  // An IPv6 literal (`[::1]`) or an IPv4 address names a machine, never a tenant.
  if (host === 'localhost' || host.includes(':') || host.startsWith('[') || IPV4.test(host)) {
    return { kind: 'control' };
  }
  const labels = host.split('.');
  const first = labels[0] ?? '';
  if (labels.at(-1) === 'localhost') return first ? { kind: 'tenant', slug: first } : { kind: 'control' };
  return labels.length >= 3 && first ? { kind: 'tenant', slug: first } : { kind: 'control' };
}

/** Where a tenant's sign-in page lives, from the control host. `appUrl` comes from the server;
 * without it, the tenant is a subdomain of the control host. */
export function tenantLoginUrl(slug: string, appUrl: string | null | undefined, here: { protocol: string; host: string }): string {
  const base = appUrl ? appUrl.replace(/\/+$/, '') : `${here.protocol}//${slug}.${here.host}`;
  return `${base}/login`;
}

/** The domain tenants are subdomains of, as this page sees it: the control host itself, or a
 * tenant host without its first label. For examples shown to people ("acme.{domain}"). */
export function tenantDomain(hostname: string): string {
  const app = appForHost(hostname);
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return app.kind === 'tenant' ? host.slice(app.slug.length + 1) : host;
}
