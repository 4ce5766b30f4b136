import 'reflect-metadata';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
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
