import { describe, expect, it } from 'vitest';
import { SseParser, readStream, type SseFrame } from './sse';

function collect(lastEventId = '') {
  const frames: SseFrame[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = new SseParser(
    { frame: (f) => frames.push(f), comment: (c) => comments.push(c), retry: (ms) => retries.push(ms) },
    lastEventId,
  );
  return { parser, frames, comments, retries };
}

/** Every way of cutting `text` in two, and one chunk per character. */
function cuts(text: string): string[][] {
  const all: string[][] = [[text], [...text]];
  for (let i = 1; i < text.length; i++) all.push([text.slice(0, i), text.slice(i)]);
  return all;
}

const STREAM =
  'retry: 3000\n\n' +
  'id: 1\nevent: ticket.created\ndata: {"ticket_id": 12}\n\n' +
  ': keep-alive\n\n' +
  'id: 2\r\nevent: message.added\r\ndata: {"ticket_id": 12, "message_id": 34}\r\n\r\n' +
  'id: 3\revent: notification\rdata: {"ticket_id": 12,\rdata:  "kind": "message_added"}\r\r';

const EXPECTED: SseFrame[] = [
  { event: 'ticket.created', data: '{"ticket_id": 12}', id: '1' },
  { event: 'message.added', data: '{"ticket_id": 12, "message_id": 34}', id: '2' },
  { event: 'notification', data: '{"ticket_id": 12,\n "kind": "message_added"}', id: '3' },
];

describe('SseParser', () => {
  it('reads the same frames however the stream is cut into chunks', () => {
    for (const chunks of cuts(STREAM)) {
      const { parser, frames, comments, retries } = collect();
      for (const chunk of chunks) parser.push(chunk);
      expect(frames, JSON.stringify(chunks)).toEqual(EXPECTED);
      expect(comments).toEqual(['keep-alive']);
      expect(retries).toEqual([3000]);
      expect(parser.lastEventId).toBe('3');
    }
  });

  it('takes CRLF split between chunks as one line end, not two', () => {
    const { parser, frames } = collect();
    parser.push('data: a\r');
    parser.push('\ndata: b\r');
    parser.push('\n\r');
    parser.push('\n');
    expect(frames).toEqual([{ event: 'message', data: 'a\nb', id: '' }]);
  });

  it('dispatches nothing until the blank line, and drops an unfinished frame at the end', () => {
    const { parser, frames } = collect();
    parser.push('id: 7\nevent: ticket.updated\ndata: {"ticket_id": 1}\n');
    expect(frames).toEqual([]);
    parser.end();
    parser.push('\n');
    expect(frames).toEqual([]);
  });

  it('keeps the last id for later frames and for reconnecting, and ignores an id holding NUL', () => {
    const { parser, frames } = collect('41');
    parser.push('event: ticket.updated\ndata: {}\n\n');
    parser.push('id: 42\n\n');
    parser.push('data: x\n\n');
    parser.push('id: 4\u00003\ndata: y\n\n');
    parser.push('id\ndata: z\n\n');
    expect(frames.map((f) => f.id)).toEqual(['41', '42', '42', '']);
    expect(parser.lastEventId).toBe('');
  });

  it('reads fields without a space or a value, ignores unknown ones and a bad retry, and drops a BOM', () => {
    const { parser, frames, retries } = collect();
    parser.push('\uFEFFdata:no space\ndata\ndata:  two spaces\nfoo: bar\nretry: soon\n\n');
    parser.push('event: resync\ndata: {}\n\n');
    expect(frames).toEqual([
      { event: 'message', data: 'no space\n\n two spaces', id: '' },
      { event: 'resync', data: '{}', id: '' },
    ]);
    expect(retries).toEqual([]);
  });

  it('ignores a frame with no data, which resets the event type', () => {
    const { parser, frames } = collect();
    parser.push('event: ticket.created\n\ndata: plain\n\n');
    expect(frames).toEqual([{ event: 'message', data: 'plain', id: '' }]);
  });
});

describe('readStream', () => {
  it('decodes UTF-8 split across chunks', async () => {
    const bytes = new TextEncoder().encode('id: 9\ndata: {"kind": "réponse ✓"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // Cut inside "é" (2 bytes) and inside "✓" (3 bytes).
        const e = bytes.indexOf(0xc3);
        const check = bytes.indexOf(0xe2);
        for (const [from, to] of [
          [0, e + 1],
          [e + 1, check + 2],
          [check + 2, bytes.length],
        ] as const)
          controller.enqueue(bytes.slice(from, to));
        controller.close();
      },
    });
    const { parser, frames } = collect();
    let chunks = 0;
    await readStream(body, parser, () => (chunks += 1));
    expect(chunks).toBe(3);
    expect(frames).toEqual([{ event: 'message', data: '{"kind": "réponse ✓"}', id: '9' }]);
  });
});
