import promClient from 'prom-client';
import { escapeLabelValue, familyHeader, formatValue, type ExpositionFormat, type MetricType } from './exposition.js';
import {
  SeriesBudget,
  type CounterFamily,
  type FamilyOptions,
  type GaugeFamily,
  type HistogramFamily,
  type HistogramOptions,
} from './series-budget.js';

// The one metrics pipeline of the agent: flowlens' own families under the
// series budget, plus prom-client's standard Node.js process metrics. Sources
// and sinks register their families here; /metrics renders everything.

export interface PipelineOptions {
  readonly maxSeriesPerMetric: number;
  readonly seriesTtlMs: number;
  readonly version: string;
  readonly now?: () => number;
  /** prom-client's process_* and nodejs_* metrics (default true). */
  readonly processMetrics?: boolean;
  /** Called when an onCollect hook throws; the scrape goes on without it. */
  readonly onCollectError?: (error: unknown) => void;
}

export type CollectHook = () => void | Promise<void>;

export class MetricsPipeline {
  readonly budget: SeriesBudget;
  /** prom-client's registry, holding the process metrics. */
  readonly registry = new promClient.Registry();
  private readonly hooks = new Set<CollectHook>();
  private readonly seriesHeld: GaugeFamily;
  private readonly onCollectError: (error: unknown) => void;

  constructor(options: PipelineOptions) {
    this.budget = new SeriesBudget({
      maxSeries: options.maxSeriesPerMetric,
      ttlMs: options.seriesTtlMs,
      ...(options.now ? { now: options.now } : {}),
    });
    this.onCollectError = options.onCollectError ?? (() => {});
    if (options.processMetrics ?? true) promClient.collectDefaultMetrics({ register: this.registry });
    this.gauge({
      name: 'flowlens_build_info',
      help: 'Always 1; the version label names the running flowlens.',
      labelNames: ['version'],
      expires: false,
    }).set({ version: options.version }, 1);
    this.seriesHeld = this.gauge({
      name: 'flowlens_metric_series',
      help: 'Series each metric family holds now (compare with metrics.maxSeriesPerMetric).',
      labelNames: ['metric'],
      expires: false,
    });
  }

  counter(options: FamilyOptions): CounterFamily {
    return this.budget.counter(options);
  }

  gauge(options: FamilyOptions): GaugeFamily {
    return this.budget.gauge(options);
  }

  histogram(options: HistogramOptions): HistogramFamily {
    return this.budget.histogram(options);
  }

  /** Runs before every render, for values read at scrape time. Returns an unsubscribe function. */
  onCollect(hook: CollectHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  async render(format: ExpositionFormat): Promise<string> {
    await Promise.all(
      [...this.hooks].map(async (hook) => {
        try {
          await hook();
        } catch (error) {
          this.onCollectError(error);
        }
      }),
    );
    this.budget.sweep();
    for (const family of this.budget.all()) {
      if (family !== this.seriesHeld) this.seriesHeld.set({ metric: family.name }, family.size);
    }
    const processMetrics = await Promise.all(this.registry.getMetricsAsArray().map((metric) => (metric as unknown as promClient.Metric).get()));
    let out = this.budget.render(format);
    for (const metric of processMetrics) out += renderPromClientMetric(metric, format);
    return format === 'openmetrics' ? `${out}# EOF\n` : out;
  }
}

/** Renders a prom-client metric (the process metrics) in the same formats. */
function renderPromClientMetric(metric: promClient.MetricObjectWithValues<promClient.MetricValue<string>>, format: ExpositionFormat): string {
  let out = familyHeader(metric.name, metric.help, String(metric.type) as MetricType, format);
  for (const sample of metric.values) {
    const name = (sample as { metricName?: string }).metricName ?? metric.name;
    const pairs = Object.entries(sample.labels)
      .filter(([, value]) => value !== undefined)
      .map(([label, value]) => `${label}="${escapeLabelValue(String(value))}"`)
      .join(',');
    out += `${name}${pairs === '' ? '' : `{${pairs}}`} ${formatValue(sample.value)}\n`;
  }
  return out;
}
