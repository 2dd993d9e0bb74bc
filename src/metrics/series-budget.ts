import {
  familyHeader,
  formatValue,
  renderLabelPairs,
  type ExpositionFormat,
  type MetricType,
} from './exposition.js';
import { labelNamesOf, type CounterSpec, type GaugeSpec, type HistogramSpec } from './spec.js';

// The series budget (docs/contracts.md section 4): every metric family flowlens
// exposes lives here. A family holds at most `maxSeries` label sets; a new
// label set beyond that is folded into one overflow series whose label values
// are all `__overflow__` (so totals stay right), and the fold is counted in
// flowlens_metric_series_rejected_total{metric}. Series not updated for `ttlMs`
// are removed. Families own their samples and render them directly.

export type Labels = Readonly<Record<string, string | number | undefined>>;

export const OVERFLOW_VALUE = '__overflow__';
export const REJECTED_METRIC = 'flowlens_metric_series_rejected_total';

const KEY_SEPARATOR = '\u0000';
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** At most one expiry sweep per family per second when a family is full. */
const FULL_SWEEP_INTERVAL_MS = 1_000;

export interface BudgetLimits {
  readonly maxSeries: number;
  /** 0 disables expiry. */
  readonly ttlMs: number;
  /** Per-family overrides of maxSeries (metrics.families.<name>.maxSeries). */
  readonly families?: Readonly<Record<string, { readonly maxSeries: number }>>;
}

export interface BudgetSettings extends BudgetLimits {
  readonly now?: () => number;
}

export interface FamilyOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /** false for series that must stay without updates (build info, per-component state). */
  readonly expires?: boolean;
}

export interface HistogramOptions extends FamilyOptions {
  /** Upper bounds, ascending; +Inf is implicit. */
  readonly buckets: readonly number[];
}

interface Series {
  /** Rendered label pairs without braces. */
  readonly pairs: string;
  touched: number;
  /** Set when the series leaves its family (expiry, removal), so handles stop using it. */
  removed: boolean;
  /** The overflow series of the family. */
  overflow: boolean;
}

function labelValue(labels: Labels | undefined, name: string): string {
  const value = labels?.[name];
  return typeof value === 'string' ? value : value === undefined ? '' : String(value);
}

/**
 * NUL separates values in series keys, so stored values never contain one.
 * A lookup key built from raw values that do contain NUL has more NULs than
 * any stored key, so it can only miss, and admission then finds or creates
 * the series of the sanitized values: no collision, and no scan on the hot path.
 */
function sanitize(value: string): string {
  return value.includes(KEY_SEPARATOR) ? value.replaceAll(KEY_SEPARATOR, '\uFFFD') : value;
}

/** A clock good to 250 ms, for series timestamps: TTLs are minutes, Date.now() per update is not free. */
class CoarseClock {
  private time = Date.now();
  private timer: NodeJS.Timeout | undefined;

  readonly now = (): number => {
    if (this.timer === undefined) {
      this.timer = setInterval(() => (this.time = Date.now()), 250);
      this.timer.unref();
      this.time = Date.now();
    }
    return this.time;
  };
}

export abstract class Family<S extends Series = Series> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly expires: boolean;
  abstract readonly type: MetricType;
  protected readonly series = new Map<string, S>();
  private readonly overflowKey: string;
  private readonly scratch: string[];
  private lastFullSweep = Number.NEGATIVE_INFINITY;

  constructor(
    readonly budget: SeriesBudget,
    options: FamilyOptions,
  ) {
    if (!NAME.test(options.name)) throw new Error(`invalid metric name: ${options.name}`);
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le' || label === 'quantile') {
        throw new Error(`invalid label name for ${options.name}: ${label}`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`duplicate label name in ${options.name}`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = labelNames;
    this.expires = options.expires ?? true;
    this.overflowKey = labelNames.map(() => OVERFLOW_VALUE).join(KEY_SEPARATOR);
    this.scratch = labelNames.map(() => '');
  }

  /** Series held now, the overflow series included. */
  get size(): number {
    return this.series.size;
  }

  protected abstract newSeries(pairs: string): S;

  protected resolve(labels: Labels | undefined): S {
    const names = this.labelNames;
    const scratch = this.scratch;
    for (let i = 0; i < names.length; i++) scratch[i] = labelValue(labels, names[i] as string);
    // join yields a flat string: hashing it for the lookup needs no flattening copy.
    const key = scratch.join(KEY_SEPARATOR);
    const now = this.budget.now();
    let series = this.series.get(key);
    if (series === undefined) series = this.admit(scratch, labels, now);
    series.touched = now;
    return series;
  }

  private admit(raw: readonly string[], labels: Labels | undefined, now: number): S {
    if (labels !== undefined) {
      for (const label of Object.keys(labels)) {
        if (!this.labelNames.includes(label)) throw new Error(`${this.name} has no label "${label}"`);
      }
    }
    const values = raw.map(sanitize);
    const key = values.join(KEY_SEPARATOR);
    const existing = this.series.get(key);
    if (existing !== undefined) return existing;
    const overflow = this.series.get(this.overflowKey);
    let held = this.series.size - (overflow === undefined ? 0 : 1);
    if (held >= this.budget.limitFor(this.name) && now - this.lastFullSweep >= FULL_SWEEP_INTERVAL_MS) {
      this.lastFullSweep = now;
      this.sweep(now);
      held = this.series.size - (this.series.has(this.overflowKey) ? 1 : 0);
    }
    if (held >= this.budget.limitFor(this.name) && key !== this.overflowKey) {
      this.budget.rejected(this);
      return this.series.get(this.overflowKey) ?? this.create(this.labelNames.map(() => OVERFLOW_VALUE));
    }
    return this.create(values);
  }

  private create(values: readonly string[]): S {
    const series = this.newSeries(renderLabelPairs(this.labelNames, values));
    series.overflow = values.length > 0 && values.every((value) => value === OVERFLOW_VALUE);
    this.series.set(values.join(KEY_SEPARATOR), series);
    return series;
  }

  private delete(key: string, series: S): void {
    series.removed = true;
    this.series.delete(key);
  }

  private valuesOf(key: string): string[] {
    return this.labelNames.length === 0 ? [] : key.split(KEY_SEPARATOR);
  }

  protected labelsOf(key: string): Record<string, string> {
    const values = this.valuesOf(key);
    return Object.fromEntries(this.labelNames.map((name, index) => [name, values[index] as string]));
  }

  remove(labels: Labels): boolean {
    const key = this.keyOf(labels);
    const series = this.series.get(key);
    if (series === undefined) return false;
    this.delete(key, series);
    return true;
  }

  protected keyOf(labels: Labels | undefined): string {
    return this.labelNames.map((name) => sanitize(labelValue(labels, name))).join(KEY_SEPARATOR);
  }

  /** Removes every series whose labels match; returns how many went. */
  removeWhere(predicate: (labels: Readonly<Record<string, string>>) => boolean): number {
    let removed = 0;
    for (const [key, series] of this.series) {
      if (predicate(this.labelsOf(key))) {
        this.delete(key, series);
        removed++;
      }
    }
    return removed;
  }

  /** Removes series not updated within the TTL; returns how many went. */
  sweep(now: number = this.budget.now()): number {
    if (!this.expires || this.budget.ttlMs <= 0) return 0;
    const cutoff = now - this.budget.ttlMs;
    let removed = 0;
    for (const [key, series] of this.series) {
      if (series.touched < cutoff) {
        this.delete(key, series);
        removed++;
      }
    }
    return removed;
  }

  /** Label values and sample value of each series; for tests and diagnostics. */
  abstract snapshot(): Array<{ labels: Record<string, string>; value: number }>;

  abstract render(format: ExpositionFormat): string;
}

interface ValueSeries extends Series {
  value: number;
}

abstract class ValueFamily extends Family<ValueSeries> {
  protected newSeries(pairs: string): ValueSeries {
    return { pairs, touched: 0, removed: false, overflow: false, value: 0 };
  }

  snapshot(): Array<{ labels: Record<string, string>; value: number }> {
    return [...this.series].map(([key, series]) => ({ labels: this.labelsOf(key), value: series.value }));
  }

  render(format: ExpositionFormat): string {
    let out = familyHeader(this.name, this.help, this.type, format);
    const name = this.name;
    for (const series of this.series.values()) {
      out += series.pairs === '' ? name : `${name}{${series.pairs}}`;
      out += ` ${formatValue(series.value)}\n`;
    }
    return out;
  }
}

export class CounterFamily extends ValueFamily {
  readonly type = 'counter';

  inc(labels?: Labels, value = 1): void {
    if (!(value >= 0)) throw new Error(`${this.name}: counters only go up (got ${value})`);
    this.resolve(labels).value += value;
  }

  /**
   * Sets a series to a total kept elsewhere (a kernel's rule counters): the
   * source counts, flowlens reports. A source reset (rules reprogrammed)
   * shows as a counter reset, which Prometheus' rate() handles.
   */
  setTotal(labels: Labels | undefined, value: number): void {
    if (!(value >= 0)) throw new Error(`${this.name}: a counter total is never negative (got ${value})`);
    this.resolve(labels).value = value;
  }

  /**
   * The series of a label set, for callers that keep it between updates
   * instead of its labels (memory per kept key: one reference): admitted, or
   * the overflow series when the family is full (the fold counted). Update it
   * with add(); once `removed` (expired), resolve it again.
   */
  seriesOf(labels: Labels): CounterSeries {
    return this.resolve(labels);
  }

  /** Adds to a series seriesOf() returned, and marks it used. */
  add(series: CounterSeries, value: number): void {
    if (!(value >= 0)) throw new Error(`${this.name}: counters only go up (got ${value})`);
    series.touched = this.budget.now();
    (series as ValueSeries).value += value;
  }
}

/** A counter series as seriesOf() hands it out: whether it expired, whether it is the overflow series. */
export interface CounterSeries {
  readonly removed: boolean;
  readonly overflow: boolean;
  /** @internal */
  touched: number;
}

export class GaugeFamily extends ValueFamily {
  readonly type = 'gauge';

  set(labels: Labels | undefined, value: number): void {
    this.resolve(labels).value = value;
  }

  inc(labels?: Labels, value = 1): void {
    this.resolve(labels).value += value;
  }

  dec(labels?: Labels, value = 1): void {
    this.resolve(labels).value -= value;
  }
}

interface HistogramSeries extends Series {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class HistogramFamily extends Family<HistogramSeries> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  private readonly bucketLabels: readonly string[];

  constructor(budget: SeriesBudget, options: HistogramOptions) {
    super(budget, options);
    const buckets = [...options.buckets].filter((bound) => bound !== Number.POSITIVE_INFINITY);
    if (buckets.length === 0) throw new Error(`${options.name}: a histogram needs buckets`);
    for (let i = 1; i < buckets.length; i++) {
      if (!((buckets[i] as number) > (buckets[i - 1] as number))) throw new Error(`${options.name}: buckets must ascend`);
    }
    this.buckets = buckets;
    this.bucketLabels = [...buckets.map((bound) => formatValue(bound)), '+Inf'];
  }

  protected newSeries(pairs: string): HistogramSeries {
    return { pairs, touched: 0, removed: false, overflow: false, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
  }

  observe(labels: Labels | undefined, value: number): void {
    if (Number.isNaN(value)) return;
    const series = this.resolve(labels);
    const buckets = this.buckets;
    let index = 0;
    while (index < buckets.length && value > (buckets[index] as number)) index++;
    (series.counts as Float64Array)[index] = (series.counts[index] as number) + 1;
    series.sum += value;
    series.count += 1;
  }

  snapshot(): Array<{ labels: Record<string, string>; value: number }> {
    return [...this.series].map(([key, series]) => ({ labels: this.labelsOf(key), value: series.count }));
  }

  /** Label values, sum and count of each series (the web view's latencies). */
  entries(): Array<{ labels: Record<string, string>; sum: number; count: number }> {
    return [...this.series].map(([key, series]) => ({ labels: this.labelsOf(key), sum: series.sum, count: series.count }));
  }

  /** Bucket counts (cumulative), sum and count of one series; undefined when absent. */
  get(labels?: Labels): { buckets: number[]; sum: number; count: number } | undefined {
    const series = this.series.get(this.keyOf(labels));
    if (series === undefined) return undefined;
    let running = 0;
    return { buckets: [...series.counts].map((count) => (running += count)), sum: series.sum, count: series.count };
  }

  render(format: ExpositionFormat): string {
    let out = familyHeader(this.name, this.help, this.type, format);
    const { name, bucketLabels } = this;
    for (const series of this.series.values()) {
      const prefix = series.pairs === '' ? '{' : `{${series.pairs},`;
      let cumulative = 0;
      for (let i = 0; i < bucketLabels.length; i++) {
        cumulative += series.counts[i] as number;
        out += `${name}_bucket${prefix}le="${bucketLabels[i]}"} ${cumulative}\n`;
      }
      const braces = series.pairs === '' ? '' : `{${series.pairs}}`;
      out += `${name}_sum${braces} ${formatValue(series.sum)}\n${name}_count${braces} ${series.count}\n`;
    }
    return out;
  }
}

export class SeriesBudget {
  private limits: BudgetLimits;
  readonly now: () => number;
  private readonly families = new Map<string, Family>();
  private readonly rejections: CounterFamily;

  constructor(settings: BudgetSettings) {
    this.limits = checkedLimits(settings);
    this.now = settings.now ?? new CoarseClock().now;
    this.rejections = this.counter({
      type: 'counter',
      name: REJECTED_METRIC,
      help: 'Updates folded into the overflow series because the family was at its series budget.',
      labels: { metric: 'per family' },
      expires: false,
    });
  }

  /** The global series budget of a family (metrics.maxSeriesPerMetric). */
  get maxSeries(): number {
    return this.limits.maxSeries;
  }

  get ttlMs(): number {
    return this.limits.ttlMs;
  }

  /** A family's budget: its own override, else the global one. */
  limitFor(name: string): number {
    return this.limits.families?.[name]?.maxSeries ?? this.limits.maxSeries;
  }

  /**
   * New limits, in place (a configuration reload): series held stay; a family
   * over a lowered budget folds new label sets until expiry makes room.
   */
  configure(limits: BudgetLimits): void {
    this.limits = checkedLimits(limits);
  }

  counter(spec: CounterSpec): CounterFamily {
    return this.register(spec, () => new CounterFamily(this, optionsOf(spec)));
  }

  gauge(spec: GaugeSpec): GaugeFamily {
    return this.register(spec, () => new GaugeFamily(this, optionsOf(spec)));
  }

  histogram(spec: HistogramSpec): HistogramFamily {
    return this.register(spec, () => new HistogramFamily(this, { ...optionsOf(spec), buckets: spec.buckets }));
  }

  /**
   * The family of that name: created, or the one already registered when it
   * has the same type and labels (a component restarted by a reload keeps its
   * counters' values). A different shape under the same name is a bug.
   */
  private register<F extends Family>(spec: CounterSpec | GaugeSpec | HistogramSpec, create: () => F): F {
    const existing = this.families.get(spec.name);
    if (existing !== undefined) {
      const labels = labelNamesOf(spec);
      if (existing.type !== spec.type || existing.labelNames.join() !== labels.join()) {
        throw new Error(`metric ${spec.name} is already registered as a ${existing.type} with labels [${existing.labelNames.join(', ')}]`);
      }
      return existing as unknown as F;
    }
    const family = create();
    this.families.set(family.name, family as unknown as Family);
    return family;
  }

  /** Removes a family and its series (its component is gone for good). */
  unregister(name: string): boolean {
    if (name === REJECTED_METRIC) return false;
    this.rejections.removeWhere((labels) => labels.metric === name);
    return this.families.delete(name);
  }

  /** Called by a family that folded an update into its overflow series. */
  rejected(family: Family): void {
    // The rejection counter never counts its own folds (that would recurse).
    if (family !== (this.rejections as Family)) this.rejections.inc({ metric: family.name });
  }

  all(): IterableIterator<Family> {
    return this.families.values();
  }

  get(name: string): Family | undefined {
    return this.families.get(name);
  }

  sweep(now: number = this.now()): number {
    let removed = 0;
    for (const family of this.families.values()) removed += family.sweep(now);
    return removed;
  }

  render(format: ExpositionFormat): string {
    let out = '';
    for (const family of this.families.values()) out += family.render(format);
    return out;
  }
}

function checkedLimits(limits: BudgetLimits): BudgetLimits {
  if (!(limits.maxSeries >= 1)) throw new Error('maxSeries must be at least 1');
  for (const [name, family] of Object.entries(limits.families ?? {})) {
    if (!(family.maxSeries >= 1)) throw new Error(`maxSeries of ${name} must be at least 1`);
  }
  return limits;
}

function optionsOf(spec: CounterSpec | GaugeSpec | HistogramSpec): FamilyOptions {
  return { name: spec.name, help: spec.help, labelNames: labelNamesOf(spec), ...(spec.expires !== undefined ? { expires: spec.expires } : {}) };
}
