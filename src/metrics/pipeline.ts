import promClient from 'prom-client';
import { escapeLabelValue, familyHeader, formatValue, type ExpositionFormat, type MetricType } from './exposition.js';
import { SeriesBudget, type BudgetLimits, type CounterFamily, type GaugeFamily, type HistogramFamily } from './series-budget.js';
import type { CounterSpec, FamilySpec, GaugeSpec, HistogramSpec } from './spec.js';

// The one metrics pipeline of the agent: flowlens' own families under the
// series budget, plus prom-client's standard Node.js process metrics. Sources
// and sinks register their families here; /metrics renders everything.

export interface PipelineOptions {
  readonly maxSeriesPerMetric: number;
  readonly seriesTtlMs: number;
  /** Per-family budgets (metrics.families). */
  readonly families?: BudgetLimits['families'];
  readonly version: string;
  readonly now?: () => number;
  /** prom-client's process_* and nodejs_* metrics (default true). */
  readonly processMetrics?: boolean;
  /** Called when an onCollect hook throws; the scrape goes on without it. */
  readonly onCollectError?: (error: unknown) => void;
}

export type CollectHook = () => void | Promise<void>;

/** What a component registers its families and scrape-time hooks with. */
export interface Metrics {
  readonly budget: SeriesBudget;
  counter(spec: CounterSpec): CounterFamily;
  gauge(spec: GaugeSpec): GaugeFamily;
  histogram(spec: HistogramSpec): HistogramFamily;
  /** Runs before every render, for values read at scrape time. Returns an unsubscribe function. */
  onCollect(hook: CollectHook): () => void;
}

export const BUILD_INFO: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_build_info',
  help: 'Always 1; the version label names the running flowlens.',
  labels: { version: 'fixed (1)' },
  doc: 'Always 1; `version` names the running flowlens.',
  expires: false,
};

export const METRIC_SERIES: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_metric_series',
  help: 'Series each metric family holds now (compare with metrics.maxSeriesPerMetric).',
  labels: { metric: 'per family' },
  doc: 'Series each family holds now; compare with `metrics.maxSeriesPerMetric` (or the family\'s own `metrics.families.<name>.maxSeries`).',
  expires: false,
};

export const METRIC_SERIES_REJECTED: CounterSpec = {
  type: 'counter',
  name: 'flowlens_metric_series_rejected_total',
  help: 'Updates folded into the overflow series because the family was at its series budget.',
  labels: { metric: 'per family' },
  doc: 'Updates folded into the overflow series because the family was at its budget.',
  expires: false,
};

/** The pipeline's own families (docs/metrics.md). */
export const PIPELINE_FAMILIES: readonly FamilySpec[] = [BUILD_INFO, METRIC_SERIES, METRIC_SERIES_REJECTED];

export class MetricsPipeline implements Metrics {
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
      ...(options.families ? { families: options.families } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.onCollectError = options.onCollectError ?? (() => {});
    if (options.processMetrics ?? true) promClient.collectDefaultMetrics({ register: this.registry });
    this.gauge(BUILD_INFO).set({ version: options.version }, 1);
    this.seriesHeld = this.gauge(METRIC_SERIES);
  }

  counter(spec: CounterSpec): CounterFamily {
    return this.budget.counter(spec);
  }

  gauge(spec: GaugeSpec): GaugeFamily {
    return this.budget.gauge(spec);
  }

  histogram(spec: HistogramSpec): HistogramFamily {
    return this.budget.histogram(spec);
  }

  /** New budgets in place (a configuration reload). */
  configure(options: Pick<PipelineOptions, 'maxSeriesPerMetric' | 'seriesTtlMs' | 'families'>): void {
    this.budget.configure({ maxSeries: options.maxSeriesPerMetric, ttlMs: options.seriesTtlMs, ...(options.families ? { families: options.families } : {}) });
  }

  /** A view for one component: what it registers can be let go when it stops (see MetricsScope). */
  scope(): MetricsScope {
    return new MetricsScope(this);
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
    // Families a stopped component took with it (a reload disabled it) leave no series behind.
    this.seriesHeld.removeWhere((labels) => this.budget.get(labels.metric ?? '') === undefined);
    const processMetrics = await Promise.all(this.registry.getMetricsAsArray().map((metric) => (metric as unknown as promClient.Metric).get()));
    let out = this.budget.render(format);
    for (const metric of processMetrics) out += renderPromClientMetric(metric, format);
    return format === 'openmetrics' ? `${out}# EOF\n` : out;
  }
}

/**
 * One component's view of the pipeline. close() removes its scrape-time hooks
 * (a stopped component must not be called at scrape time); drop() also
 * removes its families (a component disabled for good). A component started
 * again under the same name registers the same families and finds their
 * series and values where it left them.
 */
export class MetricsScope implements Metrics {
  private readonly names = new Set<string>();
  private readonly hooks = new Set<() => void>();

  constructor(private readonly pipeline: MetricsPipeline) {}

  get budget(): SeriesBudget {
    return this.pipeline.budget;
  }

  counter(spec: CounterSpec): CounterFamily {
    this.names.add(spec.name);
    return this.pipeline.counter(spec);
  }

  gauge(spec: GaugeSpec): GaugeFamily {
    this.names.add(spec.name);
    return this.pipeline.gauge(spec);
  }

  histogram(spec: HistogramSpec): HistogramFamily {
    this.names.add(spec.name);
    return this.pipeline.histogram(spec);
  }

  onCollect(hook: CollectHook): () => void {
    const unsubscribe = this.pipeline.onCollect(hook);
    this.hooks.add(unsubscribe);
    return () => {
      this.hooks.delete(unsubscribe);
      unsubscribe();
    };
  }

  /** Families registered through this scope. */
  get families(): ReadonlySet<string> {
    return this.names;
  }

  close(): void {
    for (const unsubscribe of this.hooks) unsubscribe();
    this.hooks.clear();
  }

  /** close(), and the families go (except those another scope still uses: `keep`). */
  drop(keep: ReadonlySet<string> = new Set()): void {
    this.close();
    for (const name of this.names) if (!keep.has(name)) this.pipeline.budget.unregister(name);
    this.names.clear();
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
