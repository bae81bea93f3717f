/**
 * Server-sent events as the HTML standard reads them ("event stream interpretation"), for a
 * stream read with fetch: text in chunks cut anywhere (inside a line, between a CR and its LF,
 * inside a UTF-8 sequence), lines ended by CRLF, LF or CR, comments, multi-line data, ids that
 * carry over to the frames after them, and `retry`.
 */

export interface SseFrame {
  /** The event's type (`message` when the frame names none). */
  event: string;
  /** The data lines joined by LF. */
  data: string;
  /** The last event id at this frame (its own or one before it), `''` for none. */
  id: string;
}

export interface SseSink {
  frame(frame: SseFrame): void;
  /** A comment line (`: keep-alive`), without its colon. */
  comment?(text: string): void;
  /** The reconnection time the server asked for, in milliseconds. */
  retry?(ms: number): void;
}

export class SseParser {
  private buffer = '';
  private started = false;
  /** The previous chunk ended with CR: an LF opening the next one belongs to it. */
  private afterCr = false;
  private data: string[] = [];
  private event = '';
  private lastId: string;

  constructor(
    private readonly sink: SseSink,
    /** The id a new connection starts from (the one sent as `Last-Event-ID`). */
    lastEventId = '',
  ) {
    this.lastId = lastEventId;
  }

  /** The last event id seen, to send as `Last-Event-ID` when reconnecting. */
  get lastEventId(): string {
    return this.lastId;
  }

  push(chunk: string): void {
    if (!chunk) return;
    let text = chunk;
    if (this.afterCr) {
      this.afterCr = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    if (!this.started) {
      this.started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    this.buffer += text;
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf('\r', start);
      const lf = this.buffer.indexOf('\n', start);
      if (cr < 0 && lf < 0) break;
      const end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
      this.line(this.buffer.slice(start, end));
      if (end === cr) {
        if (end + 1 === this.buffer.length) {
          this.afterCr = true;
          start = end + 1;
          break;
        }
        start = this.buffer[end + 1] === '\n' ? end + 2 : end + 1;
      } else {
        start = end + 1;
      }
    }
    this.buffer = this.buffer.slice(start);
  }

  /** The stream ended: a frame not closed by a blank line is dropped, as the standard says. */
  end(): void {
    this.buffer = '';
    this.data = [];
    this.event = '';
    this.afterCr = false;
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return this.sink.comment?.(line.slice(1).replace(/^ /, ''));
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.sink.retry?.(Number(value));
        break;
      default:
      // Unknown fields are ignored.
    }
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.event;
    this.data = [];
    this.event = '';
    if (data.length === 0) return;
    this.sink.frame({ event: event || 'message', data: data.join('\n'), id: this.lastId });
  }
}

/** Reads a response body to its end into `parser`, decoding UTF-8 across chunk boundaries. */
export async function readStream(body: ReadableStream<Uint8Array>, parser: SseParser, onChunk?: () => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onChunk?.();
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
  } finally {
    parser.end();
    reader.releaseLock();
  }
}
