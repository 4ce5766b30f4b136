import 'reflect-metadata';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { CLIENT_ABORTED, HttpServerSpans } from './http-server-span';
import { inProviderSpan, inRetrievalSpan } from './kms-span';
import { otlpTracesUrl, setupTracing, type TracingHandle } from './setup-tracing';
import { KmsTracing, TracingModule } from './tracing.module';

const SECRET = 'c2VjcmV0LWtleS1tYXRlcmlhbC1ub3QtZm9yLXRyYWNlcw==';

function allAttributeText(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events })));
}

describe('otlpTracesUrl', () => {
  it('uses the traces endpoint as given, else appends /v1/traces to the generic one', () => {
    expect(otlpTracesUrl({})).toBeUndefined();
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBeUndefined();
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toBe('http://c:4318/v1/traces');
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t/x' })).toBe('http://t/x');
  });
});

describe('setupTracing without an endpoint', () => {
  it('registers nothing, so spans are not recorded or exported', async () => {
    const handle = setupTracing({ serviceName: 'test', env: {} });
    expect(handle.otlpTracesUrl).toBeUndefined();
    expect(handle.provider).toBeUndefined();
    const span = trace.getTracer('t').startSpan('x');
    expect(span.isRecording()).toBe(false);
    span.end();
    await handle.shutdown();
  });
});

describe('KMS spans (in-memory exporter)', () => {
  let exporter: InMemorySpanExporter;
  let handle: TracingHandle;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    handle = setupTracing({ serviceName: 'test', env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  });

  afterEach(async () => {
    await handle.shutdown();
  });

  it('records a retrieval with tenant, key type, cache fields and latency, and the provider call as its child', async () => {
    let now = 100;
    const clock = () => now;
    const tracer = trace.getTracer('kms');
    const result = await inRetrievalSpan(
      tracer,
      { tenantId: 'tenant-1', keyType: 'signing' },
      async (span) => {
        span.cacheChecked(false);
        await inProviderSpan(tracer, { provider: 'aws', operation: 'decrypt', tenantId: 'tenant-1' }, async () => undefined);
        now = 142.5;
        return 'key-handle';
      },
      clock,
    );
    expect(result).toBe('key-handle');
    const spans = exporter.getFinishedSpans();
    const retrieval = spans.find((s) => s.name === 'kms.retrieve_signing_key');
    const provider = spans.find((s) => s.name === 'kms.provider.decrypt');
    expect(retrieval?.attributes).toEqual({
      'tenant.id': 'tenant-1',
      'key.type': 'signing',
      'cache.checked': true,
      'cache.hit': false,
      'latency.ms': 42.5,
    });
    expect(provider?.attributes).toMatchObject({ 'kms.provider': 'aws', 'kms.operation': 'decrypt', 'tenant.id': 'tenant-1' });
    expect(provider?.parentSpanContext?.spanId).toBe(retrieval?.spanContext().spanId);
    expect(handle.provider).toBeDefined();
  });

  it('marks failures with error and a scrubbed error.message, rethrows, and never records the secret', async () => {
    const tracer = trace.getTracer('kms');
    const failing = inRetrievalSpan(tracer, { tenantId: 't', keyType: 'encryption' }, async (span) => {
      span.cacheChecked(true);
      throw new Error(`unwrap failed for material ${SECRET}`);
    });
    await expect(failing).rejects.toThrow('unwrap failed');
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('kms.retrieve_encryption_key');
    expect(span.attributes['error']).toBe(true);
    expect(span.attributes['error.message']).toBe('Error: unwrap failed for material [REDACTED]');
    expect(span.status.code).toBe(2);
    expect(allAttributeText(exporter.getFinishedSpans())).not.toContain(SECRET);
  });

  it('is reachable through Nest as KmsTracing on the nestjs-otel tracer', async () => {
    @Module({ imports: [TracingModule.forRoot()] })
    class TestModule {}
    const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    try {
      await app.get(KmsTracing).retrieval({ tenantId: 'n', keyType: 'public' }, async (s) => s.cacheChecked(true));
      await app.get(KmsTracing).providerCall({ provider: 'pkcs11', operation: 'sign' }, async () => undefined);
    } finally {
      await app.close();
    }
    const names = exporter.getFinishedSpans().map((s) => s.name);
    expect(names).toEqual(['kms.retrieve_public_key', 'kms.provider.sign']);
    expect(exporter.getFinishedSpans()[0].attributes['cache.hit']).toBe(true);
  });
});

describe('HttpServerSpans (in-memory exporter)', () => {
  let exporter: InMemorySpanExporter;
  let handle: TracingHandle;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    handle = setupTracing({ serviceName: 'test', env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  });

  afterEach(async () => {
    await handle.shutdown();
  });

  it('continues a valid traceparent, and starts a new trace for a malformed one', () => {
    const spans = new HttpServerSpans(trace.getTracer('edge'));
    const continued = spans.start('POST', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, '/v1/keys/:keyId/sign');
    spans.end(continued, 'POST', { statusCode: 200, tenantId: 'acme' });
    const fresh = spans.start('GET', { traceparent: `00-${SECRET}-zz-01` }, undefined);
    spans.end(fresh, 'GET', { statusCode: 404, errorCode: 'NOT_FOUND' });
    const [a, b] = exporter.getFinishedSpans();
    expect(a.name).toBe('POST /v1/keys/:keyId/sign');
    expect(a.kind).toBe(SpanKind.SERVER);
    expect(a.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(a.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(a.attributes).toEqual({ 'http.request.method': 'POST', 'http.route': '/v1/keys/:keyId/sign', 'http.response.status_code': 200, 'tenant.id': 'acme' });
    expect(a.status.code).toBe(SpanStatusCode.UNSET);
    expect(b.name).toBe('GET');
    expect(b.parentSpanContext).toBeUndefined();
    expect(b.attributes).toEqual({ 'http.request.method': 'GET', 'http.response.status_code': 404, 'error.type': 'NOT_FOUND' });
    expect(allAttributeText([a, b])).not.toContain(SECRET);
  });

  it('marks a 5xx as an error, names a route learnt at the end, and ends an abandoned request without a status', () => {
    const spans = new HttpServerSpans(trace.getTracer('edge'));
    const failed = spans.start('POST', {}, undefined);
    spans.end(failed, 'POST', { statusCode: 503, route: '/v1/keys/:keyId/encrypt', errorCode: 'KMS_UNAVAILABLE' });
    const abandoned = spans.start('POST', {}, '/v1/keys/:keyId/sign');
    spans.aborted(abandoned);
    const [a, b] = exporter.getFinishedSpans();
    expect(a.name).toBe('POST /v1/keys/:keyId/encrypt');
    expect(a.attributes).toMatchObject({ 'http.route': '/v1/keys/:keyId/encrypt', 'error.type': 'KMS_UNAVAILABLE', error: true });
    expect(a.status.code).toBe(SpanStatusCode.ERROR);
    expect(b.attributes).toEqual({ 'http.request.method': 'POST', 'http.route': '/v1/keys/:keyId/sign', 'error.type': CLIENT_ABORTED });
  });

  it('is the active context for work run inside it', () => {
    const spans = new HttpServerSpans(trace.getTracer('edge'));
    const server = spans.start('GET', {}, '/x');
    context.with(server.context, () => trace.getTracer('inner').startSpan('child').end());
    spans.end(server, 'GET', { statusCode: 200 });
    const [child, parent] = exporter.getFinishedSpans();
    expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });
});
