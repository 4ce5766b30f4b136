import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeOtlpTraces } from '@keyledger/testing';

const run = promisify(execFile);
const workspaceRoot = path.resolve(__dirname, '../../../..');
const fixture = path.resolve(__dirname, '../../test/fixtures/emit-spans.ts');
const tsx = path.join(workspaceRoot, 'node_modules/.bin/tsx');
const SECRET = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwMTIz';
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

/** A loopback OTLP/HTTP receiver: accepts trace exports and keeps the raw requests. */
function startReceiver(received: Received[]): Promise<Server> {
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function emitSpans(env: Record<string, string>): Promise<{ stdout: string }> {
  const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', FIXTURE_SECRET: SECRET, FIXTURE_TRACEPARENT: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` };
  return run(tsx, [fixture], { cwd: workspaceRoot, env: { ...base, ...env }, timeout: 60_000 });
}

describe('OTLP/HTTP export from a process (loopback receiver)', () => {
  const received: Received[] = [];
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = await startReceiver(received);
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('sends the KMS spans to $OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces, without the secret', async () => {
    const { stdout } = await emitSpans({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expect(stdout).toContain(`exported-to=${endpoint}/v1/traces`);
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received.every((r) => r.path === '/v1/traces')).toBe(true);
    const payload = Buffer.concat(received.map((r) => r.body)).toString('latin1');
    for (const text of ['kms.retrieve_signing_key', 'kms.retrieve_encryption_key', 'kms.provider.unwrap', 'tenant.id', 'tenant-otlp', 'cache.hit', 'latency.ms', 'error.message', 'keyledger-otlp-fixture']) {
      expect(payload).toContain(text);
    }
    expect(payload).not.toContain(SECRET);
  }, 60_000);

  it('sends OTLP protobuf by default: the decoded spans are server → kms.retrieve_signing_key → kms.provider.unwrap, continuing the caller\'s trace', async () => {
    await emitSpans({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expect(received.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
    const spans = received.flatMap((r) => decodeOtlpTraces(r.body));
    const byName = (name: string) => spans.find((s) => s.name === name);
    const server = byName('POST /v1/keys/:keyId/sign');
    const retrieval = byName('kms.retrieve_signing_key');
    const provider = byName('kms.provider.unwrap');
    expect(server).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: CALLER_SPAN, kind: 2 });
    expect(server?.attributes).toMatchObject({ 'http.route': '/v1/keys/:keyId/sign', 'http.response.status_code': 200, 'tenant.id': 'tenant-otlp' });
    expect(retrieval).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: server?.spanId });
    expect(retrieval?.attributes).toMatchObject({ 'tenant.id': 'tenant-otlp', 'key.type': 'signing', 'cache.checked': true, 'cache.hit': false });
    expect(typeof retrieval?.attributes['latency.ms']).toBe('number');
    expect(provider).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: retrieval?.spanId });
    const failed = byName('kms.retrieve_encryption_key');
    expect(failed?.parentSpanId).toBe('');
    expect(failed?.attributes).toMatchObject({ error: true, 'error.message': 'Error: provider refused material [REDACTED]' });
    expect(failed?.status.code).toBe(2);
    expect(server?.resource['service.name']).toBe('keyledger-otlp-fixture');
  }, 60_000);

  it('sends OTLP JSON when OTEL_EXPORTER_OTLP_PROTOCOL is http/json, and refuses an unknown protocol without echoing it', async () => {
    await emitSpans({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received.every((r) => r.contentType === 'application/json')).toBe(true);
    expect(JSON.parse(received[0].body.toString('utf8'))).toHaveProperty('resourceSpans');
    received.length = 0;
    const refused = emitSpans({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc-nonsense-value' });
    await expect(refused).rejects.toMatchObject({ stderr: expect.stringContaining('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be http/protobuf or http/json') });
    await expect(refused).rejects.toMatchObject({ stderr: expect.not.stringContaining('grpc-nonsense-value') });
    expect(received).toHaveLength(0);
  }, 60_000);

  it('exports nothing when the endpoint variable is not set', async () => {
    const { stdout } = await emitSpans({});
    expect(stdout).toContain('exported-to=none');
    expect(received).toHaveLength(0);
  }, 60_000);
});

describe('decodeOtlpTraces', () => {
  it('reads back what the OpenTelemetry serializer wrote: ids, parent, kind, status and every attribute type', () => {
    const span = {
      name: 'kms.retrieve_signing_key',
      kind: SpanKind.INTERNAL,
      spanContext: () => ({ traceId: CALLER_TRACE, spanId: 'aaaaaaaaaaaaaaaa', traceFlags: TraceFlags.SAMPLED }),
      parentSpanContext: { traceId: CALLER_TRACE, spanId: CALLER_SPAN, traceFlags: TraceFlags.SAMPLED },
      startTime: [1, 0],
      endTime: [1, 5_000_000],
      status: { code: SpanStatusCode.ERROR, message: 'failed' },
      attributes: { 'tenant.id': 'acme', 'cache.hit': false, 'latency.ms': 4.25, count: 3, error: true },
      links: [],
      events: [],
      duration: [0, 5_000_000],
      ended: true,
      resource: resourceFromAttributes({ 'service.name': 'decoder-test' }),
      instrumentationScope: { name: 'scope-a' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    } as unknown as ReadableSpan;
    const bytes = ProtobufTraceSerializer.serializeRequest([span]);
    expect(bytes).toBeDefined();
    const [decoded] = decodeOtlpTraces(bytes as Uint8Array);
    expect(decoded).toEqual({
      traceId: CALLER_TRACE,
      spanId: 'aaaaaaaaaaaaaaaa',
      parentSpanId: CALLER_SPAN,
      traceState: '',
      name: 'kms.retrieve_signing_key',
      kind: 1,
      status: { code: 2, message: 'failed' },
      attributes: { 'tenant.id': 'acme', 'cache.hit': false, 'latency.ms': 4.25, count: 3, error: true },
      resource: { 'service.name': 'decoder-test' },
      scope: 'scope-a',
    });
  });
});
