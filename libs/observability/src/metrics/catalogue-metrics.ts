import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { metricCatalogue, type CatalogueOptions, type MetricCatalogue, type MetricDefinition, type MetricId } from './catalogue';

/** The prom-client object a definition becomes. */
export type PromMetricFor<D> =
  D extends MetricDefinition<'counter'> ? Counter<string> : D extends MetricDefinition<'gauge'> ? Gauge<string> : Histogram<string>;

/** Every catalogue metric as a live prom-client object, keyed by catalogue id. */
export type CatalogueMetrics = { readonly [K in MetricId]: PromMetricFor<MetricCatalogue[K]> };

/** Creates one prom-client metric for a definition, registered on the given registries. */
export function createPromMetric(definition: MetricDefinition, registers: Registry[]): Counter<string> | Gauge<string> | Histogram<string> {
  const base = { name: definition.name, help: definition.help, labelNames: [...definition.labelNames], registers };
  switch (definition.kind) {
    case 'counter':
      return new Counter(base);
    case 'gauge':
      return new Gauge(base);
    case 'histogram':
      return new Histogram({ ...base, buckets: [...(definition.buckets ?? [])] });
    default: {
      const unknownKind: never = definition.kind;
      throw new Error(`unknown metric kind ${String(unknownKind)}`);
    }
  }
}

/**
 * Registers the whole catalogue on one registry (outside Nest: tools, benchmarks, tests).
 * Inside the apps, `MetricsModule` registers the same definitions through nestjs-prometheus.
 */
export function registerCatalogue(registry: Registry, options?: CatalogueOptions): CatalogueMetrics {
  return collectMetrics(metricCatalogue(options), (d) => createPromMetric(d, [registry]));
}

/** Builds the typed record from a lookup that yields the metric for each definition. */
export function collectMetrics(
  catalogue: MetricCatalogue,
  metricFor: (definition: MetricDefinition) => Counter<string> | Gauge<string> | Histogram<string>,
): CatalogueMetrics {
  const entries = (Object.keys(catalogue) as MetricId[]).map((id) => [id, metricFor(catalogue[id])] as const);
  for (const [id, metric] of entries) assertKind(catalogue[id], metric);
  return Object.fromEntries(entries) as unknown as CatalogueMetrics;
}

function assertKind(definition: MetricDefinition, metric: Counter<string> | Gauge<string> | Histogram<string>): void {
  const ok =
    (definition.kind === 'counter' && metric instanceof Counter) ||
    (definition.kind === 'gauge' && metric instanceof Gauge) ||
    (definition.kind === 'histogram' && metric instanceof Histogram);
  if (!ok) throw new Error(`metric ${definition.name} is registered with another kind than ${definition.kind}`);
}
