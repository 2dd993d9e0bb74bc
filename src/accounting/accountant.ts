import type { Logger } from '../log/logger.js';
import type { Component, ComponentStatus } from '../components/component.js';
import { kubernetesRequired } from '../config/errors.js';
import type { KubeCache } from '../kube/metadata-cache.js';
import type { SlimPod } from '../kube/objects.js';
import type { Metrics } from '../metrics/pipeline.js';
import type { CounterFamily, GaugeFamily } from '../metrics/series-budget.js';
import { Apportioner } from './apportion.js';
import { classify, type Classified, type EndpointCounts } from './classify.js';
import type { AccountingConfig } from './config.js';
import { CommandError, detectBackend, dump, FAMILIES, type Detected, type DumpOptions, type Family } from './dump.js';
import { APPORTIONED, BACKEND, DATAPLANE_DROPS, DROPPED_SCRAPES, ERRORS, NO_POLICY_DROP, POLICY_ACCEPT, POLICY_ACCEPT_DROP, POLICY_BYTES, POLICY_PACKETS, SCRAPE_DURATION, SCRAPE_SUCCESS, SKIPPED_LINES, UNKNOWN_INTERFACES } from './metrics.js';
import { adminChains, knpChains } from './policy-hash.js';

// Calico policy accounting (calico-accountant's job, for Calico 3.26-3.32 and
// every backend): at each scrape, one dump of Felix's rules per address
// family (single-flight for concurrent scrapes), classified per endpoint
// chain (classify.ts), workloads named from the Kubernetes cache by their
// Calico interface name. A family whose dump fails keeps its last values, so
// no counter goes backwards; only a counter that really decreased (Felix
// rewrote its rules) resets. The seed's families keep their labels (plus
// calico-accountant's later pod_namespace); the flowlens families add
// namespace, workload, interface, endpoint type, tier, verdict and bytes.

const REDETECT_MS = 5 * 60_000;
/** While no Calico chains were found (Felix not yet started, say), look again sooner. */
const REDETECT_NONE_MS = 60_000;
const SKIP_LOG_MS = 60_000;

export interface AccountantOptions {
  readonly config: AccountingConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly kube: () => Promise<KubeCache | undefined>;
  /** kubernetes.nodeName, when accounting.nodeName is not set. */
  readonly nodeName?: string | undefined;
  /** Tests: whether the legacy iptables tables of a family are loaded. */
  readonly legacyLoaded?: (family: Family) => boolean;
}

interface Sample {
  readonly labels: Record<string, string>;
  packets: bigint;
  bytes: bigint;
}

interface FamilyState {
  /** The last classification read; kept while the family's dump fails. */
  classified: Classified | undefined;
  /** The current failure, logged once per change. */
  error: string | undefined;
  readonly apportioner: Apportioner;
}

const EMPTY: Classified = { endpoints: [], nodeDrops: [], unbalanced: 0, apportioned: 0 };

export class Accountant implements Component {
  readonly name = 'accounting';
  private cache: KubeCache | undefined;
  private backend: { backend: Detected; why: string; at: number } | undefined;
  private inflight: Promise<void> | undefined;
  private readonly families = new Map<Family, FamilyState>(FAMILIES.map((family) => [family, { classified: undefined, error: undefined, apportioner: new Apportioner() }]));
  private readonly dumpOptions: DumpOptions;
  private readonly nodeName: string | undefined;
  private lastSkipLog = 0;

  private readonly accept: CounterFamily;
  private readonly acceptDrop: CounterFamily;
  private readonly drop: CounterFamily;
  private readonly droppedScrapes: CounterFamily;
  private readonly packets: CounterFamily;
  private readonly bytes: CounterFamily;
  private readonly dataplane: CounterFamily;
  private readonly duration: GaugeFamily;
  private readonly success: GaugeFamily;
  private readonly backendGauge: GaugeFamily;
  private readonly unknown: GaugeFamily;
  private readonly apportionedGauge: GaugeFamily;
  private readonly errors: CounterFamily;
  private readonly skipped: CounterFamily;

  constructor(private readonly options: AccountantOptions) {
    const { metrics, config } = options;
    this.nodeName = config.nodeName ?? options.nodeName;
    this.dumpOptions = { timeoutMs: config.timeout, netns: config.netns, dumpFile: config.dumpFile, legacyLoaded: options.legacyLoaded };
    this.accept = metrics.counter(POLICY_ACCEPT);
    this.acceptDrop = metrics.counter(POLICY_ACCEPT_DROP);
    this.drop = metrics.counter(NO_POLICY_DROP);
    this.droppedScrapes = metrics.counter(DROPPED_SCRAPES);
    this.packets = metrics.counter(POLICY_PACKETS);
    this.bytes = metrics.counter(POLICY_BYTES);
    this.dataplane = metrics.counter(DATAPLANE_DROPS);
    this.duration = metrics.gauge(SCRAPE_DURATION);
    this.success = metrics.gauge(SCRAPE_SUCCESS);
    this.backendGauge = metrics.gauge(BACKEND);
    this.unknown = metrics.gauge(UNKNOWN_INTERFACES);
    this.apportionedGauge = metrics.gauge(APPORTIONED);
    this.errors = metrics.counter(ERRORS);
    this.skipped = metrics.counter(SKIPPED_LINES);
    this.droppedScrapes.inc(undefined, 0);
    metrics.onCollect(() => this.collect());
  }

  async start(): Promise<void> {
    this.cache = await this.options.kube();
    // (preflight refuses accounting without a Kubernetes API)
    if (this.cache === undefined) throw kubernetesRequired('accounting');
    if (this.options.config.backend === 'auto') await this.detect();
    this.options.logger.info({ backend: this.currentBackend(), node: this.nodeName }, 'policy accounting ready');
  }

  status(): ComponentStatus {
    const errors = [...this.families].filter(([, state]) => state.error !== undefined).map(([family, state]) => `${family}: ${state.error}`);
    if (errors.length > 0) return { ready: true, up: false, reason: `ruleset dump failed (last values kept): ${errors.join('; ')}` };
    const backend = this.currentBackend();
    if (backend === 'none' || backend === 'ebpf') return { ready: true, up: true, reason: this.backend?.why ?? `backend ${backend}` };
    return { ready: true, up: true };
  }

  async stop(): Promise<void> {
    await this.inflight?.catch(() => {});
  }

  private currentBackend(): Detected {
    const configured = this.options.config.backend;
    return configured === 'auto' ? (this.backend?.backend ?? 'none') : configured;
  }

  private async detect(): Promise<void> {
    const found = await detectBackend(this.dumpOptions);
    if (found.backend !== this.backend?.backend) this.options.logger.info(found, 'ruleset backend detected');
    this.backend = { ...found, at: Date.now() };
  }

  /** One dump per scrape; concurrent scrapes share it. */
  private collect(): Promise<void> {
    if (this.cache === undefined) return Promise.resolve(); // scraped before start() finished
    this.inflight ??= this.scrape().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async scrape(): Promise<void> {
    const started = performance.now();
    const { config, logger } = this.options;
    const stale = (found: { backend: Detected; at: number }): boolean => Date.now() - found.at > (found.backend === 'none' ? REDETECT_NONE_MS : REDETECT_MS);
    if (config.backend === 'auto' && (this.backend === undefined || stale(this.backend))) await this.detect();
    const backend = this.currentBackend();
    this.backendGauge.removeWhere(() => true);
    this.backendGauge.set({ backend }, 1);
    if (backend === 'none' || backend === 'ebpf') {
      for (const state of this.families.values()) Object.assign(state, { classified: undefined, error: undefined });
      this.publish();
      this.success.set(undefined, 1);
      this.duration.set(undefined, (performance.now() - started) / 1_000);
      return;
    }
    const dumps = await dump(backend, this.dumpOptions);
    let failed = false;
    for (const family of FAMILIES) {
      const state = this.families.get(family)!;
      const result = dumps[family];
      if (result instanceof CommandError) {
        failed = true;
        this.errors.inc({ family, reason: result.reason });
        if (state.error !== result.message) logger.warn({ err: result.message, family, backend, reason: result.reason }, 'ruleset dump failed: keeping this family\'s last values');
        state.error = result.message;
        continue;
      }
      if (state.error !== undefined) logger.info({ family, backend }, 'ruleset dump read again');
      state.error = undefined;
      if (result === 'absent') {
        state.classified = EMPTY;
        continue;
      }
      for (const [reason, count] of result.skipped) this.skipped.inc({ reason }, count);
      state.classified = classify(result.ruleset, { hashedName: (chain, cut) => this.hashedName(chain, cut), apportioner: state.apportioner, damaged: result.damaged });
      if (result.skipped.size > 0 && Date.now() - this.lastSkipLog > SKIP_LOG_MS) {
        this.lastSkipLog = Date.now();
        const unbalanced = state.classified.unbalanced;
        logger.warn({ family, skipped: Object.fromEntries(result.skipped), damagedChains: [...result.damaged].slice(0, 10), unbalancedEndpointChains: unbalanced, examples: result.samples }, 'ruleset lines could not be read: skipped (endpoint chains that lost a rule keep their direct counts only)');
      }
    }
    if (failed && config.backend === 'auto') this.backend = undefined; // look again next time
    this.publish();
    this.success.set(undefined, failed ? 0 : 1);
    this.duration.set(undefined, (performance.now() - started) / 1_000);
  }

  private policyNames: { generation: number; chains: Map<string, string>; names: string[] } | undefined;

  /** A hashed policy chain without a readable comment: the (Admin)NetworkPolicy whose name hashes to it, or the one a cut comment begins. */
  private hashedName(chain: string, cut: string | undefined): string | undefined {
    const cache = this.cache!;
    if (this.policyNames?.generation !== cache.generation) {
      const chains = new Map<string, string>();
      const names: string[] = [];
      const add = (candidates: Map<string, string>): void => {
        for (const [name, seed] of candidates) chains.set(name, seed);
        names.push(...new Set(candidates.values()));
      };
      for (const policy of cache.networkPolicies()) add(knpChains(policy.metadata.namespace ?? '', policy.metadata.name));
      const { admin, baseline } = cache.adminNetworkPolicies();
      for (const policy of admin) add(adminChains('admin', policy.metadata.name));
      for (const policy of baseline) add(adminChains('baseline', policy.metadata.name));
      this.policyNames = { generation: cache.generation, chains, names };
    }
    const hashed = this.policyNames.chains.get(chain);
    if (hashed !== undefined || cut === undefined) return hashed;
    // A comment cut short names the start of the policy's name: the one known policy it can be.
    const candidates = this.policyNames.names.filter((name) => name.startsWith(cut));
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  /** Rebuilds every sample from the families' latest classifications: label sets merged (summed), never duplicated. */
  private publish(): void {
    const seedAccept = new Map<string, Sample>();
    const seedAcceptDrop = new Map<string, Sample>();
    const seedDrop = new Map<string, Sample>();
    const detail = new Map<string, Sample>();
    const drops = new Map<string, Sample>();
    const unknown = new Set<string>();
    let apportioned = 0;
    const pods = new Map<string, SlimPod | undefined>();
    const podOf = (iface: string): SlimPod | undefined => {
      if (!pods.has(iface)) {
        const pod = this.cache!.podByInterface(iface, this.options.config.interfacePrefixes);
        pods.set(iface, pod === undefined || (this.nodeName !== undefined && pod.nodeName !== this.nodeName) ? undefined : pod);
      }
      return pods.get(iface);
    };
    for (const state of this.families.values()) {
      const classified = state.classified ?? EMPTY;
      apportioned += classified.apportioned;
      for (const drop of classified.nodeDrops) merge(drops, { reason: drop.reason, direction: drop.direction, namespace: '', pod: '', interface: '' }, drop.packets, drop.bytes);
      for (const endpoint of classified.endpoints) {
        const who = this.endpointLabels(endpoint, podOf);
        if (who === undefined) {
          unknown.add(endpoint.iface);
          continue;
        }
        for (const [reason, tally] of endpoint.drops) merge(drops, { reason, direction: endpoint.direction, namespace: who.base.namespace!, pod: who.base.pod!, interface: endpoint.iface }, tally.packets, tally.bytes);
        for (const count of endpoint.verdicts.values()) {
          merge(detail, { ...who.base, policy: count.policy, tier: count.tier, verdict: count.verdict }, count.packets, count.bytes);
          if (who.seed === undefined) continue;
          if (count.verdict === 'allow') merge(seedAccept, { ...who.seed, policy: count.policy }, count.packets, count.bytes);
          if (count.verdict === 'deny') merge(seedAcceptDrop, { ...who.seed, policy: count.policy }, count.packets, count.bytes);
        }
        if (endpoint.noPolicy !== undefined) {
          for (const [tier, tally] of endpoint.noPolicy) {
            merge(detail, { ...who.base, policy: '', tier, verdict: 'deny' }, tally.packets, tally.bytes);
            if (who.seed !== undefined) merge(seedDrop, who.seed, tally.packets, tally.bytes);
          }
        }
      }
    }
    this.unknown.set(undefined, unknown.size);
    this.apportionedGauge.set(undefined, apportioned);
    for (const family of [this.accept, this.acceptDrop, this.drop, this.packets, this.bytes, this.dataplane]) family.removeWhere(() => true);
    for (const sample of detail.values()) {
      this.packets.setTotal(sample.labels, Number(sample.packets));
      this.bytes.setTotal(sample.labels, Number(sample.bytes));
    }
    for (const sample of drops.values()) this.dataplane.setTotal(sample.labels, Number(sample.packets));
    if (this.currentBackend() === 'none' || this.currentBackend() === 'ebpf') return;
    // MINIMUM_COUNTER, as calico-accountant applied it: unless one sample reaches it, the seed's
    // families are left out of this scrape (also when there is no sample at all).
    const minimum = BigInt(this.options.config.minimumCounter);
    const seeds = [...seedAccept.values(), ...seedAcceptDrop.values(), ...seedDrop.values()];
    if (!seeds.some((sample) => sample.packets >= minimum)) {
      this.droppedScrapes.inc();
      this.options.logger.warn({ minimumCounter: this.options.config.minimumCounter, samples: seeds.length }, 'no policy counter reached MINIMUM_COUNTER: scrape dropped');
      return;
    }
    for (const sample of seedAccept.values()) this.accept.setTotal(sample.labels, Number(sample.packets));
    for (const sample of seedAcceptDrop.values()) this.acceptDrop.setTotal(sample.labels, Number(sample.packets));
    for (const sample of seedDrop.values()) this.drop.setTotal(sample.labels, Number(sample.packets));
  }

  /** An endpoint's labels: the flowlens families' base, and the seed's (workloads only); undefined for an unknown workload interface. */
  private endpointLabels(endpoint: EndpointCounts, podOf: (iface: string) => SlimPod | undefined): { base: Record<string, string>; seed?: Record<string, string> } | undefined {
    if (endpoint.type === 'host') {
      return { base: { namespace: '', pod: '', workload: '', interface: endpoint.iface, endpoint_type: 'host', direction: endpoint.direction } };
    }
    const pod = podOf(endpoint.iface);
    if (pod === undefined) return undefined;
    const namespace = pod.metadata.namespace ?? '';
    const workload = this.cache!.workload(pod);
    return {
      base: { namespace, pod: pod.metadata.name, workload: `${workload.kind}/${workload.name}`, interface: endpoint.iface, endpoint_type: 'workload', direction: endpoint.direction },
      seed: { pod: pod.metadata.name, pod_namespace: namespace, app: pod.app, ip: [...pod.ips].sort().join(','), type: endpoint.chain },
    };
  }
}

function merge(into: Map<string, Sample>, labels: Record<string, string>, packets: bigint, bytes: bigint): void {
  const key = JSON.stringify(labels);
  const sample = into.get(key);
  if (sample === undefined) into.set(key, { labels, packets, bytes });
  else {
    sample.packets += packets;
    sample.bytes += bytes;
  }
}
