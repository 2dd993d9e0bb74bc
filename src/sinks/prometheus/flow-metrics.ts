import type { FlowConsumer, FlowRecord, PolicyHit } from '../../flow/flow-record.js';
import type { MetricsPipeline } from '../../metrics/pipeline.js';
import type { CounterFamily } from '../../metrics/series-budget.js';

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

const SEED_LABELS = ['reporter', 'protocol', 'src_namespace', 'src_pod', 'src_port', 'dst_namespace', 'dst_object', 'dst_port'];
const FLOW_LABELS = ['action', 'reporter', 'protocol', 'src_namespace', 'src_name', 'src_type', 'dst_namespace', 'dst_name', 'dst_type', 'dst_port'];

export class FlowMetrics implements FlowConsumer {
  private readonly allow: CounterFamily;
  private readonly deny: CounterFamily;
  private readonly connections: CounterFamily;
  private readonly packets: CounterFamily;
  private readonly bytes: CounterFamily;
  private readonly policyHits: CounterFamily;

  constructor(metrics: MetricsPipeline) {
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
  }

  consume(records: readonly FlowRecord[]): void {
    for (const record of records) this.count(record);
  }

  private count(record: FlowRecord): void {
    const dstPort = String(record.dst.port ?? 0);
    if (record.source === 'goldmane' && (record.action === 'allow' || record.action === 'deny')) {
      const seed = {
        reporter: record.reporter,
        protocol: record.proto,
        src_namespace: record.src.namespace,
        src_pod: record.src.name,
        src_port: '0',
        dst_namespace: record.dst.namespace,
        dst_object: record.dst.name,
        dst_port: dstPort,
      };
      (record.action === 'allow' ? this.allow : this.deny).inc(seed, record.connectionsStarted);
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
    this.connections.inc(flow, record.connectionsStarted);
    this.packets.inc({ ...flow, direction: 'in' }, record.packetsIn);
    this.packets.inc({ ...flow, direction: 'out' }, record.packetsOut);
    this.bytes.inc({ ...flow, direction: 'in' }, record.bytesIn);
    this.bytes.inc({ ...flow, direction: 'out' }, record.bytesOut);
    if (record.policies) {
      for (const hit of record.policies.enforced) this.hit(hit, 'enforced');
      for (const hit of record.policies.pending) this.hit(hit, 'pending');
    }
  }

  private hit(hit: PolicyHit, trace: 'enforced' | 'pending'): void {
    this.policyHits.inc({ kind: hit.kind, tier: hit.tier, namespace: hit.namespace, name: hit.name, action: hit.action, trace });
  }
}
