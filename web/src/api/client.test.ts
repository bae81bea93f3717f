import { describe, expect, it } from 'vitest';
import { ApiClient, buildUrl, dispositionFilename } from './client';
import { ApiProblem, parseRetryAfter } from './problem';

describe('buildUrl', () => {
  it('fills path parameters, encoded, and skips empty query values', () => {
    expect(buildUrl('/v1/invitations/{token}/accept', { token: 'a/b c' })).toBe('/v1/invitations/a%2Fb%20c/accept');
    expect(buildUrl('/v1/tickets', undefined, { limit: 20, cursor: undefined, status: '', q: 'a&b' })).toBe('/v1/tickets?limit=20&q=a%26b');
  });

  it('repeats a parameter given as a list, and leaves an empty list out', () => {
    expect(buildUrl('/v1/tickets', undefined, { tag: ['refund', 'vip:gold'], no_tag: [], q: 'box' })).toBe('/v1/tickets?tag=refund&tag=vip%3Agold&q=box');
  });
});

describe('dispositionFilename', () => {
  it('reads the name a download is given, the UTF-8 one first, without any folder', () => {
    expect(dispositionFilename('attachment; filename="message-42.eml"')).toBe('message-42.eml');
    expect(dispositionFilename('attachment; filename=message-42.eml')).toBe('message-42.eml');
    expect(dispositionFilename('attachment; filename="a \\"b\\".eml"')).toBe('a "b".eml');
    expect(dispositionFilename(`attachment; filename="plain.eml"; filename*=UTF-8''r%C3%A9ponse.eml`)).toBe('réponse.eml');
    expect(dispositionFilename('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(dispositionFilename('attachment')).toBeNull();
    expect(dispositionFilename(null)).toBeNull();
  });
});

describe('ApiProblem.fromResponse', () => {
  const now = new Date('2030-01-01T00:00:00Z');

  it('reads the problem document, its field errors and extra members', async () => {
    const body = {
      type: 'urn:helpdeskly:problem:invalid_transition',
      title: 'Conflict',
      status: 409,
      code: 'invalid_transition',
      detail: 'no',
      allowed: ['closed'],
      errors: [{ field: 'status', message: 'bad' }, { nonsense: true }],
    };
    const response = new Response(JSON.stringify(body), { status: 409, headers: { 'Content-Type': 'application/problem+json' } });
    const problem = await ApiProblem.fromResponse(response, now);
    expect(problem).toMatchObject({ status: 409, code: 'invalid_transition', detail: 'no', errors: [{ field: 'status', message: 'bad' }] });
    expect(problem.extra).toEqual({ allowed: ['closed'] });
  });

  it('keeps Retry-After as a time', async () => {
    const response = new Response('{"type":"x","title":"x","status":429,"code":"rate_limited"}', {
      status: 429,
      headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '120' },
    });
    expect((await ApiProblem.fromResponse(response, now)).retryAt).toEqual(new Date('2030-01-01T00:02:00Z'));
    expect(parseRetryAfter('Wed, 01 Jan 2030 00:05:00 GMT', now)).toEqual(new Date('2030-01-01T00:05:00Z'));
    expect(parseRetryAfter('soon', now)).toBeNull();
  });

  it('names answers without a problem document by their status', async () => {
    const response = new Response('<html>Bad gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } });
    expect(await ApiProblem.fromResponse(response)).toMatchObject({ status: 502, code: 'server_error' });
  });
});

describe('ApiClient', () => {
  it('sends JSON same-origin and reads 204 as nothing', async () => {
    const seen: RequestInit[] = [];
    const client = new ApiClient(async (_url, init) => {
      seen.push(init);
      return new Response(null, { status: 204 });
    });
    const answer = await client.call('DELETE', '/v1/attachments/{id}', { path: { id: 7 } });
    expect(answer).toBeUndefined();
    expect(seen[0]).toMatchObject({ method: 'DELETE', credentials: 'same-origin' });
    expect(seen[0]).not.toHaveProperty('keepalive');
  });

  it('keeps a call alive past the page when asked', async () => {
    const seen: RequestInit[] = [];
    const client = new ApiClient(async (_url, init) => {
      seen.push(init);
      return new Response(null, { status: 204 });
    });
    await client.call('DELETE', '/v1/attachments/{id}', { path: { id: 7 }, keepalive: true });
    expect(seen[0]).toMatchObject({ method: 'DELETE', keepalive: true });
  });

  it('sends files as multipart without setting the boundary itself', async () => {
    let init: RequestInit | undefined;
    const client = new ApiClient(async (_url, i) => {
      init = i;
      return new Response('{"id":1}', { status: 201, headers: { 'Content-Type': 'application/json' } });
    });
    const file = new File(['hello'], 'note.txt', { type: 'text/plain' });
    await client.call('POST', '/v1/tickets/{id}/attachments', { path: { id: 3 }, form: { file } });
    expect(init?.body).toBeInstanceOf(FormData);
    expect((init?.body as FormData).get('file')).toBeInstanceOf(File);
    expect(new Headers(init?.headers).get('Content-Type')).toBeNull();
  });

  it('sends a raw body as it is, with the media type the contract names', async () => {
    let init: RequestInit | undefined;
    const client = new ApiClient(async (_url, i) => {
      init = i;
      return new Response('{"imported":1,"skipped":0}', { status: 200, headers: { 'Content-Type': 'application/json' } });
    });
    const calendar = 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n';
    const id = 'c0ffee00-0000-4000-8000-000000000001';
    expect(await client.call('POST', '/v1/schedules/{id}/holidays/import', { path: { id }, raw: { type: 'text/calendar', content: calendar } })).toEqual({ imported: 1, skipped: 0 });
    expect(init?.body).toBe(calendar);
    expect(new Headers(init?.headers).get('Content-Type')).toBe('text/calendar');
  });

  it('turns a failed fetch into a network problem', async () => {
    const client = new ApiClient(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(client.call('GET', '/v1/me')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('revalidates with If-None-Match, outside the browser cache, and reads 304 as unchanged', async () => {
    const seen: RequestInit[] = [];
    const answers = [
      new Response('{"data":[],"next_cursor":null}', { status: 200, headers: { 'Content-Type': 'application/json', ETag: '"a1"' } }),
      new Response(null, { status: 304, headers: { ETag: '"a1"' } }),
    ];
    const client = new ApiClient(async (_url, init) => {
      seen.push(init);
      return answers.shift()!;
    });
    const first = await client.revalidate('/v1/tickets', null, { query: { limit: 5 } });
    expect(first).toEqual({ changed: true, body: { data: [], next_cursor: null }, etag: '"a1"' });
    expect(new Headers(seen[0]?.headers).get('If-None-Match')).toBeNull();
    const second = await client.revalidate('/v1/tickets', '"a1"', { query: { limit: 5 } });
    expect(second).toEqual({ changed: false });
    expect(new Headers(seen[1]?.headers).get('If-None-Match')).toBe('"a1"');
    expect(seen[1]?.cache).toBe('no-store');
  });

  it('refreshes an expired token once on a conditional GET too', async () => {
    let token = 'old';
    const sent: (string | null)[] = [];
    const client = new ApiClient(async (_url, init) => {
      const auth = new Headers(init.headers).get('Authorization');
      sent.push(auth);
      if (auth === 'Bearer old') {
        return new Response('{"type":"x","title":"x","status":401,"code":"token_expired"}', { status: 401, headers: { 'Content-Type': 'application/problem+json' } });
      }
      return new Response(null, { status: 304 });
    });
    client.useAuth({ token: () => token, refresh: async () => ((token = 'new'), true), ended: () => undefined });
    expect(await client.revalidate('/v1/me', '"x"')).toEqual({ changed: false });
    expect(sent).toEqual(['Bearer old', 'Bearer new']);
  });

  it('downloads a file with the session’s token, refreshed once, and names it as the server does', async () => {
    let token = 'old';
    const seen: Headers[] = [];
    const client = new ApiClient(async (_url, init) => {
      const headers = new Headers(init.headers);
      seen.push(headers);
      if (headers.get('Authorization') === 'Bearer old') {
        return new Response('{"type":"x","title":"x","status":401,"code":"token_expired"}', { status: 401, headers: { 'Content-Type': 'application/problem+json' } });
      }
      return new Response('From: a@example.com\r\n\r\nHi', {
        status: 200,
        headers: { 'Content-Type': 'message/rfc822', 'Content-Disposition': 'attachment; filename="message-9.eml"' },
      });
    });
    client.useAuth({ token: () => token, refresh: async () => ((token = 'new'), true), ended: () => undefined });
    const file = await client.download('/v1/inbound/emails/{id}/raw', 'message/rfc822', { path: { id: 9 } });
    expect(file.filename).toBe('message-9.eml');
    expect(await file.blob.text()).toBe('From: a@example.com\r\n\r\nHi');
    expect(seen.map((h) => h.get('Authorization'))).toEqual(['Bearer old', 'Bearer new']);
    expect(seen[1]?.get('Accept')).toBe('message/rfc822');
  });

  it('turns a refused download into its problem', async () => {
    const client = new ApiClient(async () => new Response('{"type":"x","title":"x","status":404,"code":"not_found"}', { status: 404, headers: { 'Content-Type': 'application/problem+json' } }));
    await expect(client.download('/v1/inbound/emails/{id}/raw', 'message/rfc822', { path: { id: 1 } })).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});
