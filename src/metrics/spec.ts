// A metric family as its component declares it: what it registers and what
// docs/metrics.md says about it (generated from these specs; a test fails on
// drift). Each label names its cardinality class, so the reference says how
// many series a family can grow to and why.

interface SpecBase {
  readonly name: string;
  /** HELP text (short; in the exposition). */
  readonly help: string;
  /** Label name -> its cardinality class ("fixed (2)", "per flow key", "per target"), in label order. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The meaning in docs/metrics.md when it says more than `help`. */
  readonly doc?: string;
  /** false for series that must stay without updates (build info, per-component state). Default true. */
  readonly expires?: boolean;
}

export interface CounterSpec extends SpecBase {
  readonly type: 'counter';
}

export interface GaugeSpec extends SpecBase {
  readonly type: 'gauge';
}

export interface HistogramSpec extends SpecBase {
  readonly type: 'histogram';
  /** Upper bounds, ascending; +Inf is implicit. */
  readonly buckets: readonly number[];
}

export type FamilySpec = CounterSpec | GaugeSpec | HistogramSpec;

/** The label names of a spec, in order. */
export function labelNamesOf(spec: FamilySpec): string[] {
  return Object.keys(spec.labels ?? {});
}

/**
 * A component's families in docs/metrics.md: a group is rendered as one table
 * at the `<!-- metrics: id -->` marker.
 */
export interface MetricGroup {
  readonly id: string;
  readonly families: readonly FamilySpec[];
}
