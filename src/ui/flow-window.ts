import type { EndpointType, FlowEndpoint, FlowRecord } from '../flow/flow-record.js';
import { namespaceOf, workloadOf } from './flow-filter.js';

// What the service map and the policies view show, from the flows that
// passed: per 10-second bucket over the last 15 minutes, the traffic between
// workloads (edges) and what each policy in the traces decided. A request
// sums the buckets of its window (1, 5 or 15 minutes).

export const BUCKET_MS = 10_000;
export const HISTORY_MS = 15 * 60_000;
/** Edges and policy rows one bucket keeps; beyond, records are counted as folded. */
const MAX_ENTRIES = 20_000;

export type NodeKind = 'workload' | 'service' | 'host' | 'networkset' | 'network' | 'unknown';

export interface GraphNode {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: NodeKind;
}

export interface EdgeCounts {
  flows: number;
  packets: number;
  bytes: number;
  /** Flow reports with the final action allow / deny (either end's report). */
  allowed: number;
  denied: number;
}

export interface GraphEdge extends EdgeCounts {
  readonly source: string;
  readonly target: string;
}

export interface PolicyRow {
  readonly kind: string;
  readonly tier: string;
  readonly namespace: string;
  readonly name: string;
  /** The rule's action (allow, deny, pass). */
  readonly action: string;
  readonly trace: 'enforced' | 'pending';
  flows: number;
  packets: number;
  bytes: number;
}

export interface DropRow {
  readonly namespace: string;
  readonly workload: string;
  flows: number;
  packets: number;
}

interface Bucket {
  readonly start: number;
  readonly nodes: Map<string, GraphNode>;
  readonly edges: Map<string, GraphEdge>;
  readonly policies: Map<string, PolicyRow>;
  /** Flows an end-of-tier deny dropped (no policy matched), by the workload whose policy it was. */
  readonly drops: Map<string, DropRow>;
  /** The edge of each flow key seen in the bucket: a busy key costs one map read (its endpoints are a function of the key). */
  readonly byKey: Map<string, GraphEdge>;
  folded: number;
}

const nodeKind = (endpoint: FlowEndpoint): NodeKind => {
  const kind = endpoint.kube?.workloadKind;
  if (kind === 'Service') return 'service';
  if (kind === 'Node') return 'host';
  if (endpoint.kube !== undefined) return 'workload';
  const types: Partial<Record<EndpointType, NodeKind>> = { workload: 'workload', host: 'host', networkset: 'networkset', network: 'network' };
  return types[endpoint.type] ?? 'unknown';
};

export function nodeOf(endpoint: FlowEndpoint): GraphNode {
  const namespace = namespaceOf(endpoint);
  const name = workloadOf(endpoint) || endpoint.ip || '';
  return { id: `${namespace}/${name}`, namespace, name, kind: nodeKind(endpoint) };
}

/**
 * Goldmane reports pod-to-pod flows from both ends: the traffic of an edge is
 * counted from the source's report, and from the destination's only when the
 * source is not a workload (traffic from outside). Verdicts count from both.
 */
const counts = (record: FlowRecord): boolean => record.reporter !== 'dst' || record.src.type !== 'workload';

export class FlowWindow {
  private readonly buckets: Bucket[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  add(records: readonly FlowRecord[]): void {
    const bucket = this.current();
    for (const record of records) {
      let edge = bucket.byKey.get(record.key);
      if (edge === undefined) {
        const src = nodeOf(record.src);
        const dst = nodeOf(record.dst);
        const id = `${src.id}\u0000${dst.id}`;
        edge = bucket.edges.get(id);
        if (edge === undefined) {
          if (bucket.edges.size >= MAX_ENTRIES) {
            bucket.folded++;
            continue;
          }
          bucket.nodes.set(src.id, src);
          bucket.nodes.set(dst.id, dst);
          edge = { source: src.id, target: dst.id, flows: 0, packets: 0, bytes: 0, allowed: 0, denied: 0 };
          bucket.edges.set(id, edge);
        }
        if (bucket.byKey.size < MAX_ENTRIES * 5) bucket.byKey.set(record.key, edge);
      }
      const traffic = counts(record);
      if (traffic) {
        edge.flows++;
        edge.packets += record.packetsIn + record.packetsOut;
        edge.bytes += record.bytesIn + record.bytesOut;
      }
      if (record.action === 'deny') edge.denied++;
      else if (record.action === 'allow' && traffic) edge.allowed++;
      this.addPolicies(bucket, record);
    }
  }

  private addPolicies(bucket: Bucket, record: FlowRecord): void {
    const trace = record.policies;
    if (trace === undefined) return;
    const packets = record.packetsIn + record.packetsOut;
    const bytes = record.bytesIn + record.bytesOut;
    for (const [list, kind] of [[trace.enforced, 'enforced'], [trace.pending, 'pending']] as const) {
      for (const hit of list) {
        const id = `${hit.kind}\u0000${hit.tier}\u0000${hit.namespace}\u0000${hit.name}\u0000${hit.action}\u0000${kind}`;
        let row = bucket.policies.get(id);
        if (row === undefined) {
          if (bucket.policies.size >= MAX_ENTRIES) continue;
          row = { kind: hit.kind, tier: hit.tier, namespace: hit.namespace, name: hit.name, action: hit.action, trace: kind, flows: 0, packets: 0, bytes: 0 };
          bucket.policies.set(id, row);
        }
        row.flows++;
        row.packets += packets;
        row.bytes += bytes;
      }
    }
    const last = trace.enforced[trace.enforced.length - 1];
    if (last !== undefined && last.kind === 'EndOfTier' && last.action === 'deny') {
      // The end whose policies dropped it: the reporter.
      const endpoint = record.reporter === 'dst' ? record.dst : record.src;
      const namespace = namespaceOf(endpoint);
      const workload = workloadOf(endpoint);
      const id = `${namespace}/${workload}`;
      let row = bucket.drops.get(id);
      if (row === undefined) {
        if (bucket.drops.size >= MAX_ENTRIES) return;
        row = { namespace, workload, flows: 0, packets: 0 };
        bucket.drops.set(id, row);
      }
      row.flows++;
      row.packets += packets;
    }
  }

  private current(): Bucket {
    const now = this.now();
    const start = now - (now % BUCKET_MS);
    let bucket = this.buckets[this.buckets.length - 1];
    if (bucket === undefined || bucket.start !== start) {
      bucket = { start, nodes: new Map(), edges: new Map(), policies: new Map(), drops: new Map(), byKey: new Map(), folded: 0 };
      this.buckets.push(bucket);
      while (this.buckets.length > 0 && this.buckets[0]!.start < now - HISTORY_MS) this.buckets.shift();
    }
    return bucket;
  }

  private within(windowMs: number): Bucket[] {
    const since = this.now() - windowMs;
    return this.buckets.filter((bucket) => bucket.start + BUCKET_MS > since);
  }

  /** The service map over the window: nodes and edges, edges by bytes (largest first). */
  graph(windowMs: number): { nodes: GraphNode[]; edges: GraphEdge[]; folded: number } {
    const nodes = new Map<string, GraphNode>();
    const edges = new Map<string, GraphEdge>();
    let folded = 0;
    for (const bucket of this.within(windowMs)) {
      folded += bucket.folded;
      for (const [id, node] of bucket.nodes) nodes.set(id, node);
      for (const [id, edge] of bucket.edges) {
        const sum = edges.get(id);
        if (sum === undefined) edges.set(id, { ...edge });
        else addCounts(sum, edge);
      }
    }
    return { nodes: [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id)), edges: [...edges.values()].sort((a, b) => b.bytes - a.bytes || b.flows - a.flows), folded };
  }

  /** Policies over the window (most flows first), each with its flows per minute; no-policy drops by workload. */
  policies(windowMs: number): { policies: Array<PolicyRow & { series: number[] }>; drops: Array<DropRow & { series: number[] }> } {
    const buckets = this.within(windowMs);
    const minutes = Math.max(1, Math.round(windowMs / 60_000));
    const since = this.now() - windowMs;
    const slot = (bucket: Bucket): number => Math.min(minutes - 1, Math.max(0, Math.floor((bucket.start - since) / 60_000)));
    const policies = new Map<string, PolicyRow & { series: number[] }>();
    const drops = new Map<string, DropRow & { series: number[] }>();
    for (const bucket of buckets) {
      for (const [id, row] of bucket.policies) {
        let sum = policies.get(id);
        if (sum === undefined) policies.set(id, (sum = { ...row, flows: 0, packets: 0, bytes: 0, series: new Array<number>(minutes).fill(0) }));
        sum.flows += row.flows;
        sum.packets += row.packets;
        sum.bytes += row.bytes;
        sum.series[slot(bucket)]! += row.flows;
      }
      for (const [id, row] of bucket.drops) {
        let sum = drops.get(id);
        if (sum === undefined) drops.set(id, (sum = { ...row, flows: 0, packets: 0, series: new Array<number>(minutes).fill(0) }));
        sum.flows += row.flows;
        sum.packets += row.packets;
        sum.series[slot(bucket)]! += row.flows;
      }
    }
    return { policies: [...policies.values()].sort((a, b) => b.flows - a.flows), drops: [...drops.values()].sort((a, b) => b.flows - a.flows) };
  }
}

function addCounts(into: EdgeCounts, from: EdgeCounts): void {
  into.flows += from.flows;
  into.packets += from.packets;
  into.bytes += from.bytes;
  into.allowed += from.allowed;
  into.denied += from.denied;
}
