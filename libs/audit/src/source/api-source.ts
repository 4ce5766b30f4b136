import { AuditFormatError, AuditSourceError } from '../audit-errors';
import { AuditRecord, recordOfEvent } from '../verify/audit-record';
import { ApiEventsPage, parseEventsPage } from './api-page';
import type { AuditSource } from './audit-source';

/** How the API source reads: the bearer token, events per request and the per-request timeout. */
export interface ApiSourceOptions {
  readonly token: string;
  /** Events per request, 1..1000 (default 1000, the API's maximum). */
  readonly pageSize?: number;
  /** Milliseconds one request may take (default 30 000). */
  readonly timeoutMs?: number;
}

/** What every 401/403 message ends with: the token the audit routes need. */
export const AUDIT_TOKEN_HINT = 'audit export and verify need a token with role auditor or admin and tenants ["*"]';

/**
 * The running API as a replay source: pages `GET {base}/v1/audit/events` from position 1 with the
 * bearer token and rebuilds each event's canonical body (as for EventStoreDB). The API serves every
 * stream but the key-material ones, each whole, so chains, tree and checkpoints can be checked.
 * Unreachable, refused (401/403) or malformed answers are typed errors naming the base URL, never
 * the token. No event count up front (`total` null), no recorded stream heads.
 */
export function apiAuditSource(baseUrl: string, options: ApiSourceOptions): AuditSource {
  const base = apiBase(baseUrl);
  if (typeof options.token !== 'string' || options.token.trim() === '') throw new AuditFormatError('the API source needs a bearer token');
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new AuditFormatError('the API page size must be 1..1000');
  const reader: PageReader = { base, token: options.token.trim(), pageSize, timeoutMs: options.timeoutMs ?? 30_000 };
  return { description: `API ${base}`, total: null, records: () => apiRecords(reader), close: async () => undefined };
}

/** The base URL without a trailing slash; refuses anything but a plain http(s) URL (never echoing it: it may hold a secret). */
function apiBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AuditFormatError('api: takes an http:// or https:// base URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AuditFormatError('api: takes an http:// or https:// base URL');
  if (u.username !== '' || u.password !== '') throw new AuditFormatError('the api: URL must not carry credentials; pass the token with --token-file or KEYLEDGER_TOKEN');
  if (u.search !== '' || u.hash !== '') throw new AuditFormatError('the api: URL takes no query or fragment');
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

interface PageReader {
  readonly base: string;
  readonly token: string;
  readonly pageSize: number;
  readonly timeoutMs: number;
}

async function* apiRecords(reader: PageReader): AsyncIterable<AuditRecord> {
  let from = 1;
  for (;;) {
    const where = `page fromPosition=${from} of API ${reader.base}`;
    const page = await readPage(reader, from, where);
    for (const event of page.events) yield recordOf(event, where);
    if (page.nextPosition === null) return;
    from = advance(page, from, where);
  }
}

/** The next page's position; a page that would not move past its own events is refused (it would loop). */
function advance(page: ApiEventsPage, from: number, where: string): number {
  const next = page.nextPosition as number;
  const last = page.events.length === 0 ? from - 1 : page.events[page.events.length - 1].position;
  if (next <= from || next <= last) throw new AuditFormatError(`${where} does not advance (nextPosition ${next})`);
  return next;
}

function recordOf(event: ApiEventsPage['events'][number], where: string): AuditRecord {
  try {
    return recordOfEvent(event);
  } catch (error) {
    throw new AuditFormatError(`${where}: event at position ${event.position}: ${error instanceof Error ? error.message : 'not canonicalisable'}`);
  }
}

async function readPage(reader: PageReader, from: number, where: string): Promise<ApiEventsPage> {
  const url = `${reader.base}/v1/audit/events?fromPosition=${from}&limit=${reader.pageSize}`;
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${reader.token}`, accept: 'application/json' },
      // A redirect is reported, not followed: the token goes to the URL the auditor named and nowhere else.
      redirect: 'manual',
      signal: AbortSignal.timeout(reader.timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    throw new AuditSourceError('AUDIT_SOURCE_UNREACHABLE', redact(`cannot reach the API at ${reader.base}: ${reason(error, reader.timeoutMs)}`, reader.token));
  }
  if (status < 200 || status > 299) throw statusError(reader, status, text);
  return parseEventsPage(text, where);
}

function statusError(reader: PageReader, status: number, text: string): AuditSourceError {
  const answer = redact(envelope(text), reader.token);
  const at = `the API at ${reader.base}`;
  if (status === 401) return new AuditSourceError('AUDIT_SOURCE_DENIED', `${at} refused the token (401${answer}): ${AUDIT_TOKEN_HINT}`);
  if (status === 403) return new AuditSourceError('AUDIT_SOURCE_DENIED', `${at} refused access (403${answer}): ${AUDIT_TOKEN_HINT}`);
  if (status >= 300 && status < 400) return new AuditSourceError('AUDIT_SOURCE_FAILED', `${at} answered a redirect (HTTP ${status}); name the final URL in api:<url>`);
  const hint = status === 404 ? ' (is this the keyledger API base URL?)' : '';
  return new AuditSourceError('AUDIT_SOURCE_FAILED', `${at} answered HTTP ${status}${answer}${hint}`);
}

/** ` CODE: message` from the API's error envelope, on one short line; empty when the body is not one. */
function envelope(text: string): string {
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (!error || typeof error.code !== 'string') return '';
    const message = typeof error.message === 'string' ? `: ${error.message}` : '';
    return ` ${error.code}${message}`.replace(/\s+/g, ' ').slice(0, 300);
  } catch {
    return '';
  }
}

function reason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Belt and braces: whatever a server or a network error says, the token never reaches a message. */
function redact(text: string, token: string): string {
  return text.split(token).join('[redacted]');
}
