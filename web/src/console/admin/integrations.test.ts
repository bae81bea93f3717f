import { describe, expect, it } from 'vitest';
import type { DeliveryAttempt } from '../../data/integrations';
import { setLocale } from '../../i18n';
import {
  awaiting,
  checkKeyForm,
  checkWebhookForm,
  endOfDay,
  formField,
  formatMs,
  keyState,
  newestOfDelivery,
  retryRefreshIn,
  stillAwaited,
  succeeded,
  today,
  toggled,
  urlProblem,
  withHead,
  withPage,
} from './integrations';

// Local times (the date input's day is the user's): the tests run in whatever zone the machine has.
const now = new Date(2030, 0, 15, 10, 30);

describe('the API key form', () => {
  it('asks for a name, a permission, and an expiry today or later', () => {
    expect(checkKeyForm({ name: '  ', scopes: [], expires: '2030-01-14' }, now)).toEqual({
      errors: { name: 'integrations.key.name_required', scopes: 'integrations.key.scopes_required', expires_at: 'integrations.key.expires_past' },
      request: null,
    });
    expect(checkKeyForm({ name: 'x'.repeat(101), scopes: ['tickets:read'], expires: '2030-02-30' }, now).errors).toEqual({
      name: 'integrations.key.name_long',
      expires_at: 'integrations.key.expires_invalid',
    });
    // 100 characters, counted as people count them (not UTF-16 units).
    expect(checkKeyForm({ name: 'é'.repeat(99) + '🙂', scopes: ['tickets:read'], expires: '' }, now).errors).toEqual({});
  });

  it('builds the request: trimmed name, known scopes in their order, the end of the chosen day', () => {
    const { errors, request } = checkKeyForm({ name: ' CRM sync ', scopes: ['inbound:email', 'bogus', 'tickets:read'], expires: '2030-01-15' }, now);
    expect(errors).toEqual({});
    expect(request).toEqual({ name: 'CRM sync', scopes: ['tickets:read', 'inbound:email'], expires_at: endOfDay('2030-01-15') });
    expect(checkKeyForm({ name: 'Forever', scopes: ['tickets:write'], expires: '' }, now).request).toEqual({ name: 'Forever', scopes: ['tickets:write'] });
  });

  it('makes a day its last local second, in RFC 3339', () => {
    const at = endOfDay('2030-01-31')!;
    expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(new Date(at).getTime()).toBe(new Date(2030, 0, 31, 23, 59, 59).getTime());
    expect([endOfDay('2030-13-01'), endOfDay('31/01/2030'), endOfDay('')]).toEqual([null, null, null]);
    expect(today(new Date(2030, 2, 5, 23, 59))).toBe('2030-03-05');
  });

  it('tells a key’s standing', () => {
    expect(keyState({ expires_at: null, revoked_at: null }, now)).toBe('active');
    expect(keyState({ expires_at: '2030-01-16T00:00:00Z', revoked_at: null }, now)).toBe('active');
    expect(keyState({ expires_at: '2030-01-01T00:00:00Z', revoked_at: null }, now)).toBe('expired');
    expect(keyState({ expires_at: '2030-01-01T00:00:00Z', revoked_at: '2029-12-01T00:00:00Z' }, now)).toBe('revoked');
  });
});

describe('the webhook form', () => {
  it('wants an http(s) address with a host', () => {
    expect(urlProblem('')).toBe('integrations.webhook.url_required');
    expect(urlProblem('example.com/hook')).toBe('integrations.webhook.url_invalid');
    expect(urlProblem('ftp://example.com/hook')).toBe('integrations.webhook.url_scheme');
    expect(urlProblem('javascript:alert(1)')).toBe('integrations.webhook.url_scheme');
    expect(urlProblem(`https://example.com/${'a'.repeat(2000)}`)).toBe('integrations.webhook.url_long');
    expect(urlProblem(' https://hooks.example.com/helpdesk?x=1 ')).toBeNull();
    // Private addresses are the server's to refuse (`invalid_target`).
    expect(urlProblem('http://127.0.0.1:9/hook')).toBeNull();
  });

  it('asks for an event, and a short description if any', () => {
    expect(checkWebhookForm({ url: 'http://', events: [], description: 'x'.repeat(501) })).toEqual({
      errors: { url: 'integrations.webhook.url_invalid', events: 'integrations.webhook.events_required', description: 'integrations.webhook.description_long' },
      request: null,
    });
  });

  it('builds the request, without an empty description', () => {
    expect(checkWebhookForm({ url: ' https://example.com/h ', events: ['message.added', 'ticket.created'], description: '  ' }).request).toEqual({
      url: 'https://example.com/h',
      events: ['ticket.created', 'message.added'],
    });
    expect(checkWebhookForm({ url: 'https://example.com/h', events: ['ticket.sla_breach'], description: ' CRM ' }).request).toEqual({
      url: 'https://example.com/h',
      events: ['ticket.sla_breach'],
      description: 'CRM',
    });
  });

  it('keeps checkbox choices in their order, and names server fields as the form does', () => {
    const all = ['a', 'b', 'c'] as const;
    expect(toggled(all, ['c'], 'a', true)).toEqual(['a', 'c']);
    expect(toggled(all, ['a', 'c'], 'c', false)).toEqual(['a']);
    expect(formField('events[0]', ['url', 'events'])).toBe('events');
    expect(formField('scopes.1', ['name', 'scopes'])).toBe('scopes');
    expect(formField('secret', ['url', 'events'])).toBeNull();
  });
});

const attempt = (id: number, delivery: string, extra: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
  id,
  delivery_id: delivery,
  event_id: `e-${delivery}`,
  type: 'webhook.test',
  attempt: 1,
  status_code: null,
  duration_ms: null,
  error: null,
  response_body: null,
  created_at: '2030-01-15T10:00:00Z',
  next_attempt_at: null,
  ...extra,
});

describe('the delivery log', () => {
  it('reads an attempt', () => {
    expect([succeeded({ status_code: 204 }), succeeded({ status_code: 500 }), succeeded({ status_code: 302 }), succeeded({ status_code: null })]).toEqual([true, false, false, false]);
    setLocale('en');
    expect([formatMs(85), formatMs(1234), formatMs(30_400)]).toEqual(['85 ms', '1.2 sec', '30 sec']);
    setLocale('fr');
    expect(formatMs(1234)).toMatch(/^1,2\ss$/);
    setLocale('en');
  });

  it('takes the first page whole until older pages were loaded, then keeps them under it', () => {
    const first = withHead(null, { data: [attempt(5, 'a'), attempt(4, 'b')], next_cursor: 'after-4' });
    expect(first).toEqual({ items: [attempt(5, 'a'), attempt(4, 'b')], cursor: 'after-4', extended: false });
    const more = withPage(first, { data: [attempt(4, 'b'), attempt(3, 'c')], next_cursor: null });
    expect(more.items.map((a) => a.id)).toEqual([5, 4, 3]);
    expect(more).toMatchObject({ cursor: null, extended: true });
    // Two new attempts since: on top, the older pages and their (spent) cursor kept.
    const again = withHead(more, { data: [attempt(7, 'd'), attempt(6, 'a')], next_cursor: 'after-6' });
    expect(again.items.map((a) => a.id)).toEqual([7, 6, 5, 4, 3]);
    expect(again).toMatchObject({ cursor: null, extended: true });
    // Not extended: a refresh is the first page as it is now.
    expect(withHead(first, { data: [attempt(6, 'a'), attempt(5, 'a')], next_cursor: 'after-5' }).items.map((a) => a.id)).toEqual([6, 5]);
  });

  it('waits for a new attempt of a queued delivery', () => {
    const log = withHead(null, { data: [attempt(2, 'a', { attempt: 2 }), attempt(1, 'a')], next_cursor: null });
    const replay = awaiting('a', log);
    const test = awaiting('t', log);
    expect(replay.known).toEqual(['2', '1']);
    expect(stillAwaited([replay, test], log.items)).toEqual([replay, test]);
    expect(stillAwaited([replay, test], [attempt(3, 'a', { attempt: 3 }), ...log.items])).toEqual([test]);
    expect(stillAwaited([replay, test], [attempt(3, 't'), ...log.items])).toEqual([replay]);
  });

  it('reads the log again a moment after a retry due soon', () => {
    const at = (s: number) => new Date(now.getTime() + s * 1000).toISOString();
    // The newest attempt of each delivery counts; the soonest retry within the minute wins.
    const items = [attempt(4, 'a', { next_attempt_at: at(5) }), attempt(3, 'b', { next_attempt_at: at(40) }), attempt(2, 'a', { next_attempt_at: at(1) })];
    expect(retryRefreshIn(items, now)).toBe(6500);
    expect(retryRefreshIn([attempt(3, 'b', { next_attempt_at: at(300) })], now)).toBeNull();
    expect(retryRefreshIn([attempt(3, 'b', { next_attempt_at: at(-10) })], now)).toBe(2000);
    expect(retryRefreshIn([attempt(3, 'b', { next_attempt_at: at(-60) }), attempt(2, 'c')], now)).toBeNull();
  });

  it('offers "Replay" beside each delivery’s newest attempt', () => {
    expect([...newestOfDelivery([attempt(5, 'a'), attempt(4, 'b'), attempt(3, 'a'), attempt(2, 'c')])]).toEqual([0, 1, 3]);
  });
});
