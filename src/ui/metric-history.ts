import type { Metrics } from '../metrics/pipeline.js';
import { HistogramFamily } from '../metrics/series-budget.js';

// The probes and accounting views read what those components already count:
// their metric families, sampled every SAMPLE_MS for the last 15 minutes and
// read again at each request, so a window's numbers are the counters' growth
// from the sample before it until now (a counter that went down restarted:
// its new value counts).

export const SAMPLE_MS = 15_000;
const HISTORY_MS = 15 * 60_000;

interface Value {
  readonly labels: Readonly<Record<string, string>>;
  /** Counter or gauge value; a histogram's count. */
  readonly value: number;
  /** A histogram's sum. */
  readonly sum: number;
}

interface Sample {
  readonly at: number;
  readonly families: ReadonlyMap<string, ReadonlyMap<string, Value>>;
}

export interface Growth {
  readonly labels: Readonly<Record<string, string>>;
  /** Growth over the window (a gauge: its last value). */
  readonly delta: number;
  /** A histogram's sum's growth (mean = sum / delta). */
  readonly sum: number;
  /** Growth per minute of the window, oldest first. */
  readonly series: number[];
}

const keyOf = (labels: Readonly<Record<string, string>>): string => JSON.stringify(labels);

export class MetricHistory {
  private samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly metrics: Metrics,
    private readonly names: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes a sample now and keeps it. */
  sample(): void {
    const sample = this.read();
    this.samples.push(sample);
    this.samples = this.samples.filter((kept) => kept.at >= sample.at - HISTORY_MS);
  }

  private read(): Sample {
    const families = new Map<string, Map<string, Value>>();
    for (const name of this.names) {
      const family = this.metrics.budget.get(name);
      if (family === undefined) continue;
      const values = new Map<string, Value>();
      if (family instanceof HistogramFamily) {
        for (const entry of family.entries()) values.set(keyOf(entry.labels), { labels: entry.labels, value: entry.count, sum: entry.sum });
      } else {
        for (const entry of family.snapshot()) values.set(keyOf(entry.labels), { labels: entry.labels, value: entry.value, sum: 0 });
      }
      families.set(name, values);
    }
    return { at: this.now(), families };
  }

  /** Each series of a counter or histogram family: its growth over the window (and per minute). */
  growth(name: string, windowMs: number): Growth[] {
    const since = this.now() - windowMs;
    // The kept samples in the window (and the one before it, the baseline), then the values now.
    const first = this.samples.findIndex((sample) => sample.at >= since);
    const samples = [...(first < 0 ? this.samples.slice(-1) : this.samples.slice(Math.max(0, first - 1))), this.read()];
    const minutes = Math.max(1, Math.round(windowMs / 60_000));
    const out = new Map<string, { labels: Readonly<Record<string, string>>; delta: number; sum: number; series: number[] }>();
    for (let i = 1; i < samples.length; i++) {
      const before = samples[i - 1]!.families.get(name);
      const after = samples[i]!.families.get(name);
      if (after === undefined) continue;
      const slot = Math.min(minutes - 1, Math.max(0, Math.floor((samples[i]!.at - since) / 60_000)));
      for (const [key, value] of after) {
        // A series that was not there before started from zero since (a counter that went down restarted).
        const previous = before?.get(key) ?? { value: 0, sum: 0 };
        const grew = value.value >= previous.value ? value.value - previous.value : value.value;
        const sum = value.sum >= previous.sum ? value.sum - previous.sum : value.sum;
        let row = out.get(key);
        if (row === undefined) out.set(key, (row = { labels: value.labels, delta: 0, sum: 0, series: new Array<number>(minutes).fill(0) }));
        row.delta += grew;
        row.sum += sum;
        row.series[slot]! += grew;
      }
    }
    return [...out.values()];
  }

  /** Each series of a gauge family now. */
  latest(name: string): Array<{ labels: Readonly<Record<string, string>>; value: number }> {
    const now = this.read().families.get(name);
    return now === undefined ? [] : [...now.values()].map(({ labels, value }) => ({ labels, value }));
  }
}
