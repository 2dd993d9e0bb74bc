import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { Logger } from '../log/logger.js';
import type { AgentIdentity, Component, ComponentStatus } from '../components/component.js';
import { formatAddress, parseListenAddress } from '../config/address.js';
import { kubernetesRequired } from '../config/errors.js';
import { canonicalIp } from '../kube/ip.js';
import type { KubeCache } from '../kube/metadata-cache.js';
import type { Metrics } from '../metrics/pipeline.js';
import type { ProbesConfig } from './config.js';
import { queryTcp, queryUdp, type DnsServer } from './dns-client.js';
import { LagWatch } from './lag-watch.js';
import type { Outcome } from './outcome.js';
import { PeerListener } from './peer-listener.js';
import { ProbeMetrics, type ProbeKind, type TargetLabels } from './probe-metrics.js';
import { ringSuccessors, type RingMember } from './ring.js';
import { probeTcp } from './tcp-probe.js';
import { echoRound } from './udp-echo.js';

// DNS and peer latency probes (net-exporter's job), on their own timer: every
// target is probed once per interval, the starts spread over the interval and
// jittered, so scrapes only read and a second Prometheus doubles nothing.
// Peers are static or discovered from the EndpointSlices of a Service through
// the shared Kubernetes cache (ready endpoints, this agent excluded), of which
// each agent probes its k successors on a hash ring.

const JITTER = 0.1;
/**
 * Starts fall on a 50 ms grid: targets due within the same slot start
 * together, one timer wakeup for them all (a wakeup costs ~0.2 ms of CPU on
 * small nodes), while starts stay spread over the interval.
 */
const SLOT_MS = 50;
const slot = (time: number): number => Math.ceil(time / SLOT_MS) * SLOT_MS;

export interface ProberOptions {
  readonly config: ProbesConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** This agent's node and pod IP (left out of its peers), and server.listen (a bare probes.listen port takes its host). */
  readonly identity: AgentIdentity;
  /** The shared Kubernetes cache (only asked for when a Service is configured). */
  readonly kube: () => Promise<KubeCache | undefined>;
  /** /etc/resolv.conf unless a test says otherwise. */
  readonly resolvConf?: string;
}

interface Target {
  readonly key: string;
  readonly labels: TargetLabels;
  readonly run: () => Promise<void>;
  due: number;
  running: boolean;
}

export interface Peer {
  readonly host: string;
  readonly port: number;
  readonly node: string;
}

export class Prober implements Component {
  readonly name = 'probes';
  private readonly metrics: ProbeMetrics;
  private readonly lag = new LagWatch();
  private readonly targets = new Map<string, Target>();
  private readonly listener: PeerListener;
  private cache: KubeCache | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private dnsProblem: string | undefined;
  private peerProblem: string | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly resolvConfServer: DnsServer | undefined;
  /** The host the peer listener binds ('' = every address). */
  private readonly listenHost: string;

  constructor(private options: ProberOptions) {
    const { config, metrics } = options;
    this.metrics = new ProbeMetrics(metrics);
    const listen = parseListenAddress(config.listen);
    const host = listen.host !== '' ? listen.host : parseListenAddress(options.identity.serverListen).host;
    this.listenHost = host;
    this.listener = new PeerListener(host, listen.port, 'probes.listen', (proto) => this.metrics.echoesAnswered.inc({ proto }));
    this.resolvConfServer = config.dns.server === undefined && config.dns.service === undefined ? firstNameserver(options.resolvConf ?? '/etc/resolv.conf') : undefined;
    metrics.onCollect(() => {
      this.metrics.lag.set(undefined, this.lag.takePeak() / 1_000);
      this.metrics.peers.set(undefined, [...this.targets.values()].filter((target) => target.labels.probe === 'tcp').length);
    });
  }

  /** The bound peer port (tests listen on port 0). */
  get port(): number {
    return this.listener.boundPort;
  }

  async start(): Promise<void> {
    const { config, logger } = this.options;
    await this.listener.start();
    if (config.dns.service !== undefined || config.peers.service !== undefined) {
      this.cache = await this.options.kube();
      // (preflight refuses this configuration without a Kubernetes API)
      if (this.cache === undefined) throw kubernetesRequired(config.peers.service !== undefined ? 'probes.peers.service' : 'probes.dns.service');
    }
    this.setDnsTargets();
    if (config.peers.service !== undefined) {
      const service = config.peers.service;
      this.unsubscribe = this.cache!.onEndpointSlices((changed) => {
        if (changed === service) this.refreshPeers();
      });
      void this.cache!.synced().then(() => this.refreshPeers());
    } else {
      this.refreshPeers();
    }
    this.schedule();
    logger.info({ listen: formatAddress({ host: '', port: this.port }), dnsHosts: config.dns.hosts, interval: config.interval }, 'probes started');
  }

  status(): ComponentStatus {
    const failure = this.listener.failure;
    if (failure !== undefined) return { ready: true, up: false, reason: failure };
    const problems = [this.dnsProblem, this.peerProblem].filter((problem) => problem !== undefined);
    return problems.length > 0 ? { ready: true, up: true, reason: problems.join('; ') } : { ready: true, up: true };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    this.lag.stop();
    await this.listener.stop();
  }

  /**
   * A new probes section, in place when the listener and the way servers and
   * peers are found stay the same: targets added and removed (the series of
   * those that stay keep counting), interval, timeout and lag bound from the
   * next probe on. Otherwise false: the agent restarts the prober.
   */
  reconfigure(section: unknown): boolean {
    const config = section as ProbesConfig;
    const old = this.options.config;
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    if (
      !same(config.listen, old.listen) ||
      !same(config.dns.service, old.dns.service) ||
      (config.dns.server === undefined) !== (old.dns.server === undefined) ||
      !same(config.peers.service, old.peers.service)
    ) {
      return false;
    }
    this.options = { ...this.options, config };
    // UDP echo targets exist only with udpPackets > 0: rebuild the peer targets when that changes.
    this.setDnsTargets();
    this.refreshPeers();
    this.options.logger.info({ dnsHosts: config.dns.hosts, interval: config.interval }, 'probes reconfigured');
    return true;
  }

  // ---- targets ----------------------------------------------------------------

  private setTargets(kinds: ReadonlySet<ProbeKind>, wanted: readonly Omit<Target, 'due' | 'running'>[]): void {
    const keys = new Set(wanted.map((target) => target.key));
    for (const [key, target] of this.targets) {
      if (!kinds.has(target.labels.probe) || keys.has(key)) continue;
      this.targets.delete(key);
      this.metrics.forget(target.labels.probe, target.labels.target);
    }
    const now = performance.now();
    for (const target of wanted) {
      if (this.targets.has(target.key)) continue;
      // A new target starts at a random point of the interval: starts spread, no thundering herd.
      this.targets.set(target.key, { ...target, due: slot(now + Math.random() * this.options.config.interval), running: false });
    }
    this.schedule();
  }

  private setDnsTargets(): void {
    const { dns } = this.options.config;
    const wanted: Omit<Target, 'due' | 'running'>[] = [];
    for (const host of dns.hosts) {
      const kinds: ProbeKind[] = dns.tcp ? ['dns_udp', 'dns_tcp'] : ['dns_udp'];
      for (const probe of kinds) {
        const labels: TargetLabels = { probe, target: host, target_node: '' };
        wanted.push({
          key: `${probe}|${host}`,
          labels,
          run: async () => {
            const server = this.dnsServer();
            if (server === undefined) {
              this.metrics.dnsErrors.inc();
              return;
            }
            const { timeout } = this.options.config;
            const outcome = await (probe === 'dns_udp' ? queryUdp(server, host, timeout) : queryTcp(server, host, timeout));
            await this.record(labels, outcome);
          },
        });
      }
    }
    this.setTargets(new Set(['dns_udp', 'dns_tcp']), wanted);
  }

  private dnsServer(): DnsServer | undefined {
    const { dns } = this.options.config;
    if (dns.server !== undefined) {
      const { host, port } = parseListenAddress(dns.server);
      this.dnsProblem = undefined;
      return { host, port };
    }
    if (dns.service !== undefined) {
      const [namespace, name] = dns.service.split('/') as [string, string];
      const ip = this.cache?.service(namespace, name)?.clusterIPs[0];
      this.dnsProblem = ip === undefined ? `DNS service ${dns.service} not found (or it has no ClusterIP)` : undefined;
      return ip === undefined ? undefined : { host: ip, port: 53 };
    }
    this.dnsProblem = this.resolvConfServer === undefined ? 'no DNS server: set probes.dns.server or probes.dns.service (no nameserver in /etc/resolv.conf)' : undefined;
    return this.resolvConfServer;
  }

  private refreshPeers(): void {
    const { peers } = this.options.config;
    let chosen: Peer[];
    const extra: Peer[] = [];
    if (peers.service !== undefined) {
      const discovered = this.discover(peers.service);
      chosen = discovered.peers;
      if (discovered.clusterIP !== undefined) extra.push({ host: discovered.clusterIP, port: peers.port, node: '' });
    } else {
      chosen = this.staticPeers();
    }
    const wanted: Omit<Target, 'due' | 'running'>[] = [];
    for (const peer of [...chosen, ...extra]) {
      const target = formatAddress({ host: peer.host, port: peer.port });
      const tcp: TargetLabels = { probe: 'tcp', target, target_node: peer.node };
      wanted.push({ key: `tcp|${target}`, labels: tcp, run: async () => this.record(tcp, await probeTcp(peer.host, peer.port, this.options.config.timeout)) });
      // The Service address is probed with TCP only (kube-proxy picks a backend per connection, as net-exporter measured it).
      if (peers.udpPackets > 0 && !extra.includes(peer)) {
        const udp: TargetLabels = { probe: 'udp', target, target_node: peer.node };
        wanted.push({ key: `udp|${target}`, labels: udp, run: async () => this.recordEcho(udp, peer) });
      }
    }
    this.setTargets(new Set(['tcp', 'udp']), wanted);
  }

  private staticPeers(): Peer[] {
    const { identity } = this.options;
    const own = new Set<string>();
    if (identity.podIP) own.add(formatAddress({ host: canonicalIp(identity.podIP) ?? identity.podIP, port: this.port }));
    if (this.listenHost !== '') own.add(formatAddress({ host: canonicalIp(this.listenHost) ?? this.listenHost, port: this.port }));
    const peers: Peer[] = [];
    for (const entry of this.options.config.peers.static) {
      const { host, port } = parseListenAddress(entry);
      const canonical = canonicalIp(host);
      if (canonical === undefined) {
        this.peerProblem = `probes.peers.static: "${entry}" is not an IP address (names are not resolved)`;
        this.metrics.networkErrors.inc();
        continue;
      }
      if (!own.has(formatAddress({ host: canonical, port }))) peers.push({ host: canonical, port, node: '' });
    }
    return peers;
  }

  /** Ready endpoints of the Service, this agent excluded, then its k successors on the ring. */
  private discover(service: string): { peers: Peer[]; clusterIP?: string } {
    const { identity, config } = this.options;
    const cache = this.cache!;
    const [namespace, name] = service.split('/') as [string, string];
    const slices = cache.endpointSlices(service);
    if (slices.length === 0) {
      this.peerProblem = `no EndpointSlices for service ${service} yet`;
      if (cache.isSynced) this.metrics.networkErrors.inc();
    } else this.peerProblem = undefined;
    const self = identity.nodeName ?? identity.podIP ?? hostname();
    const ownIp = identity.podIP ? canonicalIp(identity.podIP) : undefined;
    const members: RingMember<Peer>[] = [];
    const seen = new Set<string>();
    for (const slice of slices) {
      for (const endpoint of slice.endpoints) {
        if (!endpoint.ready) continue;
        for (const address of endpoint.addresses) {
          const ip = canonicalIp(address);
          if (ip === undefined || ip === ownIp || seen.has(ip)) continue;
          seen.add(ip);
          members.push({ key: endpoint.nodeName || endpoint.pod || ip, value: { host: ip, port: config.peers.port, node: endpoint.nodeName } });
        }
      }
    }
    const peers = ringSuccessors(self, members, config.peers.count).map((member) => member.value);
    const clusterIP = cache.service(namespace, name)?.clusterIPs.find((ip) => isIP(ip) !== 0);
    return { peers, ...(clusterIP !== undefined ? { clusterIP } : {}) };
  }

  // ---- running ----------------------------------------------------------------

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    let next = Infinity;
    for (const target of this.targets.values()) if (target.due < next) next = target.due;
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.runDue(), Math.max(0, next - performance.now()));
  }

  private runDue(): void {
    const { interval } = this.options.config;
    const now = performance.now();
    for (const target of this.targets.values()) {
      if (target.due > now) continue;
      // The next start: one interval on, jittered; a late timer does not make later starts bunch up.
      target.due = slot(Math.max(target.due + interval * (1 + (Math.random() * 2 - 1) * JITTER), now + interval * (1 - JITTER)));
      if (target.running) continue; // still waiting on the last one (at most the timeout, which is at most the interval)
      target.running = true;
      this.lag.hold();
      target
        .run()
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error, target: target.key }, 'probe failed unexpectedly');
          if (target.labels.probe.startsWith('dns')) this.metrics.dnsErrors.inc();
          else this.metrics.networkErrors.inc();
        })
        .finally(() => {
          target.running = false;
          this.lag.release();
        });
    }
    this.schedule();
  }

  /** Records an outcome unless the event loop lagged beyond the bound while it was taken. */
  private async record(labels: TargetLabels, outcome: Outcome): Promise<void> {
    if (await this.lagged(labels.probe, outcome.started)) return;
    // A target removed while its probe was in flight (a reload, a peer that left) leaves no series behind.
    if (!this.targets.has(`${labels.probe}|${labels.target}`)) return;
    if (outcome.ok) this.metrics.success(labels, outcome.seconds);
    else this.metrics.failure(labels, outcome.reason);
  }

  private async recordEcho(labels: TargetLabels, peer: Peer): Promise<void> {
    const { timeout, peers } = this.options.config;
    const round = await echoRound(peer.host, peer.port, peers.udpPackets, Math.min(timeout, 2_000));
    if (await this.lagged('udp', round.started)) return;
    if (!this.targets.has(`udp|${labels.target}`)) return;
    this.metrics.echo(labels, round.sent, round.rtts, round.reason ?? 'timeout');
  }

  private async lagged(probe: ProbeKind, started: number): Promise<boolean> {
    // The tick after the end has seen any block that delayed the end's callback.
    await this.lag.nextTick();
    if (this.lag.maxLagSince(started) <= this.options.config.maxEventLoopLag) return false;
    this.metrics.discarded.inc({ probe });
    return true;
  }
}

/** The first `nameserver` of a resolv.conf, or undefined. */
export function firstNameserver(path: string): DnsServer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    const ip = match ? canonicalIp(match[1]!.replace(/%.*$/, '')) : undefined;
    if (ip !== undefined) return { host: ip, port: 53 };
  }
  return undefined;
}
