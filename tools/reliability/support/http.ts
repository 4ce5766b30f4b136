/** A small HTTP client on node:http: raw paths and bodies as given (no URL normalisation), timing per call. */
import { Agent, request } from 'node:http';

/** One answer: status, headers, the body text and its JSON (null when not JSON), and the time taken. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  readonly json: unknown;
  readonly ms: number;
}

export interface Call {
  readonly method: string;
  /** Sent exactly as given (the caller encodes it). */
  readonly path: string;
  readonly token?: string | null;
  /** A value to send as JSON, or a string/Buffer sent as is. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

const encodeBody = (body: unknown): Buffer | undefined => {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

/** Sends one request to `base` (http://host:port); rejects only when no answer arrives. */
export function call(base: string, c: Call): Promise<Answer> {
  const url = new URL(base);
  const payload = encodeBody(c.body);
  const headers: Record<string, string> = { ...(payload ? { 'content-type': 'application/json' } : {}), ...c.headers };
  if (c.token) headers['authorization'] = `Bearer ${c.token}`;
  if (payload) headers['content-length'] = String(payload.length);
  const started = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const req = request({ host: url.hostname, port: url.port, method: c.method, path: c.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        done({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text), ms });
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(payload);
  });
}

/** The `error` object of an error envelope, or null when the body is not one. */
export function envelopeOf(answer: Answer): { code: string; message: string; requestId: string } | null {
  const body = answer.json as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | null;
  const e = body?.error;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || typeof e.requestId !== 'string') return null;
  if (Object.keys(body ?? {}).length !== 1) return null;
  return { code: e.code, message: e.message, requestId: e.requestId };
}

/** Whether `answer` is a well-formed error envelope whose requestId matches the x-request-id header. */
export function isEnvelope(answer: Answer): boolean {
  const e = envelopeOf(answer);
  return e !== null && /^[A-Z][A-Z_]*$/.test(e.code) && e.requestId === answer.headers['x-request-id'];
}

/** p-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
