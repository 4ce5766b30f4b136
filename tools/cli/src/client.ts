/** The API answered with an error envelope (`{"error":{"code","message","requestId"}}`) or a non-2xx status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API could not be reached at all (refused, DNS, timeout); never carries the token. */
export class UnreachableError extends Error {
  readonly code = 'API_UNREACHABLE';
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`cannot reach keyledger at ${url}: ${reason}`);
    this.name = 'UnreachableError';
  }
}

/** One HTTP answer: status, parsed JSON (or text) and headers. */
export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

/** Where and how the CLI talks to the API. */
export interface ClientOptions {
  readonly url: string;
  readonly token?: string;
  readonly timeoutMs: number;
}

/** A small JSON client for the keyledger API; `request` throws ApiError for non-2xx answers. */
export class ApiClient {
  readonly url: string;

  constructor(private readonly options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
  }

  get hasToken(): boolean {
    return this.options.token !== undefined && this.options.token !== '';
  }

  /** Sends one request; 2xx → parsed body, otherwise ApiError with the envelope's code. */
  async request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await this.raw(method, path, body, headers);
    if (res.status < 200 || res.status > 299) throw toApiError(res);
    return res as ApiResponse<T>;
  }

  /** Like `request` but returns any status (used by diagnose and health checks). */
  async raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const auth: Record<string, string> = this.hasToken ? { authorization: `Bearer ${this.options.token}` } : {};
    const json: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: { ...auth, ...json, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new UnreachableError(this.url, reason(error, this.options.timeoutMs));
    }
    const text = await res.text();
    return { status: res.status, body: parse(text), text, headers: res.headers };
  }
}

function parse(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toApiError(res: ApiResponse): ApiError {
  const envelope = (res.body as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | null)?.error;
  if (envelope && typeof envelope.code === 'string') {
    return new ApiError(res.status, envelope.code, String(envelope.message ?? envelope.code), typeof envelope.requestId === 'string' ? envelope.requestId : undefined);
  }
  return new ApiError(res.status, `HTTP_${res.status}`, `HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 200)}` : ''}`);
}

function reason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
