/**
 * Every failure of a call as one value: the server's problem+json document, or a stand-in for
 * what never reached it (network down, aborted) or did not answer in the contract's shape.
 */

export interface FieldError {
  field: string;
  message: string;
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | null;
  readonly errors: FieldError[];
  /** When the server said to try again (Retry-After), if it did. */
  readonly retryAt: Date | null;
  /** The document's other members (`allowed` on `invalid_transition`, ...). */
  readonly extra: Record<string, unknown>;

  constructor(init: {
    status: number;
    code: string;
    title?: string;
    detail?: string | null;
    errors?: FieldError[];
    retryAt?: Date | null;
    extra?: Record<string, unknown>;
  }) {
    super(init.detail ?? init.title ?? init.code);
    this.name = 'ApiProblem';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title ?? init.code;
    this.detail = init.detail ?? null;
    this.errors = init.errors ?? [];
    this.retryAt = init.retryAt ?? null;
    this.extra = init.extra ?? {};
  }

  /** A failure worth trying again later: no answer (the network, a timeout), too many requests,
   * the server's own trouble. Any other answer would come again. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }

  static network(cause: unknown): ApiProblem {
    // A timeout is a network failure to the caller; only an abort someone asked for is `aborted`.
    const aborted = cause instanceof DOMException && cause.name === 'AbortError';
    return new ApiProblem({ status: 0, code: aborted ? 'aborted' : 'network_error' });
  }

  static async fromResponse(response: Response, now: Date = new Date()): Promise<ApiProblem> {
    const retryAt = parseRetryAfter(response.headers.get('Retry-After'), now);
    let document: unknown = null;
    if (/json/i.test(response.headers.get('Content-Type') ?? '')) {
      document = await response.json().catch(() => null);
    }
    if (!isRecord(document) || typeof document.code !== 'string') {
      return new ApiProblem({ status: response.status, code: codeForStatus(response.status), retryAt });
    }
    const { status, code, title, detail, errors, type: _type, ...extra } = document;
    return new ApiProblem({
      status: typeof status === 'number' ? status : response.status,
      code,
      title: typeof title === 'string' ? title : undefined,
      detail: typeof detail === 'string' ? detail : null,
      errors: Array.isArray(errors) ? errors.filter(isFieldError) : [],
      retryAt,
      extra,
    });
  }

  /** The message the server gave for one field, if any. */
  fieldMessage(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110). */
export function parseRetryAfter(value: string | null, now: Date): Date | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return new Date(now.getTime() + Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : new Date(date);
}

/** A code for answers that carry no problem document (a proxy's 502, say). */
function codeForStatus(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'unexpected_response';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFieldError(value: unknown): value is FieldError {
  return isRecord(value) && typeof value.field === 'string' && typeof value.message === 'string';
}
