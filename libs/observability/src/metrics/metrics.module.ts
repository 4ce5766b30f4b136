import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import {
  PrometheusModule,
  getToken,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { register, type Counter, type Gauge, type Histogram } from 'prom-client';
import { DEFAULT_CATALOGUE_OPTIONS, metricCatalogue, type MetricDefinition, type MetricId } from './catalogue';
import { collectMetrics } from './catalogue-metrics';
import { KmsMetrics } from './kms-metrics';

/** Options for `MetricsModule.forRoot`. */
export interface MetricsModuleOptions {
  /** Whether `kms_errors_total` carries `tenant_id` (default true). */
  readonly tenantLabel?: boolean;
  /** Where the scrape endpoint lives (default `/metrics`). */
  readonly path?: string;
  /** Labels added to every series, e.g. `{ app: 'keyledger-api' }`. */
  readonly defaultLabels?: Record<string, string>;
}

/** A metric prom-client's default collectors create; its presence means they already run. */
const DEFAULT_METRIC_PROBE = 'process_cpu_user_seconds_total';

function providerFor(definition: MetricDefinition): Provider {
  const options = { name: definition.name, help: definition.help, labelNames: [...definition.labelNames] };
  switch (definition.kind) {
    case 'counter':
      return makeCounterProvider(options);
    case 'gauge':
      return makeGaugeProvider(options);
    case 'histogram':
      return makeHistogramProvider({ ...options, buckets: [...(definition.buckets ?? [])] });
    default: {
      const unknownKind: never = definition.kind;
      throw new Error(`unknown metric kind ${String(unknownKind)}`);
    }
  }
}

/**
 * Registers the metric catalogue through nestjs-prometheus, serves it with the default process
 * metrics at `/metrics`, and provides the typed `KmsMetrics` recorder to the whole app.
 */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    const catalogueOptions = { tenantLabel: options.tenantLabel ?? DEFAULT_CATALOGUE_OPTIONS.tenantLabel };
    const catalogue = metricCatalogue(catalogueOptions);
    const ids = Object.keys(catalogue) as MetricId[];
    const metricProviders = ids.map((id) => providerFor(catalogue[id]));
    const recorder: Provider = {
      provide: KmsMetrics,
      inject: ids.map((id) => getToken(catalogue[id].name)),
      useFactory: (...metrics: (Counter<string> | Gauge<string> | Histogram<string>)[]) => {
        const byName = new Map(ids.map((id, i) => [catalogue[id].name, metrics[i]]));
        return new KmsMetrics(collectMetrics(catalogue, (d) => byName.get(d.name) ?? missing(d)), catalogueOptions);
      },
    };
    return {
      module: MetricsModule,
      global: true,
      imports: [
        PrometheusModule.register({
          path: options.path ?? '/metrics',
          // prom-client refuses to register its collectors twice in one process (tests start several apps).
          defaultMetrics: { enabled: register.getSingleMetric(DEFAULT_METRIC_PROBE) === undefined, config: {} },
          defaultLabels: options.defaultLabels ?? {},
        }),
      ],
      providers: [...metricProviders, recorder],
      exports: [...metricProviders, recorder],
    };
  }
}

function missing(definition: MetricDefinition): never {
  throw new Error(`metric ${definition.name} was not registered`);
}
