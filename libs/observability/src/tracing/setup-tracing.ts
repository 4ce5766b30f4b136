import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';

/** Options for `setupTracing`. */
export interface TracingOptions {
  /** `service.name` on every span, e.g. `keyledger-api`. */
  readonly serviceName: string;
  /** Where OTEL_EXPORTER_OTLP_* settings are read from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra processors (tests add an in-memory exporter); they enable tracing on their own. */
  readonly spanProcessors?: readonly SpanProcessor[];
}

/** The OTLP/HTTP encodings keyledger exports in (`grpc` is not offered). */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/**
 * The encoding from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL: protobuf
 * (the OTLP default) unless one says `http/json`. Anything else is refused at start-up, naming the
 * variable and the values it takes (never echoing the value).
 */
export function otlpProtocol(env: Readonly<Record<string, string | undefined>>): OtlpProtocol {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (value === 'http/protobuf' || value === 'http/json') return value;
    throw new Error(`${name} must be http/protobuf or http/json`);
  }
  return 'http/protobuf';
}

/** What `setupTracing` set up; `shutdown` flushes pending spans and unregisters the provider. */
export interface TracingHandle {
  /** The OTLP/HTTP traces URL spans go to, or undefined when nothing is exported. */
  readonly otlpTracesUrl: string | undefined;
  /** How they are encoded (undefined when nothing is exported). */
  readonly otlpProtocol: OtlpProtocol | undefined;
  readonly provider: NodeTracerProvider | undefined;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The OTLP/HTTP URL for traces from the standard variables: the traces-specific endpoint as
 * given, else the generic endpoint with `/v1/traces` appended; undefined when neither is set.
 */
export function otlpTracesUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const specific = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  if (specific) return specific;
  const generic = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  if (!generic) return undefined;
  return `${generic.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts the OpenTelemetry SDK for this process. Spans are exported over OTLP/HTTP (protobuf, or
 * JSON when the protocol variable says so) only when OTEL_EXPORTER_OTLP_ENDPOINT (or the
 * traces-specific variable) is set; otherwise, unless a processor is passed, nothing is registered
 * and every tracer stays a no-op. Spans leave in batches off the request path: a collector that is
 * down or slow loses spans (the queue is bounded), never a request. Call before the Nest app is
 * created.
 */
export function setupTracing(options: TracingOptions): TracingHandle {
  const env = options.env ?? process.env;
  const url = otlpTracesUrl(env);
  const protocol = url === undefined ? undefined : otlpProtocol(env);
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (url !== undefined) {
    const exporter = protocol === 'http/json' ? new OTLPJsonTraceExporter({ url }) : new OTLPProtobufTraceExporter({ url });
    processors.push(new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 }));
  }
  if (processors.length === 0) {
    return { otlpTracesUrl: undefined, otlpProtocol: undefined, provider: undefined, forceFlush: async () => undefined, shutdown: async () => undefined };
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
  });
  provider.register();
  return {
    otlpTracesUrl: url,
    otlpProtocol: protocol,
    provider,
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
