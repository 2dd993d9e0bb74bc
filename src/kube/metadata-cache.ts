import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log/logger.js';
import type { Component, ComponentStatus } from '../components/component.js';
import type { Metrics } from '../metrics/pipeline.js';
import { canonicalIp } from './ip.js';
import {
  keyOf,
  slimEndpointSlice,
  slimNode,
  slimOwned,
  slimPod,
  slimService,
  type Meta,
  type OwnerRef,
  type SlimEndpointSlice,
  type SlimNode,
  type SlimOwned,
  type SlimPod,
  type SlimService,
} from './objects.js';
import { Reflector, type ReflectorEvents, type ReflectorStat } from './reflector.js';
import { KUBE_ERRORS, KUBE_EVENTS, KUBE_IP_LOOKUPS, KUBE_LAST_SYNC, KUBE_OBJECTS, KUBE_RELISTS, KUBE_SYNCED, KUBE_WATCH_MALFORMED } from './metrics.js';

// The Kubernetes metadata cache every component shares: pods, services,
// nodes and endpointslices kept in sync by list + watch, ReplicaSets and
// Jobs as metadata only (for owner resolution), with the indexes lookups
// need. Lookups are synchronous map reads; they never call the API server.

export type KubeKind = 'pods' | 'services' | 'nodes' | 'endpointslices' | 'replicasets' | 'jobs' | 'networkpolicies' | 'adminnetworkpolicies' | 'baselineadminnetworkpolicies';

/** What a cache watches unless told otherwise (networkpolicies only when a component asks). */
export const DEFAULT_KINDS: readonly KubeKind[] = ['pods', 'services', 'nodes', 'endpointslices', 'replicasets', 'jobs'];

export interface KubeCacheOptions {
  readonly config: KubeConfig;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** Only pods of this node (spec.nodeName field selector), for per-node components. */
  readonly nodeName?: string;
  /**
   * ReplicaSets (and Jobs) watched as metadata (true, default), or not at all:
   * a pod's Deployment is then its ReplicaSet's name without the
   * pod-template-hash suffix, and a Job stays a Job.
   */
  readonly watchOwners?: boolean;
  /** Kinds to keep (default: all). */
  readonly kinds?: readonly KubeKind[];
  readonly watchTimeoutSeconds?: number;
  readonly backoff?: { initialMs: number; maxMs: number };
}

export interface Workload {
  readonly kind: string;
  readonly name: string;
}

/** A pod's workload, as the seed enricher computed it, plus what it would warn about. */
export interface SeedWorkload extends Workload {
  readonly warnings: readonly string[];
}

const PATHS: Record<KubeKind, string> = {
  pods: '/api/v1/pods',
  services: '/api/v1/services',
  nodes: '/api/v1/nodes',
  endpointslices: '/apis/discovery.k8s.io/v1/endpointslices',
  replicasets: '/apis/apps/v1/replicasets',
  jobs: '/apis/batch/v1/jobs',
  networkpolicies: '/apis/networking.k8s.io/v1/networkpolicies',
  adminnetworkpolicies: '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies',
  baselineadminnetworkpolicies: '/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies',
};

/** Kinds whose absence (403; 404 for the AdminNetworkPolicy CRDs, often not installed) degrades a feature instead of blocking readiness. */
const OPTIONAL: ReadonlySet<KubeKind> = new Set(['jobs', 'networkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies']);
const POLICY_KINDS: ReadonlySet<KubeKind> = new Set(['networkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies']);

const LEADING_ZERO = /(^|\.)0\d/;

/** What one IP address is: the pods, services and nodes holding it, each in arrival order. */
export interface IpEntry {
  readonly pods: readonly SlimPod[];
  readonly services: readonly SlimService[];
  readonly nodes: readonly SlimNode[];
}

interface MutableIpEntry {
  pods: SlimPod[];
  services: SlimService[];
  nodes: SlimNode[];
}

type IpField = keyof MutableIpEntry;
const NO_ENTRY: IpEntry = Object.freeze({ pods: Object.freeze([]), services: Object.freeze([]), nodes: Object.freeze([]) }) as IpEntry;
const EMPTY: never[] = [];

/**
 * One map from IP to everything holding it, so a lookup (hit or miss) is one
 * map read. Keys are canonical (ip.ts); a lookup in another spelling pays
 * for canonicalization only when it could be one.
 */
class IpIndex {
  readonly map = new Map<string, MutableIpEntry>();

  add<F extends IpField>(field: F, ip: string, item: MutableIpEntry[F][number]): void {
    let entry = this.map.get(ip);
    if (entry === undefined) this.map.set(ip, (entry = { pods: EMPTY, services: EMPTY, nodes: EMPTY }));
    // Arrays are replaced, never changed in place: a lookup's result stays as it was.
    // ([item] rather than a spread of the empty list: a spread leaves spare capacity.)
    const list = entry[field];
    entry[field] = (list.length === 0 ? [item] : list.concat([item as never])) as MutableIpEntry[F];
  }

  remove<F extends IpField>(field: F, ip: string, item: MutableIpEntry[F][number], same: (a: MutableIpEntry[F][number], b: MutableIpEntry[F][number]) => boolean): void {
    const entry = this.map.get(ip);
    if (entry === undefined) return;
    const list = entry[field] as MutableIpEntry[F][number][];
    const index = list.findIndex((existing) => same(existing, item));
    if (index < 0) return;
    entry[field] = (list.length === 1 ? EMPTY : list.filter((_, at) => at !== index)) as MutableIpEntry[F];
    if (entry.pods.length === 0 && entry.services.length === 0 && entry.nodes.length === 0) this.map.delete(ip);
  }

  get(ip: string): IpEntry {
    const direct = this.map.get(ip);
    if (direct !== undefined) return direct;
    // Keys are canonical: dotted IPv4 without leading zeros already is.
    if (ip.indexOf(':') < 0 && !LEADING_ZERO.test(ip)) return NO_ENTRY;
    const canonical = canonicalIp(ip);
    return (canonical === undefined || canonical === ip ? undefined : this.map.get(canonical)) ?? NO_ENTRY;
  }
}

const sameKey = (a: { metadata: Meta }, b: { metadata: Meta }): boolean => a.metadata.name === b.metadata.name && a.metadata.namespace === b.metadata.namespace;

export { interfaceSuffix } from './objects.js';

export class KubeCache implements Component {
  readonly name = 'kubernetes';
  private readonly reflectors = new Map<KubeKind, Reflector<{ metadata: Meta }>>();
  private readonly forbidden = new Set<KubeKind>();
  /** Per kind: resolves once it listed, or once it turned out forbidden (an optional kind). */
  private readonly settled = new Map<KubeKind, Promise<void>>();
  private readonly settleForbidden = new Map<KubeKind, () => void>();
  private readonly watchOwners: boolean;

  // Stores, by namespace/name.
  private readonly pods = new Map<string, SlimPod>();
  private readonly services = new Map<string, SlimService>();
  private readonly nodes = new Map<string, SlimNode>();
  private readonly slices = new Map<string, SlimEndpointSlice>();
  private readonly replicaSets = new Map<string, SlimOwned>();
  private readonly jobs = new Map<string, SlimOwned>();
  private readonly policies = new Map<string, SlimOwned>();
  private readonly adminPolicies = new Map<string, SlimOwned>();
  private readonly baselinePolicies = new Map<string, SlimOwned>();

  // Indexes.
  private readonly byIp = new IpIndex();
  private readonly podsByInterface = new Map<string, SlimPod>();
  /** "namespace/generateName" -> one pod of the set and how many there are (siblings share their owners). */
  private readonly podSets = new Map<string, { pod: SlimPod; count: number }>();
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly sliceListeners = new Set<(service: string) => void>();

  // Lookup counters (plain numbers on the hot path, exported at scrape).
  private readonly lookups = { pod: 0, service: 0, node: 0, miss: 0 };
  /** Changes with every object added, changed or removed: lookups memoized by a consumer are stale once it moves. */
  generation = 0;
  /** The most recent failed list or watch, "kind: message"; undefined before the first. */
  lastFailure: string | undefined;

  /** The API server's URL (for messages). */
  get apiServer(): string {
    return this.options.config.getCurrentCluster()?.server ?? '';
  }

  constructor(private readonly options: KubeCacheOptions) {
    this.watchOwners = options.watchOwners ?? true;
    const kinds = new Set<KubeKind>(options.kinds ?? DEFAULT_KINDS);
    if (!this.watchOwners) {
      kinds.delete('replicasets');
      kinds.delete('jobs');
    }
    const metrics = options.metrics;
    const events = metrics?.counter(KUBE_EVENTS);
    const relists = metrics?.counter(KUBE_RELISTS);
    const errors = metrics?.counter(KUBE_ERRORS);
    const malformed = metrics?.counter(KUBE_WATCH_MALFORMED);
    const lastSync = metrics?.gauge(KUBE_LAST_SYNC);
    const objects = metrics?.gauge(KUBE_OBJECTS);
    const synced = metrics?.gauge(KUBE_SYNCED);
    const lookups = metrics?.counter(KUBE_IP_LOOKUPS);
    const reported = { pod: 0, service: 0, node: 0, miss: 0 };
    metrics?.onCollect(() => {
      for (const [kind, reflector] of this.reflectors) {
        objects?.set({ kind }, this.store(kind).size);
        synced?.set({ kind }, reflector.isSynced ? 1 : 0);
        if (reflector.lastSyncMs > 0) lastSync?.set({ kind }, reflector.lastSyncMs / 1_000);
      }
      for (const result of ['pod', 'service', 'node', 'miss'] as const) {
        lookups?.inc({ result }, this.lookups[result] - reported[result]);
        reported[result] = this.lookups[result];
      }
    });

    for (const kind of kinds) {
      const onStats = (stat: ReflectorStat): void => {
        if (stat.type === 'event') events?.inc({ kind, type: stat.event });
        else if (stat.type === 'list' && stat.relist) relists?.inc({ kind });
        else if (stat.type === 'malformed') malformed?.inc({ kind });
        else if (stat.type === 'error') {
          errors?.inc({ kind, status: String(stat.statusCode ?? 0) });
          this.lastFailure = `${kind}: ${stat.message}`;
          const absent = stat.statusCode === 404 && kind.includes('adminnetworkpolicies');
          if ((stat.statusCode === 403 || absent) && OPTIONAL.has(kind) && !this.forbidden.has(kind)) {
            this.forbidden.add(kind);
            this.settleForbidden.get(kind)?.();
            const lost = POLICY_KINDS.has(kind) ? 'hashed policy chains without a readable comment keep their chain name' : 'owners of that kind are not resolved';
            if (absent) options.logger.info({ kind }, `${kind} are not served (the CRD is not installed): ${lost}`);
            else options.logger.warn({ kind }, `no permission to list ${kind}: ${lost} (see docs/kubernetes-cache.md, RBAC)`);
            void this.reflectors.get(kind)?.stop();
          }
        }
      };
      const common = {
        kind,
        path: PATHS[kind],
        logger: options.logger,
        onStats,
        ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
        ...(options.backoff ? { backoff: options.backoff } : {}),
      };
      const reflector = this.reflectorFor(kind, common);
      this.reflectors.set(kind, reflector as unknown as Reflector<{ metadata: Meta }>);
      const forbidden = new Promise<void>((resolve) => this.settleForbidden.set(kind, resolve));
      this.settled.set(kind, Promise.race([reflector.synced, forbidden]));
    }
  }

  private reflectorFor(kind: KubeKind, common: { kind: string; path: string; logger: Logger; onStats: (stat: ReflectorStat) => void }): Reflector<{ metadata: Meta }> {
    const config = this.options.config;
    switch (kind) {
      case 'pods':
        return new Reflector(config, {
          ...common,
          slim: slimPod,
          ...(this.options.nodeName ? { fieldSelector: `spec.nodeName=${this.options.nodeName}` } : {}),
          events: this.storeEvents(this.pods, (pod) => this.indexPod(pod), (pod) => this.unindexPod(pod)),
        });
      case 'services':
        return new Reflector(config, {
          ...common,
          slim: slimService,
          events: this.storeEvents(
            this.services,
            (service) => service.clusterIPs.forEach((ip) => this.byIp.add('services', ip, service)),
            (service) => service.clusterIPs.forEach((ip) => this.byIp.remove('services', ip, service, sameKey)),
          ),
        });
      case 'nodes':
        return new Reflector(config, {
          ...common,
          slim: slimNode,
          events: this.storeEvents(
            this.nodes,
            (node) => node.internalIPs.forEach((ip) => this.byIp.add('nodes', ip, node)),
            (node) => node.internalIPs.forEach((ip) => this.byIp.remove('nodes', ip, node, sameKey)),
          ),
        });
      case 'endpointslices':
        return new Reflector(config, {
          ...common,
          slim: slimEndpointSlice,
          events: this.storeEvents(this.slices, (slice) => this.indexSlice(slice, true), (slice) => this.indexSlice(slice, false)),
        });
      case 'replicasets':
        return new Reflector(config, { ...common, slim: slimOwned, metadataOnly: true, events: this.storeEvents(this.replicaSets) });
      case 'jobs':
        return new Reflector(config, { ...common, slim: slimOwned, metadataOnly: true, events: this.storeEvents(this.jobs) });
      case 'networkpolicies':
        return new Reflector(config, { ...common, slim: slimOwned, metadataOnly: true, events: this.storeEvents(this.policies) });
      case 'adminnetworkpolicies':
        return new Reflector(config, { ...common, slim: slimOwned, metadataOnly: true, events: this.storeEvents(this.adminPolicies) });
      case 'baselineadminnetworkpolicies':
        return new Reflector(config, { ...common, slim: slimOwned, metadataOnly: true, events: this.storeEvents(this.baselinePolicies) });
    }
  }

  /** Store + index maintenance for one kind; `replace` diffs a full list against the store. */
  private storeEvents<T extends { metadata: Meta }>(store: Map<string, T>, index?: (item: T) => void, unindex?: (item: T) => void): ReflectorEvents<T> {
    const upsert = (item: T): void => {
      const key = keyOf(item.metadata);
      const old = store.get(key);
      if (old === item) return;
      this.generation++;
      if (old !== undefined) unindex?.(old);
      store.set(key, item);
      index?.(item);
    };
    const remove = (item: T): void => {
      const key = keyOf(item.metadata);
      const old = store.get(key);
      if (old === undefined) return;
      this.generation++;
      unindex?.(old);
      store.delete(key);
    };
    return {
      upsert,
      remove,
      replace: (items) => {
        const keep = new Set(items.map((item) => keyOf(item.metadata)));
        for (const [key, old] of store) {
          if (!keep.has(key)) remove(old);
        }
        for (const item of items) upsert(item);
      },
    };
  }

  private indexPod(pod: SlimPod): void {
    this.podsByInterface.set(pod.interfaceSuffix, pod);
    if (pod.generateName !== '') {
      const key = `${pod.metadata.namespace ?? ''}/${pod.generateName}`;
      const set = this.podSets.get(key);
      if (set === undefined) this.podSets.set(key, { pod, count: 1 });
      else {
        set.pod = pod;
        set.count++;
      }
    }
    if (pod.hostNetwork) return;
    const host = canonicalIp(pod.hostIP);
    for (const ip of pod.ips) {
      if (ip !== host) this.byIp.add('pods', ip, pod);
    }
  }

  private unindexPod(pod: SlimPod): void {
    if (this.podsByInterface.get(pod.interfaceSuffix) === pod) this.podsByInterface.delete(pod.interfaceSuffix);
    if (pod.generateName !== '') {
      const key = `${pod.metadata.namespace ?? ''}/${pod.generateName}`;
      const set = this.podSets.get(key);
      if (set !== undefined && --set.count === 0) this.podSets.delete(key);
    }
    for (const ip of pod.ips) this.byIp.remove('pods', ip, pod, (a, b) => a === b);
  }

  private indexSlice(slice: SlimEndpointSlice, add: boolean): void {
    if (slice.service === '') return;
    const service = `${slice.metadata.namespace ?? ''}/${slice.service}`;
    const key = keyOf(slice.metadata);
    let keys = this.slicesByService.get(service);
    if (add) {
      if (keys === undefined) this.slicesByService.set(service, (keys = new Set()));
      keys.add(key);
    } else if (keys !== undefined) {
      keys.delete(key);
      if (keys.size === 0) this.slicesByService.delete(service);
    }
    for (const listener of this.sliceListeners) listener(service);
  }

  private store(kind: KubeKind): Map<string, unknown> {
    switch (kind) {
      case 'pods':
        return this.pods;
      case 'services':
        return this.services;
      case 'nodes':
        return this.nodes;
      case 'endpointslices':
        return this.slices;
      case 'replicasets':
        return this.replicaSets;
      case 'jobs':
        return this.jobs;
      case 'networkpolicies':
        return this.policies;
      case 'adminnetworkpolicies':
        return this.adminPolicies;
      case 'baselineadminnetworkpolicies':
        return this.baselinePolicies;
    }
  }

  async start(): Promise<void> {
    for (const reflector of this.reflectors.values()) await reflector.start();
  }

  /** Resolves once every kind it needs has listed once (kinds it may not read are skipped); rejects when `signal` aborts first. */
  async synced(signal?: AbortSignal): Promise<void> {
    const all = Promise.all(this.settled.values()).then(() => undefined);
    if (signal === undefined) return all;
    if (signal.aborted) throw new Error('the Kubernetes cache did not sync in time');
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Error('the Kubernetes cache did not sync in time'));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([all, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  }

  get isSynced(): boolean {
    return [...this.reflectors].every(([kind, reflector]) => reflector.isSynced || this.forbidden.has(kind));
  }

  status(): ComponentStatus {
    const pending = [...this.reflectors].filter(([kind, reflector]) => !reflector.isSynced && !this.forbidden.has(kind)).map(([kind]) => kind);
    const failing = [...this.reflectors].filter(([kind, reflector]) => reflector.lastError !== '' && !this.forbidden.has(kind));
    if (pending.length > 0) {
      const why = failing.map(([kind, reflector]) => `${kind}: ${reflector.lastError}`).join('; ');
      return { ready: false, up: false, reason: `waiting for the first list of ${pending.join(', ')}${why ? ` (${why})` : ''}` };
    }
    if (failing.length > 0) return { ready: true, up: false, reason: `serving the last state: ${failing.map(([kind, r]) => `${kind}: ${r.lastError}`).join('; ')}` };
    return { ready: true, up: true };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.reflectors.values()].map((reflector) => reflector.stop()));
  }

  // ---- lookups --------------------------------------------------------------

  /** Pods holding this IP (host-network pods excluded); running ones first. */
  podsByIP(ip: string): readonly SlimPod[] {
    return runningFirst(this.byIp.get(ip).pods);
  }

  servicesByIP(ip: string): readonly SlimService[] {
    return this.byIp.get(ip).services;
  }

  nodeByIP(ip: string): SlimNode | undefined {
    return this.byIp.get(ip).nodes[0];
  }

  /**
   * What an IP is, in one map read: a pod (running ones first), else a
   * service, else a node, else nothing known. Consumers take the first
   * non-empty kind in that order; the counters count it so.
   */
  resolveIP(ip: string): IpEntry {
    const entry = this.byIp.get(ip);
    if (entry.pods.length > 0) {
      this.lookups.pod++;
      const pods = runningFirst(entry.pods);
      return pods === entry.pods ? entry : { ...entry, pods };
    }
    if (entry.services.length > 0) this.lookups.service++;
    else if (entry.nodes.length > 0) this.lookups.node++;
    else this.lookups.miss++;
    return entry;
  }

  pod(namespace: string, name: string): SlimPod | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  service(namespace: string, name: string): SlimService | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  node(name: string): SlimNode | undefined {
    return this.nodes.get(name);
  }

  /** Every pod in the cache (node-scoped when the cache is). */
  allPods(): IterableIterator<SlimPod> {
    return this.pods.values();
  }

  /** The pod behind a Calico workload interface (any prefix: cali, tap, ...), from its 11-hex-digit suffix. */
  podByInterface(name: string, prefixes: readonly string[] = ['cali']): SlimPod | undefined {
    for (const prefix of prefixes) {
      if (name.startsWith(prefix) && name.length === prefix.length + 11) return this.podsByInterface.get(name.slice(prefix.length));
    }
    return undefined;
  }

  /**
   * A pod of the set Goldmane names `<generateName>*` (its aggregated
   * endpoint name), for the set's workload: siblings share their owners.
   */
  podOfSet(namespace: string, aggregatedName: string): SlimPod | undefined {
    if (!aggregatedName.endsWith('*')) return undefined;
    return this.podSets.get(`${namespace}/${aggregatedName.slice(0, -1)}`)?.pod;
  }

  /** Kubernetes NetworkPolicies (metadata only; empty unless the cache watches networkpolicies). */
  networkPolicies(): IterableIterator<SlimOwned> {
    return this.policies.values();
  }

  /** AdminNetworkPolicies and BaselineAdminNetworkPolicies (metadata only; empty unless watched and served). */
  adminNetworkPolicies(): { admin: IterableIterator<SlimOwned>; baseline: IterableIterator<SlimOwned> } {
    return { admin: this.adminPolicies.values(), baseline: this.baselinePolicies.values() };
  }

  /** The EndpointSlices of a service ("namespace/name"). */
  endpointSlices(service: string): SlimEndpointSlice[] {
    const keys = this.slicesByService.get(service);
    if (keys === undefined) return [];
    return [...keys].map((key) => this.slices.get(key)).filter((slice): slice is SlimEndpointSlice => slice !== undefined);
  }

  /** Called with "namespace/name" whenever a service's EndpointSlices change. */
  onEndpointSlices(listener: (service: string) => void): () => void {
    this.sliceListeners.add(listener);
    return () => this.sliceListeners.delete(listener);
  }

  // ---- owners ---------------------------------------------------------------

  /**
   * The workload a pod belongs to, fully resolved: ReplicaSet -> Deployment,
   * Job -> CronJob, DaemonSet and StatefulSet as they are, a pod without owner
   * is its own workload (kind Pod).
   */
  workload(pod: SlimPod): Workload {
    const owner = pod.owners[0];
    if (owner === undefined) return { kind: 'Pod', name: pod.metadata.name };
    if (owner.kind === 'ReplicaSet') return this.replicaSetOwner(pod, owner).workload;
    if (owner.kind === 'Job') {
      const job = this.jobs.get(`${pod.metadata.namespace ?? ''}/${owner.name}`);
      const parent = job?.owners[0];
      if (parent !== undefined) return { kind: parent.kind, name: parent.name };
    }
    return { kind: owner.kind, name: owner.name };
  }

  /**
   * The workload as goflow2-kube-enricher computed it: the first owner; a
   * ReplicaSet is replaced by its own first owner (a Deployment); anything
   * else (Job included) is reported as it is. With the warnings the seed
   * wrote to its Warn field.
   */
  seedWorkload(pod: SlimPod): SeedWorkload {
    const warnings: string[] = [];
    const name = pod.metadata.name;
    if (pod.owners.length > 1) warnings.push(`Several owners found for pod ${name}: ${pod.owners.map(ownerText).join(',')}`);
    const owner = pod.owners[0];
    if (owner === undefined) return { kind: 'Pod', name, warnings };
    if (owner.kind !== 'ReplicaSet') return { kind: owner.kind, name: owner.name, warnings };
    const resolved = this.replicaSetOwner(pod, owner);
    if (resolved.owners.length > 1) warnings.push(`Several owners found for replica ${owner.name}: ${resolved.owners.map(ownerText).join(',')}`);
    return { ...resolved.workload, warnings };
  }

  private replicaSetOwner(pod: SlimPod, owner: OwnerRef): { workload: Workload; owners: readonly OwnerRef[] } {
    if (this.watchOwners && !this.forbidden.has('replicasets')) {
      const replicaSet = this.replicaSets.get(`${pod.metadata.namespace ?? ''}/${owner.name}`);
      const parent = replicaSet?.owners[0];
      return { workload: parent === undefined ? owner : { kind: parent.kind, name: parent.name }, owners: replicaSet?.owners ?? [] };
    }
    // Not watched: a ReplicaSet named <deployment>-<pod-template-hash> belongs to that Deployment.
    const suffix = `-${pod.templateHash}`;
    if (pod.templateHash !== '' && owner.name.endsWith(suffix) && owner.name.length > suffix.length) {
      return { workload: { kind: 'Deployment', name: owner.name.slice(0, -suffix.length) }, owners: [] };
    }
    return { workload: owner, owners: [] };
  }
}

const ownerText = (owner: OwnerRef): string => `${owner.kind}/${owner.name}`;

/** A finished pod's IP may already be reused: running pods come first. */
function runningFirst(pods: readonly SlimPod[]): readonly SlimPod[] {
  if (pods.length < 2 || !pods.some((pod) => pod.terminated)) return pods;
  return [...pods.filter((pod) => !pod.terminated), ...pods.filter((pod) => pod.terminated)];
}
