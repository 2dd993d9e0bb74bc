import type { FlowEndpoint, FlowRecord, KubeEndpoint } from '../flow/flow-record.js';
import type { KubeCache } from '../kube/metadata-cache.js';
import type { SlimPod } from '../kube/objects.js';
import type { MetricsPipeline } from '../metrics/pipeline.js';

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

const MAX_MEMO = 100_000;
const NONE: KubeEndpoint = Object.freeze({});

export class FlowKubeStage {
  private memo = new Map<string, KubeEndpoint>();
  private memoGeneration = -1;
  private readonly counts: Record<EnrichResult, number> = { pod: 0, pod_set: 0, service: 0, node: 0, miss: 0, not_synced: 0 };

  constructor(
    private readonly cache: KubeCache,
    metrics?: MetricsPipeline,
  ) {
    const family = metrics?.counter({
      name: 'flowlens_flow_enrichment_total',
      help: 'Flow endpoints looked up in the Kubernetes cache, by what they resolved to (pod, pod_set, service, node, miss; not_synced: the cache had not synced yet).',
      labelNames: ['result'],
      expires: false,
    });
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
    if (this.cache.generation !== this.memoGeneration || this.memo.size >= MAX_MEMO) {
      this.memo = new Map();
      this.memoGeneration = this.cache.generation;
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
      out.push({ ...record, src, dst });
    }
    return out ?? records;
  }

  private endpoint(endpoint: FlowEndpoint): FlowEndpoint {
    if (endpoint.kube !== undefined) return endpoint;
    const key = endpoint.ip ?? (endpoint.type === 'workload' && endpoint.namespace !== '' ? `${endpoint.namespace}/${endpoint.name}` : undefined);
    if (key === undefined) return endpoint;
    let kube = this.memo.get(key);
    if (kube === undefined) {
      kube = this.resolve(endpoint);
      this.memo.set(key, kube);
    }
    this.counts[resultOf(kube)]++;
    return kube === NONE ? endpoint : { ...endpoint, kube };
  }

  private resolve(endpoint: FlowEndpoint): KubeEndpoint {
    if (endpoint.ip !== undefined) {
      const { pods, services, nodes } = this.cache.resolveIP(endpoint.ip);
      const node = nodes[0];
      const pod = pods[0];
      if (pod !== undefined) return this.ofPod(pod, 'pod');
      const service = services[0];
      if (service !== undefined) return tagged({ namespace: service.metadata.namespace ?? '', workload: service.metadata.name, workloadKind: 'Service' }, 'service');
      if (node !== undefined) return tagged({ node: node.metadata.name, workloadKind: 'Node', workload: node.metadata.name }, 'node');
      return NONE;
    }
    const pod = this.cache.pod(endpoint.namespace, endpoint.name);
    if (pod !== undefined) return this.ofPod(pod, 'pod');
    const sibling = this.cache.podOfSet(endpoint.namespace, endpoint.name);
    if (sibling !== undefined) {
      const workload = this.cache.workload(sibling);
      return tagged({ namespace: endpoint.namespace, workload: workload.name, workloadKind: workload.kind }, 'pod_set');
    }
    return NONE;
  }

  private ofPod(pod: SlimPod, result: 'pod'): KubeEndpoint {
    const workload = this.cache.workload(pod);
    return tagged(
      {
        pod: pod.metadata.name,
        namespace: pod.metadata.namespace ?? '',
        workload: workload.name,
        workloadKind: workload.kind,
        ...(pod.nodeName !== '' ? { node: pod.nodeName } : {}),
        ...(pod.hostIP !== '' ? { hostIP: pod.hostIP } : {}),
      },
      result,
    );
  }
}

// What each memoized result was, for the counters (kept off the record).
const results = new WeakMap<KubeEndpoint, EnrichResult>();

function tagged(kube: KubeEndpoint, result: EnrichResult): KubeEndpoint {
  Object.freeze(kube);
  results.set(kube, result);
  return kube;
}

const resultOf = (kube: KubeEndpoint): EnrichResult => results.get(kube) ?? 'miss';
