import type { EndpointType, FlowConsumer, FlowEndpoint, FlowRecord, KubeEndpoint, PolicyHit } from '../../flow/flow-record.js';
import type { Metrics } from '../../metrics/pipeline.js';
import type { CounterSpec, FamilySpec } from '../../metrics/spec.js';
import type { CounterFamily, CounterSeries } from '../../metrics/series-budget.js';

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
// Every label is a function of the flow key and the Kubernetes data on its
// endpoints, so a key whose series were all admitted keeps references to them
// (not its labels): a long-lived flow reported every 15 s costs one map lookup
// per report, and about a hundred bytes while it lasts. When the enrichment
// stage hands other Kubernetes data (the cache changed), the endpoint labels
// are worked out again, and a key whose address now belongs to another
// workload gets that workload's series. A key any of whose series was folded into the
// overflow series keeps nothing: its reports resolve their labels each time
// (each fold counted), and it gets series of its own once there is room.

const KEY = 'per flow key';
const SEED_LABELS = {
  reporter: KEY,
  protocol: KEY,
  src_namespace: KEY,
  src_pod: KEY,
  src_port: 'fixed (1: always 0)',
  dst_namespace: KEY,
  dst_object: KEY,
  dst_port: KEY,
} as const;
const FLOW_LABELS = {
  action: 'fixed (5)',
  reporter: 'fixed (2: src, dst)',
  protocol: KEY,
  src_namespace: KEY,
  src_name: KEY,
  src_type: 'fixed (6)',
  dst_namespace: KEY,
  dst_name: KEY,
  dst_type: 'fixed (6)',
  dst_port: KEY,
} as const;
const DIRECTION = 'fixed (2: in, out)';

export const CALICO_FLOW_ALLOW: CounterSpec = {
  type: 'counter',
  name: 'calico_flow_allow',
  help: 'Number of allowed network flows in Calico (connections started, per Goldmane flow).',
  labels: SEED_LABELS,
  doc: "Goldmane Prometheus Exporter's: connections started by flows whose final action is Allow. `src_port` is always `0` (Goldmane has none); `reporter` is `src` or `dst`.",
};

export const CALICO_FLOW_DENY: CounterSpec = {
  type: 'counter',
  name: 'calico_flow_deny',
  help: 'Number of denied network flows in Calico (connections started, per Goldmane flow).',
  labels: SEED_LABELS,
  doc: 'The same for flows whose final action is Deny.',
};

export const FLOW_CONNECTIONS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_flow_connections_total',
  help: 'Connections started, by final action, reporter and endpoints.',
  labels: FLOW_LABELS,
  doc: "Connections started, for every final action: `allow`, `deny`, `pass`, `unspecified`, `unknown` (a newer Calico's value). `*_type` is `workload`, `host`, `networkset`, `network`, `unspecified` or `unknown`.",
};

export const FLOW_PACKETS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_flow_packets_total',
  help: 'Packets, by direction as seen by the reporting endpoint, final action and endpoints.',
  labels: { ...FLOW_LABELS, direction: DIRECTION },
  doc: 'Packets; `direction` is `in` or `out` as seen by the reporting endpoint.',
};

export const FLOW_BYTES: CounterSpec = {
  type: 'counter',
  name: 'flowlens_flow_bytes_total',
  help: 'Bytes, by direction as seen by the reporting endpoint, final action and endpoints.',
  labels: { ...FLOW_LABELS, direction: DIRECTION },
  doc: 'Bytes, the same way.',
};

const POLICY = 'per policy rule (moderate)';
export const POLICY_HITS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_policy_hits_total',
  help: 'Flow reports whose policy trace contains the policy, by policy and whether it was enforced or pending (staged).',
  labels: { kind: 'fixed (a few)', tier: POLICY, namespace: POLICY, name: POLICY, action: 'fixed (4)', trace: 'fixed (2: enforced, pending)' },
  doc: "Flow reports whose policy trace contains the policy. `trace` is `enforced` or `pending` (staged policies). `kind` is Calico's (`CalicoNetworkPolicy`, `NetworkPolicy`, `Profile`, `EndOfTier`, ..., `Kind<N>` for a newer one); an `EndOfTier` hit (the tier's default action) has an empty `name`.",
};

export const FLOW_METRICS_FAMILIES: readonly FamilySpec[] = [CALICO_FLOW_ALLOW, CALICO_FLOW_DENY, FLOW_CONNECTIONS, FLOW_PACKETS, FLOW_BYTES, POLICY_HITS];

interface KeySeries {
  readonly seed: CounterSeries | undefined;
  readonly connections: CounterSeries;
  /** Absent for sources that never count inbound (the collector: a flow record is one direction). */
  readonly packetsIn: CounterSeries | undefined;
  readonly packetsOut: CounterSeries;
  readonly bytesIn: CounterSeries | undefined;
  readonly bytesOut: CounterSeries;
  readonly policies: readonly CounterSeries[];
  lastUsed: number;
  /** The Kubernetes data the labels were worked out from, and those endpoint labels. */
  srcKube: KubeEndpoint | undefined;
  dstKube: KubeEndpoint | undefined;
  readonly endpoints: string;
}

export interface FlowMetricsOptions {
  /** Flow keys that keep their series; beyond it keys resolve per report (default: metrics.maxSeriesPerMetric). */
  readonly maxKeys?: number;
  /** Kept series unused this long are dropped at scrape time (default: the series TTL, or 10 minutes). */
  readonly idleMs?: number;
}

function stale(kept: KeySeries): boolean {
  if (kept.connections.removed || kept.packetsIn?.removed === true || kept.packetsOut.removed || kept.bytesIn?.removed === true || kept.bytesOut.removed || kept.seed?.removed === true) return true;
  const policies = kept.policies;
  for (let i = 0; i < policies.length; i++) if (policies[i]!.removed) return true;
  return false;
}

const folded = (kept: KeySeries): boolean =>
  kept.connections.overflow || kept.packetsIn?.overflow === true || kept.packetsOut.overflow || kept.bytesIn?.overflow === true || kept.bytesOut.overflow || kept.seed?.overflow === true || kept.policies.some((series) => series.overflow);

export class FlowMetrics implements FlowConsumer {
  private readonly allow: CounterFamily;
  private readonly deny: CounterFamily;
  private readonly connections: CounterFamily;
  private readonly packets: CounterFamily;
  private readonly bytes: CounterFamily;
  private readonly policyHits: CounterFamily;
  private readonly kept = new Map<string, KeySeries>();
  private readonly maxKeys: number;

  constructor(private readonly metrics: Metrics, options: FlowMetricsOptions = {}) {
    this.maxKeys = options.maxKeys ?? Math.max(...FLOW_METRICS_FAMILIES.map((family) => metrics.budget.limitFor(family.name)));
    const idleMs = options.idleMs ?? (metrics.budget.ttlMs > 0 ? metrics.budget.ttlMs : 600_000);
    this.allow = metrics.counter(CALICO_FLOW_ALLOW);
    this.deny = metrics.counter(CALICO_FLOW_DENY);
    this.connections = metrics.counter(FLOW_CONNECTIONS);
    this.packets = metrics.counter(FLOW_PACKETS);
    this.bytes = metrics.counter(FLOW_BYTES);
    this.policyHits = metrics.counter(POLICY_HITS);
    metrics.onCollect(() => {
      const cutoff = metrics.budget.now() - idleMs;
      for (const [key, kept] of this.kept) if (kept.lastUsed < cutoff) this.kept.delete(key);
    });
  }

  /** Flow keys keeping their series now (the memory self-metric). */
  get keptKeys(): number {
    return this.kept.size;
  }

  consume(records: readonly FlowRecord[]): void {
    const now = this.metrics.budget.now();
    for (const record of records) {
      if (record.replay === true) continue;
      // A source that interns its keys (the collector) offers a cell: no map lookup per record.
      const cell = record.keyMemo;
      if (cell !== undefined && cell.owner !== this) {
        // Unclaimed, or the flow metrics this instance replaced (a reload): ours now.
        cell.owner = this;
        cell.value = undefined;
      }
      let series = (cell?.value as KeySeries | undefined) ?? this.kept.get(record.key);
      if (series !== undefined && (record.src.kube !== series.srcKube || record.dst.kube !== series.dstKube)) {
        // The cache changed: the key's endpoints may now be another workload (an address reused).
        if (endpointLabels(record) === series.endpoints) {
          series.srcKube = record.src.kube;
          series.dstKube = record.dst.kube;
        } else series = undefined;
      }
      // A key first seen one way round that now counts inbound too (an IPFIX biflow) gets its "in" series.
      if (series !== undefined && series.packetsIn === undefined && (record.packetsIn > 0 || record.bytesIn > 0)) series = undefined;
      if (series === undefined || stale(series)) {
        series = this.seriesFor(record);
        const keep = !folded(series) && (this.kept.size < this.maxKeys || this.kept.has(record.key));
        if (keep) this.kept.set(record.key, series);
        else if (folded(series)) this.kept.delete(record.key);
        if (cell !== undefined) cell.value = keep ? series : undefined;
      }
      series.lastUsed = now;
      if (series.seed !== undefined) this.seedFamily(record).add(series.seed, record.connectionsStarted);
      this.connections.add(series.connections, record.connectionsStarted);
      if (series.packetsIn !== undefined) this.packets.add(series.packetsIn, record.packetsIn);
      this.packets.add(series.packetsOut, record.packetsOut);
      if (series.bytesIn !== undefined) this.bytes.add(series.bytesIn, record.bytesIn);
      this.bytes.add(series.bytesOut, record.bytesOut);
      for (const policy of series.policies) this.policyHits.add(policy, 1);
    }
  }

  private seedFamily(record: FlowRecord): CounterFamily {
    return record.action === 'allow' ? this.allow : this.deny;
  }

  /** The series of a record's labels: admitted, or the overflow series where a family is full. */
  private seriesFor(record: FlowRecord): KeySeries {
    const dstPort = String(record.dst.port ?? 0);
    let seed: CounterSeries | undefined;
    if (record.source === 'goldmane' && (record.action === 'allow' || record.action === 'deny')) {
      seed = this.seedFamily(record).seriesOf({
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
    const src = labelled(record, record.src);
    const dst = labelled(record, record.dst);
    const flow = {
      action: record.action,
      reporter: record.reporter,
      protocol: record.proto,
      src_namespace: src.namespace,
      src_name: src.name,
      src_type: src.type,
      dst_namespace: dst.namespace,
      dst_name: dst.name,
      dst_type: dst.type,
      dst_port: dstPort,
    };
    const policy = (hit: PolicyHit, trace: 'enforced' | 'pending'): CounterSeries =>
      this.policyHits.seriesOf({ kind: hit.kind, tier: hit.tier, namespace: hit.namespace, name: hit.name, action: hit.action, trace });
    // Goldmane reports both directions; the collector's records count one (out), so no zero "in" series for them.
    const inbound = record.source === 'goldmane' || record.packetsIn > 0 || record.bytesIn > 0 ? { ...flow, direction: 'in' } : undefined;
    const outbound = { ...flow, direction: 'out' };
    return {
      seed,
      connections: this.connections.seriesOf(flow),
      packetsIn: inbound === undefined ? undefined : this.packets.seriesOf(inbound),
      packetsOut: this.packets.seriesOf(outbound),
      bytesIn: inbound === undefined ? undefined : this.bytes.seriesOf(inbound),
      bytesOut: this.bytes.seriesOf(outbound),
      policies: [
        ...(record.policies?.enforced ?? []).map((hit) => policy(hit, 'enforced')),
        ...(record.policies?.pending ?? []).map((hit) => policy(hit, 'pending')),
      ],
      lastUsed: 0,
      srcKube: record.src.kube,
      dstKube: record.dst.kube,
      endpoints: endpointLabels(record),
    };
  }
}

/** Both endpoints' labels in one string, to tell whether new Kubernetes data changed them. */
function endpointLabels(record: FlowRecord): string {
  const src = labelled(record, record.src);
  const dst = labelled(record, record.dst);
  return `${src.namespace}\u0000${src.name}\u0000${src.type}\u0000${dst.namespace}\u0000${dst.name}\u0000${dst.type}`;
}

/**
 * An endpoint's labels: Goldmane's names as sent (the seed's contract); an
 * address endpoint (the collector's) by the workload enrichment found, else
 * its network (`pvt` / `pub`), never the address itself.
 */
function labelled(record: FlowRecord, endpoint: FlowEndpoint): { namespace: string; name: string; type: EndpointType } {
  const kube = endpoint.kube;
  if (record.source === 'goldmane' || kube === undefined) return endpoint;
  return { namespace: kube.namespace ?? '', name: kube.workload ?? kube.pod ?? kube.node ?? endpoint.name, type: kube.workloadKind === 'Node' ? 'host' : 'workload' };
}
