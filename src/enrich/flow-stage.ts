import type { FlowEndpoint, FlowRecord, KubeEndpoint } from '../flow/flow-record.js';
import { GenerationMemo } from '../kube/generation-memo.js';
import type { KubeCache, KubeKind } from '../kube/metadata-cache.js';
import type { SlimPod } from '../kube/objects.js';
import type { Metrics } from '../metrics/pipeline.js';
import type { CounterSpec } from '../metrics/spec.js';

// Flow enrichment inside `flowlens run`: a stage of the flow bus that adds
// what the Kubernetes cache knows to each flow endpoint before the sinks see
// the record, the library form of `flowlens enrich`.
//
// - An endpoint with an address (goflow2, IPFIX): the pod holding it (with
//   its fully resolved workload, node and host IP), else the service, else
//   the node.
// - A Goldmane workload endpoint (no address): the pod by name, or, for an
//   aggregated `<generateName>*` name, the workload of that pod set.
//
// Results are memoized per endpoint until the cache changes, so a busy flow
// costs a map read per endpoint; records pass unchanged until the cache has
// synced, and records with nothing found are the same objects.

export type EnrichResult = 'pod' | 'pod_set' | 'service' | 'node' | 'miss' | 'not_synced';

/** What the stage reads: endpoints by IP (pods, services, nodes) and pods' owners. */
export const ENRICHMENT_KINDS: readonly KubeKind[] = ['pods', 'services', 'nodes', 'replicasets', 'jobs'];

const MAX_MEMO = 100_000;

/** What an endpoint resolved to; `kube` is absent for a miss. */
interface Found {
  readonly result: EnrichResult;
  readonly kube?: KubeEndpoint;
}

const MISS: Found = Object.freeze({ result: 'miss' });

/** What the stage keeps in an endpoint's memo cell: the lookup under one cache generation, and the enriched copy of the cell's own endpoint. */
interface Kept {
  readonly generation: number;
  readonly result: EnrichResult;
  readonly found: Found;
  readonly endpoint: FlowEndpoint;
  readonly enriched: FlowEndpoint;
}

export const FLOW_ENRICHMENT: CounterSpec = {
  type: 'counter',
  name: 'flowlens_flow_enrichment_total',
  help: 'Flow endpoints looked up in the Kubernetes cache, by what they resolved to (pod, pod_set, service, node, miss; not_synced: the cache had not synced yet).',
  labels: { result: 'fixed (6)' },
  doc: 'Flow endpoints looked up: `pod`, `pod_set` (a Goldmane `<generateName>*` name), `service`, `node`, `miss`, `not_synced` (the cache had not synced yet; the record passed unchanged). Two per record.',
  expires: false,
};

export class FlowKubeStage {
  private readonly memo: GenerationMemo<Found>;
  private readonly counts: Record<EnrichResult, number> = { pod: 0, pod_set: 0, service: 0, node: 0, miss: 0, not_synced: 0 };

  constructor(
    private readonly cache: KubeCache,
    metrics?: Metrics,
  ) {
    this.memo = new GenerationMemo(() => cache.generation, MAX_MEMO);
    const family = metrics?.counter(FLOW_ENRICHMENT);
    const reported: Record<EnrichResult, number> = { pod: 0, pod_set: 0, service: 0, node: 0, miss: 0, not_synced: 0 };
    metrics?.onCollect(() => {
      for (const result of Object.keys(this.counts) as EnrichResult[]) {
        family?.inc({ result }, this.counts[result] - reported[result]);
        reported[result] = this.counts[result];
      }
    });
  }

  /** The records with Kubernetes data on their endpoints (new objects only where something was found). */
  process(records: readonly FlowRecord[]): readonly FlowRecord[] {
    if (!this.cache.isSynced) {
      this.counts.not_synced += records.length * 2;
      return records;
    }
    let out: FlowRecord[] | undefined;
    for (let index = 0; index < records.length; index++) {
      const record = records[index]!;
      const src = this.endpoint(record.src);
      const dst = this.endpoint(record.dst);
      if (src === record.src && dst === record.dst) {
        out?.push(record);
        continue;
      }
      out ??= records.slice(0, index);
      // A record that knows how to copy itself (the collector's, with a computed id) does; others are spread.
      out.push(record.withEndpoints !== undefined ? record.withEndpoints(src, dst) : { ...record, src, dst });
    }
    return out ?? records;
  }

  private endpoint(endpoint: FlowEndpoint): FlowEndpoint {
    if (endpoint.kube !== undefined) return endpoint;
    const cell = endpoint.memo;
    // Sources that reuse endpoint objects (the collector's interned addresses) offer a cell: no map lookup, and the same enriched object back.
    if (cell !== undefined) {
      if (cell.owner !== this) {
        // Unclaimed, or a stage this one replaced (a reload): ours now.
        cell.owner = this;
        cell.value = undefined;
      }
      const generation = this.cache.generation;
      let kept = cell.value as Kept | undefined;
      if (kept === undefined || kept.generation !== generation) {
        const found = this.lookup(endpoint);
        if (found === undefined) return endpoint;
        cell.value = kept = { generation, result: found.result, found, endpoint, enriched: found.kube === undefined ? endpoint : { ...endpoint, kube: found.kube } };
      }
      this.counts[kept.result]++;
      if (kept.endpoint === endpoint) return kept.enriched;
      // A one-off endpoint sharing its address's cell: its own copy.
      return kept.found.kube === undefined ? endpoint : { ...endpoint, kube: kept.found.kube };
    }
    const found = this.lookup(endpoint);
    if (found === undefined) return endpoint;
    this.counts[found.result]++;
    return found.kube === undefined ? endpoint : { ...endpoint, kube: found.kube };
  }

  /** What an endpoint resolves to (memoized per address or pod name until the cache changes); undefined when it has neither. */
  private lookup(endpoint: FlowEndpoint): Found | undefined {
    const key = endpoint.ip ?? (endpoint.type === 'workload' && endpoint.namespace !== '' ? `${endpoint.namespace}/${endpoint.name}` : undefined);
    if (key === undefined) return undefined;
    return this.memo.get(key) ?? this.memo.set(key, this.resolve(endpoint));
  }

  private resolve(endpoint: FlowEndpoint): Found {
    if (endpoint.ip !== undefined) {
      const { pods, services, nodes } = this.cache.resolveIP(endpoint.ip);
      const node = nodes[0];
      const pod = pods[0];
      if (pod !== undefined) return this.ofPod(pod);
      const service = services[0];
      if (service !== undefined) return found('service', { namespace: service.metadata.namespace ?? '', workload: service.metadata.name, workloadKind: 'Service' });
      if (node !== undefined) return found('node', { node: node.metadata.name, workloadKind: 'Node', workload: node.metadata.name });
      return MISS;
    }
    const pod = this.cache.pod(endpoint.namespace, endpoint.name);
    if (pod !== undefined) return this.ofPod(pod);
    const sibling = this.cache.podOfSet(endpoint.namespace, endpoint.name);
    if (sibling !== undefined) {
      const workload = this.cache.workload(sibling);
      return found('pod_set', { namespace: endpoint.namespace, workload: workload.name, workloadKind: workload.kind });
    }
    return MISS;
  }

  private ofPod(pod: SlimPod): Found {
    const workload = this.cache.workload(pod);
    return found('pod', {
      pod: pod.metadata.name,
      namespace: pod.metadata.namespace ?? '',
      workload: workload.name,
      workloadKind: workload.kind,
      ...(pod.nodeName !== '' ? { node: pod.nodeName } : {}),
      ...(pod.hostIP !== '' ? { hostIP: pod.hostIP } : {}),
    });
  }
}

/** A memoized result: frozen, since every record of the endpoint shares it. */
const found = (result: EnrichResult, kube: KubeEndpoint): Found => ({ result, kube: Object.freeze(kube) });
