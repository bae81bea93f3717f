import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProblem } from '../api/problem';
import { uploadImage, type HelpImage } from './helpCenter';

const image: HelpImage = {
  id: '0193aa00-0000-7000-8000-000000000001',
  url: '/help/images/0193aa00-0000-7000-8000-000000000001',
  original_name: 'Step 1.png',
  mime_type: 'image/png',
  file_size: 68,
  created_at: '2026-11-02T10:00:00Z',
};

afterEach(() => vi.unstubAllGlobals());

describe('uploadImage', () => {
  it('sends the file alone as a multipart form, as the ticket files are sent', async () => {
    const fetch = vi.fn(async (_input: string, _init: RequestInit) => new Response(JSON.stringify(image), { status: 201, headers: { 'Content-Type': 'application/json' } }));
    vi.stubGlobal('fetch', fetch);
    const file = new File([new Uint8Array([137, 80, 78, 71])], 'Step 1.png', { type: 'image/png' });
    expect(await uploadImage(file)).toEqual(image);
    const [url, init] = fetch.mock.calls[0]!;
    expect([url, init.method]).toEqual(['/v1/kb/images', 'POST']);
    const form = init.body as FormData;
    expect([...form.keys()]).toEqual(['file']);
    expect((form.get('file') as File).name).toBe('Step 1.png');
    // The browser sets the multipart boundary itself.
    expect(init.headers).not.toHaveProperty('Content-Type');
  });

  it('throws the server’s refusal as a problem with its code', async () => {
    const problem = { type: 'about:blank', title: 'Unsupported Media Type', status: 415, code: 'media_type_mismatch' };
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(problem), { status: 415, headers: { 'Content-Type': 'application/problem+json' } }));
    const refused = await uploadImage(new File(['%PDF-1.7'], 'fake.png', { type: 'image/png' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiProblem);
    expect(refused).toMatchObject({ status: 415, code: 'media_type_mismatch' });
  });
});
