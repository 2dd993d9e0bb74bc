import type { Metrics } from '../metrics/pipeline.js';
import type { CounterSpec, FamilySpec, GaugeSpec } from '../metrics/spec.js';
import type { CounterFamily, GaugeFamily } from '../metrics/series-budget.js';
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

export const FLOW_BUS_FAMILIES: readonly FamilySpec[] = [FLOW_RECORDS, FLOW_QUEUE_DEPTH, FLOW_QUEUE_DROPPED];

export class FlowBus {
  private readonly consumers: FlowConsumer[] = [];
  private readonly dropped: CounterFamily;
  private readonly depth: GaugeFamily;
  private readonly delivered: CounterFamily;

  /** onError hears of a consumer that threw; the other consumers still get the batch. */
  constructor(
    readonly metrics: Metrics,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
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

  private readonly stages: ((records: readonly FlowRecord[]) => readonly FlowRecord[])[] = [];

  /**
   * A stage every batch passes through, in order, before the consumers see
   * it (Kubernetes enrichment). A stage that throws passes the batch on as it was.
   */
  addStage(stage: (records: readonly FlowRecord[]) => readonly FlowRecord[]): void {
    this.stages.push(stage);
  }

  subscribe(consumer: FlowConsumer): void {
    this.consumers.push(consumer);
  }

  /** A bounded queue for one source, draining into this bus. */
  queue(source: string, capacity: number): FlowQueue {
    return new FlowQueue(source, capacity, this);
  }

  /** @internal */
  deliver(source: string, batch: readonly FlowRecord[]): void {
    let records = batch;
    for (const stage of this.stages) {
      try {
        records = stage(records);
      } catch (error) {
        this.onError(error);
      }
    }
    for (const consumer of this.consumers) {
      try {
        consumer.consume(records);
      } catch (error) {
        this.onError(error);
      }
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
