import { ConfigError } from '../config/errors.js';
import { GenerationMemo } from '../kube/generation-memo.js';
import type { KubeCache } from '../kube/metadata-cache.js';
import type { Meta } from '../kube/objects.js';

// goflow2-kube-enricher's enrichment: for each mapped field holding an IP,
// the fields <Prefix>Pod, Namespace, HostIP, Workload, WorkloadKind, Warn,
// exactly as the seed wrote them (docs/contracts.md section 5):
//
// - a pod IP: Pod, Namespace, HostIP, Workload, WorkloadKind (+ Warn);
// - a service ClusterIP: Namespace, Workload (the service), WorkloadKind "Service";
// - anything else (node IP, host-network pod, unknown): nothing at all.
//
// The result per (IP, prefix) is kept until the cache changes, so a busy
// pair costs one map read.

export interface MappingEntry {
  /** Input field holding an IP address (goflow2 name, e.g. SrcAddr or src_addr). */
  readonly field: string;
  /** Prefix of the added fields. */
  readonly prefix: string;
}

export const DEFAULT_MAPPING = 'SrcAddr=Src,DstAddr=Dst';
export const DEFAULT_MAPPING_V2 = 'src_addr=Src,dst_addr=Dst';

/** `-mapping`: an ordered "Field=Prefix" list; a malformed pair is fatal, as in the seed. */
export function parseMapping(text: string, setting = '-mapping'): MappingEntry[] {
  const entries: MappingEntry[] = [];
  for (const pair of text.split(',')) {
    const parts = pair.split('=');
    if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') {
      throw new ConfigError(`${setting}: invalid fields mapping pair "${pair}" (expected Field=Prefix, e.g. ${DEFAULT_MAPPING})`);
    }
    entries.push({ field: parts[0]!.trim(), prefix: parts[1]!.trim() });
  }
  return entries;
}

/** The six field names per prefix, in the order they are written. */
export const ADDED_FIELDS = ['Pod', 'Namespace', 'HostIP', 'Workload', 'WorkloadKind', 'Warn'] as const;
export type AddedField = (typeof ADDED_FIELDS)[number];

export type Enrichment = readonly (readonly [AddedField, string])[];

const NOTHING: Enrichment = Object.freeze([]);
const MAX_MEMO = 200_000;

/** What the record writers need: the fields for one IP, and a generation that moves when answers may change. */
export interface IpEnrichment {
  lookup(ip: string): Enrichment;
  readonly generation: number;
}

/** Adds nothing: records written before (or without) a synced cache pass unchanged. */
export const NO_ENRICHMENT: IpEnrichment = Object.freeze({ lookup: () => NOTHING, generation: 0 });

export class Enricher implements IpEnrichment {
  private readonly memo: GenerationMemo<Enrichment>;

  constructor(private readonly cache: KubeCache) {
    this.memo = new GenerationMemo(() => cache.generation, MAX_MEMO);
  }

  /** Moves whenever the cache changes: anything derived from lookup() is stale once it does. */
  get generation(): number {
    return this.cache.generation;
  }

  /** What the seed adds for one IP (without the prefix); empty when it adds nothing. */
  lookup(ip: string): Enrichment {
    return this.memo.get(ip) ?? this.memo.set(ip, this.resolve(ip));
  }

  private resolve(ip: string): Enrichment {
    if (ip === '') return NOTHING;
    const { pods, services } = this.cache.resolveIP(ip);
    const pod = pods[0];
    if (pod !== undefined) {
      const workload = this.cache.seedWorkload(pod);
      const warnings = [...workload.warnings];
      if (pods.length > 1) warnings.unshift(several('pods', pods));
      const out: [AddedField, string][] = [
        ['Pod', pod.metadata.name],
        ['Namespace', pod.metadata.namespace ?? ''],
      ];
      if (pod.hostIP !== '') out.push(['HostIP', pod.hostIP]);
      out.push(['Workload', workload.name], ['WorkloadKind', workload.kind]);
      if (warnings.length > 0) out.push(['Warn', warnings.join('; ')]);
      return out;
    }
    const service = services[0];
    if (service !== undefined) {
      const out: [AddedField, string][] = [
        ['Namespace', service.metadata.namespace ?? ''],
        ['Workload', service.metadata.name],
        ['WorkloadKind', 'Service'],
      ];
      if (services.length > 1) out.push(['Warn', several('services', services)]);
      return out;
    }
    return NOTHING;
  }
}

/** The seed's ambiguity warning: "Several pods found for same IP: name.namespace,...". */
function several(kind: string, objects: readonly { metadata: Meta }[]): string {
  return `Several ${kind} found for same IP: ${objects.map((object) => `${object.metadata.name}.${object.metadata.namespace ?? ''}`).join(',')}`;
}
