import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
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

/** What `setupTracing` set up; `shutdown` flushes pending spans and unregisters the provider. */
export interface TracingHandle {
  /** The OTLP/HTTP traces URL spans go to, or undefined when nothing is exported. */
  readonly otlpTracesUrl: string | undefined;
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
 * Starts the OpenTelemetry SDK for this process. Spans are exported over OTLP/HTTP only when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-specific variable) is set; otherwise, unless a
 * processor is passed, nothing is registered and every tracer stays a no-op. Call before the
 * Nest app is created.
 */
export function setupTracing(options: TracingOptions): TracingHandle {
  const url = otlpTracesUrl(options.env ?? process.env);
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (url !== undefined) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 }));
  if (processors.length === 0) {
    return { otlpTracesUrl: undefined, provider: undefined, forceFlush: async () => undefined, shutdown: async () => undefined };
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
  });
  provider.register();
  return {
    otlpTracesUrl: url,
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
