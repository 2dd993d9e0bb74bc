import type { Logger } from '../log/logger.js';
import type { Component, ComponentStatus } from '../components/component.js';
import { kubernetesRequired } from '../config/errors.js';
import type { KubeCache } from '../kube/metadata-cache.js';
import type { Metrics } from '../metrics/pipeline.js';
import type { CounterFamily, GaugeFamily } from '../metrics/series-budget.js';
import { classify, type EndpointCounts } from './classify.js';
import type { AccountingConfig, Backend } from './config.js';
import { CommandError, detectBackend, dump, type DumpOptions } from './dump.js';
import { knpChains } from './policy-hash.js';
import { BACKEND, DROPPED_SCRAPES, ERRORS, NO_POLICY_DROP, POLICY_ACCEPT, POLICY_BYTES, POLICY_PACKETS, SCRAPE_DURATION, SCRAPE_SUCCESS, UNKNOWN_INTERFACES } from './metrics.js';

// Calico policy accounting (calico-accountant's job, for Calico 3.26-3.32 and
// every backend): at each scrape, one dump of Felix's rules (both address
// families, single-flight for concurrent scrapes), classified per workload
// endpoint, workloads named from the Kubernetes cache by their Calico
// interface name. The seed's families keep their labels and values; the
// flowlens families add namespace, workload, tier and bytes.

const REDETECT_MS = 5 * 60_000;
/** While no Calico chains were found (Felix not yet started, say), look again sooner. */
const REDETECT_NONE_MS = 60_000;

export interface AccountantOptions {
  readonly config: AccountingConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly kube: () => Promise<KubeCache | undefined>;
  /** kubernetes.nodeName, when accounting.nodeName is not set. */
  readonly nodeName?: string | undefined;
  /** Tests: whether the legacy iptables modules are loaded. */
  readonly legacyModulesLoaded?: () => boolean;
}

interface Sample {
  readonly labels: Record<string, string>;
  packets: bigint;
  bytes: bigint;
}

export class Accountant implements Component {
  readonly name = 'accounting';
  private cache: KubeCache | undefined;
  private backend: { backend: Backend; why: string; at: number } | undefined;
  private inflight: Promise<void> | undefined;
  private lastError: string | undefined;
  private scrapes = 0;
  private readonly dumpOptions: DumpOptions;
  private readonly nodeName: string | undefined;

  private readonly accept: CounterFamily;
  private readonly drop: CounterFamily;
  private readonly droppedScrapes: CounterFamily;
  private readonly packets: CounterFamily;
  private readonly bytes: CounterFamily;
  private readonly duration: GaugeFamily;
  private readonly success: GaugeFamily;
  private readonly backendGauge: GaugeFamily;
  private readonly unknown: GaugeFamily;
  private readonly errors: CounterFamily;

  constructor(private readonly options: AccountantOptions) {
    const { metrics, config } = options;
    this.nodeName = config.nodeName ?? options.nodeName;
    this.dumpOptions = { timeoutMs: config.timeout, netns: config.netns, dumpFile: config.dumpFile };
    this.accept = metrics.counter(POLICY_ACCEPT);
    this.drop = metrics.counter(NO_POLICY_DROP);
    this.droppedScrapes = metrics.counter(DROPPED_SCRAPES);
    this.packets = metrics.counter(POLICY_PACKETS);
    this.bytes = metrics.counter(POLICY_BYTES);
    this.duration = metrics.gauge(SCRAPE_DURATION);
    this.success = metrics.gauge(SCRAPE_SUCCESS);
    this.backendGauge = metrics.gauge(BACKEND);
    this.unknown = metrics.gauge(UNKNOWN_INTERFACES);
    this.errors = metrics.counter(ERRORS);
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
    if (this.lastError !== undefined) return { ready: true, up: false, reason: this.lastError };
    if (this.currentBackend() === 'none') return { ready: true, up: true, reason: this.backend?.why ?? 'backend none' };
    return { ready: true, up: true };
  }

  async stop(): Promise<void> {
    await this.inflight?.catch(() => {});
  }

  private currentBackend(): Backend {
    const configured = this.options.config.backend;
    return configured === 'auto' ? (this.backend?.backend ?? 'none') : configured;
  }

  private async detect(): Promise<void> {
    const found = await detectBackend(this.dumpOptions, this.options.legacyModulesLoaded);
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
    const { config } = this.options;
    const stale = (found: { backend: Backend; at: number }): boolean => Date.now() - found.at > (found.backend === 'none' ? REDETECT_NONE_MS : REDETECT_MS);
    if (config.backend === 'auto' && (this.backend === undefined || stale(this.backend))) await this.detect();
    const backend = this.currentBackend();
    this.backendGauge.removeWhere(() => true);
    this.backendGauge.set({ backend }, 1);
    if (backend === 'none') {
      this.clearSamples();
      this.success.set(undefined, 1);
      this.duration.set(undefined, (performance.now() - started) / 1_000);
      return;
    }
    let endpoints: EndpointCounts[];
    try {
      const rules = await dump(backend, this.dumpOptions);
      const hashed = (chain: string): string | undefined => this.hashedName(chain);
      endpoints = [...classify(rules.v4, hashed), ...classify(rules.v6, hashed)];
      this.lastError = undefined;
    } catch (error) {
      const reason = error instanceof CommandError ? error.reason : 'failed';
      this.errors.inc({ reason });
      this.lastError = `ruleset dump failed: ${(error as Error).message}`;
      this.options.logger.warn({ err: (error as Error).message, backend }, 'ruleset dump failed');
      this.success.set(undefined, 0);
      this.clearSamples();
      if (config.backend === 'auto') this.backend = undefined; // look again next time
      return;
    }
    this.publish(endpoints);
    this.scrapes++;
    this.success.set(undefined, 1);
    this.duration.set(undefined, (performance.now() - started) / 1_000);
  }

  private knpChains: { generation: number; chains: Map<string, string> } | undefined;

  /** A hashed policy chain without a comment: the Kubernetes NetworkPolicy whose name hashes to it, if any. */
  private hashedName(chain: string): string | undefined {
    const cache = this.cache!;
    if (this.knpChains?.generation !== cache.generation) {
      const chains = new Map<string, string>();
      for (const policy of cache.networkPolicies()) {
        for (const [name, seed] of knpChains(policy.metadata.namespace ?? '', policy.metadata.name)) chains.set(name, seed);
      }
      this.knpChains = { generation: cache.generation, chains };
    }
    return this.knpChains.chains.get(chain);
  }

  private clearSamples(): void {
    for (const family of [this.accept, this.drop, this.packets, this.bytes]) family.removeWhere(() => true);
  }

  /** Rebuilds every sample from this dump: label sets merged (summed), never duplicated. */
  private publish(endpoints: readonly EndpointCounts[]): void {
    const seedAccept = new Map<string, Sample>();
    const seedDrop = new Map<string, Sample>();
    const detail = new Map<string, Sample>();
    let unknown = 0;
    for (const endpoint of endpoints) {
      const pod = this.cache!.podByInterface(endpoint.iface, this.options.config.interfacePrefixes);
      if (pod === undefined || (this.nodeName !== undefined && pod.nodeName !== this.nodeName)) {
        unknown++;
        continue;
      }
      const seed = { pod: pod.metadata.name, app: pod.app, ip: [...pod.ips].sort().join(','), type: endpoint.direction };
      const workload = this.cache!.workload(pod);
      const base = { namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name, workload: `${workload.kind}/${workload.name}`, direction: endpoint.direction === 'tw' ? 'ingress' : 'egress' };
      for (const accept of endpoint.accepts.values()) {
        merge(seedAccept, { ...seed, policy: accept.policy }, accept.packets, accept.bytes);
        merge(detail, { ...base, policy: accept.policy, tier: accept.tier, verdict: 'allow' }, accept.packets, accept.bytes);
      }
      if (endpoint.drops !== undefined) {
        merge(seedDrop, seed, endpoint.drops.packets, endpoint.drops.bytes);
        for (const [tier, tally] of endpoint.drops.tiers) merge(detail, { ...base, policy: '', tier, verdict: 'deny' }, tally.packets, tally.bytes);
      }
    }
    this.unknown.set(undefined, unknown);
    this.clearSamples();
    for (const sample of detail.values()) {
      this.packets.setTotal(sample.labels, Number(sample.packets));
      this.bytes.setTotal(sample.labels, Number(sample.bytes));
    }
    // MINIMUM_COUNTER, as calico-accountant applied it: unless one sample reaches it, the seed's
    // families are left out of this scrape (also when there is no sample at all).
    const minimum = BigInt(this.options.config.minimumCounter);
    const reaches = [...seedAccept.values(), ...seedDrop.values()].some((sample) => sample.packets >= minimum);
    if (!reaches) {
      this.droppedScrapes.inc();
      this.options.logger.warn({ minimumCounter: this.options.config.minimumCounter, samples: seedAccept.size + seedDrop.size }, 'no policy counter reached MINIMUM_COUNTER: scrape dropped');
      return;
    }
    for (const sample of seedAccept.values()) this.accept.setTotal(sample.labels, Number(sample.packets));
    for (const sample of seedDrop.values()) this.drop.setTotal(sample.labels, Number(sample.packets));
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
