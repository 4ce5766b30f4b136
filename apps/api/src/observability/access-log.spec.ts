import fc from 'fast-check';
import pino from 'pino';
import { serializeRequest } from '@keyledger/observability';
import { AccessLog, LOG_FLUSH_MS, type AccessRecord } from './access-log';

/** A destination that keeps every write it is given. */
function sink() {
  const writes: string[] = [];
  return { writes, write: (s: string) => void writes.push(s), lines: () => writes.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** The line pino itself writes for the same request (what the access log replaced). */
function pinoLine(record: AccessRecord, statusCode: number, elapsedMs: number): Record<string, unknown> {
  const out = sink();
  const level = statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
  pino({ level: 'trace', base: { app: 'keyledger-api' } }, out)[level]({ req: serializeRequest(record), res: { statusCode }, responseTime: Math.round(elapsedMs) }, 'request completed');
  return out.lines()[0];
}

const headerValue = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }));
const record = fc.record({
  id: fc.string({ maxLength: 64 }),
  method: fc.constantFrom('GET', 'POST', 'PATCH'),
  url: fc.string({ maxLength: 200 }),
  headers: fc.record({ host: headerValue, 'user-agent': headerValue, 'content-type': headerValue, authorization: headerValue, 'x-forwarded-for': headerValue, cookie: headerValue }, { requiredKeys: [] }),
});

describe('AccessLog', () => {
  afterEach(() => jest.useRealTimers());

  it('writes the same JSON line pino wrote, for any request (quotes, control characters, arrays of headers)', () => {
    fc.assert(
      fc.property(record, fc.constantFrom(200, 201, 404, 429, 500, 503), fc.double({ min: 0, max: 1e5, noNaN: true }), (r, status, elapsed) => {
        const out = sink();
        new AccessLog('trace', 'keyledger-api', out, 0).write(r as AccessRecord, status, elapsed);
        const [ours] = out.lines();
        const theirs = pinoLine(r as AccessRecord, status, elapsed);
        expect(typeof ours['time']).toBe('number');
        expect({ ...ours, time: 0 }).toEqual({ ...theirs, time: 0 });
        expect(JSON.stringify(ours)).not.toContain('authorization');
      }),
      { numRuns: 300 },
    );
  });

  it('leaves out lines below its level: 2xx at warn, everything when silent', () => {
    const r: AccessRecord = { id: 'r1', method: 'POST', url: '/v1/keys/k1/sign?x=secret', headers: {} };
    const warn = sink();
    const log = new AccessLog('warn', 'app', warn, 0);
    log.write(r, 200, 1);
    log.write(r, 404, 1);
    log.write(r, 503, 1);
    expect(warn.lines().map((l) => [l['level'], (l['res'] as { statusCode: number }).statusCode])).toEqual([[40, 404], [50, 503]]);
    expect(warn.lines()[0]['req']).toMatchObject({ path: '/v1/keys/k1/sign' });
    const silent = sink();
    new AccessLog('silent', 'app', silent, 0).write(r, 500, 1);
    expect(silent.writes).toEqual([]);
  });

  it('adds route, tenant and error code as pino would, and puts scrapes at debug unless they failed with a 500', () => {
    const r: AccessRecord = { id: 'r2', method: 'POST', url: '/v1/keys/k"1/sign', headers: {} };
    const facts = { route: '/v1/keys/:keyId/sign', tenantId: 'acme', errorCode: 'KEY_NOT_FOUND' };
    const out = sink();
    new AccessLog('trace', 'keyledger-api', out, 0).write(r, 404, 2, facts);
    const expected = sink();
    pino({ level: 'trace', base: { app: 'keyledger-api' } }, expected).warn(
      { req: serializeRequest(r), res: { statusCode: 404 }, responseTime: 2, route: facts.route, tenant: 'acme', errorCode: 'KEY_NOT_FOUND' },
      'request completed',
    );
    expect({ ...out.lines()[0], time: 0 }).toEqual({ ...expected.lines()[0], time: 0 });

    const info = sink();
    const log = new AccessLog('info', 'app', info, 0);
    const scrape = (url: string, status: number) => log.write({ id: url, method: 'GET', url, headers: {} }, status, 1, { route: url });
    scrape('/metrics', 200);
    scrape('/health/ready', 503);
    scrape('/health/live', 500);
    expect(info.lines().map((l) => [(l['req'] as { id: string }).id, l['level']])).toEqual([['/health/live', 50]]);
    expect(log.writes(200, '/metrics')).toBe(false);
    expect(log.writes(200, '/v1/keys')).toBe(true);
    const debug = sink();
    new AccessLog('debug', 'app', debug, 0).write({ id: 'm', method: 'GET', url: '/metrics', headers: {} }, 200, 1, { route: '/metrics' });
    expect(debug.lines()[0]).toMatchObject({ level: 20, route: '/metrics' });
  });

  it('gathers lines into blocks, writes a partial block after LOG_FLUSH_MS, and the rest on close', () => {
    jest.useFakeTimers();
    const out = sink();
    const log = new AccessLog('info', 'app', out, 1000);
    const r: AccessRecord = { id: 'r', method: 'GET', url: '/health/live', headers: {} };
    log.write(r, 200, 1);
    expect(out.writes).toHaveLength(0);
    while (out.writes.length === 0) log.write(r, 200, 1);
    expect(out.writes).toHaveLength(1);
    expect(out.writes[0].length).toBeGreaterThanOrEqual(1000);
    log.write(r, 200, 1);
    jest.advanceTimersByTime(LOG_FLUSH_MS);
    expect(out.writes).toHaveLength(2);
    log.write(r, 200, 1);
    log.close();
    expect(out.writes).toHaveLength(3);
    log.write(r, 200, 1);
    expect(out.writes).toHaveLength(4);
    expect(out.lines().every((l) => l['msg'] === 'request completed')).toBe(true);
  });
});
