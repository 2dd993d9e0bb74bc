import type { FlowConsumer, FlowRecord, PolicyHit } from '../../flow/flow-record.js';
import type { MetricsPipeline } from '../../metrics/pipeline.js';
import type { CounterFamily, CounterHandle } from '../../metrics/series-budget.js';

// Flow records as Prometheus counters. Each record is a delta for one
// interval (a 15-second Goldmane bucket), counted once, so counters only ever
// add what happened in that interval.
//
// - calico_flow_allow / calico_flow_deny: the Goldmane Prometheus Exporter's
//   families, exactly: eight labels, src_port always "0", value = connections
//   started, only for the final action Allow / Deny.
// - flowlens_flow_{connections,packets,bytes}_total: every action (pass,
//   unspecified and unknown too), with endpoint types, and packets/bytes by
//   direction.
// - flowlens_policy_hits_total: one per flow report per policy in its trace.
//
// Every label is a function of the flow key, so the series of a key are
// looked up once and kept as handles: a long-lived flow reported every 15 s
// costs one map lookup per report, not eight series lookups.

const SEED_LABELS = ['reporter', 'protocol', 'src_namespace', 'src_pod', 'src_port', 'dst_namespace', 'dst_object', 'dst_port'];
const FLOW_LABELS = ['action', 'reporter', 'protocol', 'src_namespace', 'src_name', 'src_type', 'dst_namespace', 'dst_name', 'dst_type', 'dst_port'];

interface KeyHandles {
  readonly seed: CounterHandle | undefined;
  readonly connections: CounterHandle;
  readonly packetsIn: CounterHandle;
  readonly packetsOut: CounterHandle;
  readonly bytesIn: CounterHandle;
  readonly bytesOut: CounterHandle;
  readonly policies: readonly CounterHandle[];
  lastUsed: number;
}

export interface FlowMetricsOptions {
  /** Flow keys whose handles are kept; beyond it the cache starts over (default 100,000). */
  readonly maxKeys?: number;
  /** Handles unused this long are dropped at scrape time (default: the series TTL, or 10 minutes). */
  readonly idleMs?: number;
}

export class FlowMetrics implements FlowConsumer {
  private readonly allow: CounterFamily;
  private readonly deny: CounterFamily;
  private readonly connections: CounterFamily;
  private readonly packets: CounterFamily;
  private readonly bytes: CounterFamily;
  private readonly policyHits: CounterFamily;
  private readonly handles = new Map<string, KeyHandles>();
  private readonly maxKeys: number;

  constructor(private readonly metrics: MetricsPipeline, options: FlowMetricsOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    const idleMs = options.idleMs ?? (metrics.budget.ttlMs > 0 ? metrics.budget.ttlMs : 600_000);
    this.allow = metrics.counter({
      name: 'calico_flow_allow',
      help: 'Number of allowed network flows in Calico (connections started, per Goldmane flow).',
      labelNames: SEED_LABELS,
    });
    this.deny = metrics.counter({
      name: 'calico_flow_deny',
      help: 'Number of denied network flows in Calico (connections started, per Goldmane flow).',
      labelNames: SEED_LABELS,
    });
    this.connections = metrics.counter({
      name: 'flowlens_flow_connections_total',
      help: 'Connections started, by final action, reporter and endpoints.',
      labelNames: FLOW_LABELS,
    });
    this.packets = metrics.counter({
      name: 'flowlens_flow_packets_total',
      help: 'Packets, by direction as seen by the reporting endpoint, final action and endpoints.',
      labelNames: [...FLOW_LABELS, 'direction'],
    });
    this.bytes = metrics.counter({
      name: 'flowlens_flow_bytes_total',
      help: 'Bytes, by direction as seen by the reporting endpoint, final action and endpoints.',
      labelNames: [...FLOW_LABELS, 'direction'],
    });
    this.policyHits = metrics.counter({
      name: 'flowlens_policy_hits_total',
      help: 'Flow reports whose policy trace contains the policy, by policy and whether it was enforced or pending (staged).',
      labelNames: ['kind', 'tier', 'namespace', 'name', 'action', 'trace'],
    });
    metrics.onCollect(() => {
      const cutoff = metrics.budget.now() - idleMs;
      for (const [key, handles] of this.handles) if (handles.lastUsed < cutoff) this.handles.delete(key);
    });
  }

  consume(records: readonly FlowRecord[]): void {
    const now = this.metrics.budget.now();
    for (const record of records) {
      if (record.replay === true) continue;
      let handles = this.handles.get(record.key);
      if (handles === undefined) {
        if (this.handles.size >= this.maxKeys) this.handles.clear();
        handles = this.handlesFor(record);
        this.handles.set(record.key, handles);
      }
      handles.lastUsed = now;
      handles.seed?.inc(record.connectionsStarted);
      handles.connections.inc(record.connectionsStarted);
      handles.packetsIn.inc(record.packetsIn);
      handles.packetsOut.inc(record.packetsOut);
      handles.bytesIn.inc(record.bytesIn);
      handles.bytesOut.inc(record.bytesOut);
      for (const policy of handles.policies) policy.inc(1);
    }
  }

  private handlesFor(record: FlowRecord): KeyHandles {
    const dstPort = String(record.dst.port ?? 0);
    let seed: CounterHandle | undefined;
    if (record.source === 'goldmane' && (record.action === 'allow' || record.action === 'deny')) {
      seed = (record.action === 'allow' ? this.allow : this.deny).handle({
        reporter: record.reporter,
        protocol: record.proto,
        src_namespace: record.src.namespace,
        src_pod: record.src.name,
        src_port: '0',
        dst_namespace: record.dst.namespace,
        dst_object: record.dst.name,
        dst_port: dstPort,
      });
    }
    const flow = {
      action: record.action,
      reporter: record.reporter,
      protocol: record.proto,
      src_namespace: record.src.namespace,
      src_name: record.src.name,
      src_type: record.src.type,
      dst_namespace: record.dst.namespace,
      dst_name: record.dst.name,
      dst_type: record.dst.type,
      dst_port: dstPort,
    };
    const policy = (hit: PolicyHit, trace: 'enforced' | 'pending'): CounterHandle =>
      this.policyHits.handle({ kind: hit.kind, tier: hit.tier, namespace: hit.namespace, name: hit.name, action: hit.action, trace });
    return {
      seed,
      connections: this.connections.handle(flow),
      packetsIn: this.packets.handle({ ...flow, direction: 'in' }),
      packetsOut: this.packets.handle({ ...flow, direction: 'out' }),
      bytesIn: this.bytes.handle({ ...flow, direction: 'in' }),
      bytesOut: this.bytes.handle({ ...flow, direction: 'out' }),
      policies: [
        ...(record.policies?.enforced ?? []).map((hit) => policy(hit, 'enforced')),
        ...(record.policies?.pending ?? []).map((hit) => policy(hit, 'pending')),
      ],
      lastUsed: 0,
    };
  }
}
