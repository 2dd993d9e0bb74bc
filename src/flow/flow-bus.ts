import type { Metrics } from '../metrics/pipeline.js';
import type { CounterSpec, FamilySpec, GaugeSpec, HistogramSpec } from '../metrics/spec.js';
import type { CounterFamily, GaugeFamily, HistogramFamily } from '../metrics/series-budget.js';
import type { FlowConsumer, FlowRecord, ResumePoint } from './flow-record.js';
import { Ring } from './ring.js';

// Sources hand flow records to a bounded queue and never wait on sinks; the
// queue drains in batches on later event-loop turns into every consumer
// subscribed to the bus (the Prometheus flow metrics, the OTLP and JSONL
// sinks). When consumers fall behind, the oldest records are dropped and
// counted by reason, so memory stays bounded and the stream keeps being read.

const BATCH = 1_024;
/** Each event-loop turn delivers batches for at most this long, then yields to I/O. */
const DRAIN_BUDGET_MS = 5;

const SOURCE = 'per flow source';

export const FLOW_RECORDS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_flow_records_total',
  help: 'Flow records handed to the sinks, by source.',
  labels: { source: SOURCE },
  expires: false,
};

export const FLOW_QUEUE_DEPTH: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_flow_queue_depth',
  help: 'Flow records waiting between a source and the sinks.',
  labels: { source: SOURCE },
  doc: "Records waiting between the source and the sinks (at most the source's `queueSize`).",
  expires: false,
};

export const FLOW_QUEUE_DROPPED: CounterSpec = {
  type: 'counter',
  name: 'flowlens_flow_queue_dropped_total',
  help: 'Flow records dropped between a source and the sinks, by source and reason.',
  labels: { source: SOURCE, reason: 'fixed (2: queue_full, shutdown)' },
  doc: 'Records dropped: `queue_full` (the sinks fell behind; the oldest records go first), `shutdown` (still queued when the stop deadline passed). Alert on any increase.',
  expires: false,
};

const NODE = { kind: 'fixed (2: stage, sink)', name: 'per stage or sink (a few)' } as const;

export const PIPELINE_DURATION: HistogramSpec = {
  type: 'histogram',
  name: 'flowlens_pipeline_duration_seconds',
  help: 'Time each stage and flow sink spent on a batch of flow records (up to 1,024), by kind and name.',
  labels: NODE,
  buckets: [0.00001, 0.0001, 0.0005, 0.001, 0.005, 0.025, 0.1, 0.5],
  doc: 'Time each stage and flow sink spent on one batch of flow records (up to 1,024). A sink that only queues (otlp, jsonl) shows its queueing cost; the export happens later.',
  expires: false,
};

export const PIPELINE_FAILURES: CounterSpec = {
  type: 'counter',
  name: 'flowlens_pipeline_failures_total',
  help: 'Batches a stage or flow sink threw on, by kind and name (the batch went on unchanged past a stage; other sinks still got it).',
  labels: NODE,
  doc: 'Batches a stage or flow sink threw on (logged at most once per 10 s per name, with the error). A failing stage passes the batch on unchanged; the other sinks still get it. Alert on any increase.',
  expires: false,
};

export const FLOW_BUS_FAMILIES: readonly FamilySpec[] = [FLOW_RECORDS, FLOW_QUEUE_DEPTH, FLOW_QUEUE_DROPPED, PIPELINE_DURATION, PIPELINE_FAILURES];

type Stage = (records: readonly FlowRecord[]) => readonly FlowRecord[];

/** One node of the graph after the queues: a stage or a sink, timed and counted by name. */
interface Node<F> {
  readonly name: string;
  readonly run: F;
  readonly labels: { readonly kind: 'stage' | 'sink'; readonly name: string };
}

/** The list with `node` in the place of the one of its name, or appended (a new list: a drain in progress keeps its own). */
function placed<F>(nodes: readonly Node<F>[], node: Node<F>): readonly Node<F>[] {
  return nodes.some((existing) => existing.name === node.name) ? nodes.map((existing) => (existing.name === node.name ? node : existing)) : [...nodes, node];
}

export class FlowBus {
  private consumers: readonly Node<FlowConsumer>[] = [];
  private stages: readonly Node<Stage>[] = [];
  private readonly duration: HistogramFamily;
  private readonly failures: CounterFamily;
  private unnamed = 0;
  private readonly dropped: CounterFamily;
  private readonly depth: GaugeFamily;
  private readonly delivered: CounterFamily;

  /** onError hears of a stage or consumer that threw (by kind and name); the other consumers still get the batch. */
  constructor(
    readonly metrics: Metrics,
    private readonly onError: (error: unknown, kind: 'stage' | 'sink', name: string) => void = () => {},
  ) {
    this.duration = metrics.histogram(PIPELINE_DURATION);
    this.failures = metrics.counter(PIPELINE_FAILURES);
    this.dropped = metrics.counter(FLOW_QUEUE_DROPPED);
    this.depth = metrics.gauge(FLOW_QUEUE_DEPTH);
    this.delivered = metrics.counter(FLOW_RECORDS);
  }

  private resume: ResumePoint | undefined;

  /**
   * A sink offers where the sources should resume after a restart (its
   * checkpoint). Sinks start before sources; with several offers, the
   * earliest wins, so no sink misses anything.
   */
  offerResume(point: ResumePoint): void {
    if (this.resume === undefined || point.startTime < this.resume.startTime) this.resume = point;
  }

  /** The resume point for a source's first connection, once. */
  takeResume(): ResumePoint | undefined {
    const point = this.resume;
    this.resume = undefined;
    return point;
  }

  private node<F>(kind: 'stage' | 'sink', name: string, run: F): Node<F> {
    const labels = { kind, name };
    this.failures.inc(labels, 0);
    return { name, run, labels };
  }

  /**
   * A stage every batch passes through, in order, before the consumers see
   * it (Kubernetes enrichment). A stage that throws passes the batch on as it was.
   * A stage of the same name is replaced in place.
   */
  addStage(stage: Stage, name = `stage${++this.unnamed}`): void {
    const node = this.node('stage', name, stage);
    this.stages = placed(this.stages, node);
  }

  /**
   * A consumer every batch is handed to. One of the same name is replaced in
   * the same turn, so each batch reaches exactly one of them (a reload).
   */
  subscribe(consumer: FlowConsumer, name = `consumer${++this.unnamed}`): void {
    const node = this.node('sink', name, consumer);
    this.consumers = placed(this.consumers, node);
  }

  /** Removes a stage or consumer by name; later batches no longer reach it. */
  remove(name: string): void {
    this.stages = this.stages.filter((node) => node.name !== name);
    this.consumers = this.consumers.filter((node) => node.name !== name);
  }

  /** The names of the stages and consumers, in order. */
  get graph(): { readonly stages: readonly string[]; readonly sinks: readonly string[] } {
    return { stages: this.stages.map((node) => node.name), sinks: this.consumers.map((node) => node.name) };
  }

  /** A bounded queue for one source, draining into this bus. */
  queue(source: string, capacity: number): FlowQueue {
    return new FlowQueue(source, capacity, this);
  }

  /** @internal */
  deliver(source: string, batch: readonly FlowRecord[]): void {
    let records = batch;
    const stages = this.stages;
    for (let index = 0; index < stages.length; index++) {
      const stage = stages[index]!;
      const started = performance.now();
      try {
        records = stage.run(records);
      } catch (error) {
        this.failures.inc(stage.labels);
        this.onError(error, 'stage', stage.name);
      }
      this.duration.observe(stage.labels, (performance.now() - started) / 1_000);
    }
    const consumers = this.consumers;
    for (let index = 0; index < consumers.length; index++) {
      const consumer = consumers[index]!;
      const started = performance.now();
      try {
        consumer.run.consume(records);
      } catch (error) {
        this.failures.inc(consumer.labels);
        this.onError(error, 'sink', consumer.name);
      }
      this.duration.observe(consumer.labels, (performance.now() - started) / 1_000);
    }
    this.delivered.inc({ source }, records.length);
  }

  /** @internal */
  countDrop(source: string, reason: string, count: number): void {
    this.dropped.inc({ source, reason }, count);
  }

  /** @internal */
  setDepth(source: string, depth: number): void {
    this.depth.set({ source }, depth);
  }
}

export class FlowQueue {
  private readonly ring: Ring<FlowRecord>;
  private scheduled = false;

  constructor(
    readonly source: string,
    readonly capacity: number,
    private readonly bus: FlowBus,
  ) {
    this.ring = new Ring(capacity);
    bus.setDepth(source, 0);
  }

  get size(): number {
    return this.ring.size;
  }

  /** O(1), never blocks: when full, the oldest record makes room and is counted. */
  push(record: FlowRecord): void {
    if (this.ring.push(record) !== undefined) this.bus.countDrop(this.source, 'queue_full', 1);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drainBatch());
    }
  }

  private drainBatch(): void {
    this.scheduled = false;
    const started = performance.now();
    while (this.ring.size > 0) {
      this.bus.deliver(this.source, this.ring.take(BATCH));
      if (performance.now() - started >= DRAIN_BUDGET_MS) break;
    }
    this.bus.setDepth(this.source, this.ring.size);
    if (this.ring.size > 0) {
      this.scheduled = true;
      setImmediate(() => this.drainBatch());
    }
  }

  /** Delivers everything queued now (used on shutdown); returns how many. */
  flush(): number {
    let delivered = 0;
    while (this.ring.size > 0) {
      const batch = this.ring.take(BATCH);
      this.bus.deliver(this.source, batch);
      delivered += batch.length;
    }
    this.bus.setDepth(this.source, 0);
    return delivered;
  }

  /** Drops what is left, counting it under `reason` (e.g. shutdown past the deadline). */
  discard(reason: string): void {
    const left = this.ring.take(this.ring.size).length;
    if (left > 0) this.bus.countDrop(this.source, reason, left);
    this.bus.setDepth(this.source, 0);
  }
}
