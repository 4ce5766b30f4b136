import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { OpenTelemetryModule, TraceService } from 'nestjs-otel';
import { inProviderSpan, inRetrievalSpan, type KmsSpanRecorder, type ProviderSpanInput, type RetrievalSpanInput } from './kms-span';

/**
 * Injectable face of the span helpers, on the tracer nestjs-otel hands out (a no-op unless
 * `setupTracing` registered a provider).
 */
@Injectable()
export class KmsTracing {
  constructor(private readonly traces: TraceService) {}

  /** See `inRetrievalSpan`. */
  retrieval<T>(input: RetrievalSpanInput, fn: (recorder: KmsSpanRecorder) => Promise<T>): Promise<T> {
    return inRetrievalSpan(this.traces.getTracer(), input, fn);
  }

  /** See `inProviderSpan`. */
  providerCall<T>(input: ProviderSpanInput, fn: () => Promise<T>): Promise<T> {
    return inProviderSpan(this.traces.getTracer(), input, fn);
  }
}

/** nestjs-otel without its host or API metrics (Prometheus owns metrics), plus `KmsTracing`. */
@Module({})
export class TracingModule {
  static forRoot(): DynamicModule {
    return {
      module: TracingModule,
      global: true,
      imports: [OpenTelemetryModule.forRoot({ metrics: { hostMetrics: false } })],
      providers: [KmsTracing],
      exports: [KmsTracing],
    };
  }
}
