import type { MetricsPipeline } from '../metrics/pipeline.js';
import type { CounterFamily, GaugeFamily, HistogramFamily } from '../metrics/series-budget.js';
import type { FailureReason } from './outcome.js';

// The probes' metric families: net-exporter's, with its names, labels and
// buckets (docs/contracts.md section 4), and flowlens' own beside them. Probe series
// do not expire by time: a target's series are removed when it stops being a
// target (a peer left the ring).

export type ProbeKind = 'dns_udp' | 'dns_tcp' | 'tcp' | 'udp';

export interface TargetLabels {
  readonly [label: string]: string;
  readonly probe: ProbeKind;
  /** DNS: the name queried; peers: ip:port. */
  readonly target: string;
  /** The peer's node, '' when unknown (static peers, DNS). */
  readonly target_node: string;
}

const exponential = (start: number, factor: number, count: number): number[] => Array.from({ length: count }, (_, i) => start * factor ** i);

/** net-exporter's DNS buckets: 1 ms doubling, 15 buckets (to 16.384 s). */
export const SEED_DNS_BUCKETS = exponential(0.001, 2, 15);
/** net-exporter's network buckets: 1, 2, 4, 8, 16 ms. */
export const SEED_NETWORK_BUCKETS = exponential(0.001, 2, 5);
/** flowlens' probe buckets: 0.25 ms doubling to 8.192 s (16 buckets). */
export const PROBE_BUCKETS = exponential(0.00025, 2, 16);

export class ProbeMetrics {
  private readonly dnsUdp: HistogramFamily;
  private readonly dnsTcp: HistogramFamily;
  private readonly dnsResolveErrors: CounterFamily;
  readonly dnsErrors: CounterFamily;
  private readonly networkLatency: HistogramFamily;
  private readonly dialErrors: CounterFamily;
  readonly networkErrors: CounterFamily;
  private readonly duration: HistogramFamily;
  private readonly latency: HistogramFamily;
  private readonly attempts: CounterFamily;
  private readonly errors: CounterFamily;
  private readonly loss: GaugeFamily;
  readonly discarded: CounterFamily;
  readonly lag: GaugeFamily;
  readonly peers: GaugeFamily;
  readonly echoesAnswered: CounterFamily;

  constructor(metrics: MetricsPipeline) {
    const self = { expires: false } as const;
    this.dnsUdp = metrics.histogram({ name: 'dns_udp_latency_seconds', help: 'Latency of successful DNS queries over UDP (net-exporter).', labelNames: ['host'], buckets: SEED_DNS_BUCKETS, ...self });
    this.dnsTcp = metrics.histogram({ name: 'dns_tcp_latency_seconds', help: 'Latency of successful DNS queries over TCP (net-exporter).', labelNames: ['host'], buckets: SEED_DNS_BUCKETS, ...self });
    this.dnsResolveErrors = metrics.counter({ name: 'dns_resolve_error_total', help: 'Failed DNS queries (net-exporter).', labelNames: ['proto', 'host'], ...self });
    this.dnsErrors = metrics.counter({ name: 'dns_error_total', help: 'Internal errors of the DNS probe, e.g. no DNS server known (net-exporter).', ...self });
    this.networkLatency = metrics.histogram({ name: 'network_latency_seconds', help: 'TCP connect latency to peers (net-exporter; buckets stop at 16 ms, see flowlens_probe_duration_seconds).', labelNames: ['host'], buckets: SEED_NETWORK_BUCKETS, ...self });
    this.dialErrors = metrics.counter({ name: 'network_dial_error_total', help: 'Failed TCP connects to peers, every one of them (net-exporter).', labelNames: ['host'], ...self });
    this.networkErrors = metrics.counter({ name: 'network_error_total', help: 'Internal errors of the peer probe, e.g. peer discovery failing (net-exporter).', ...self });
    this.duration = metrics.histogram({ name: 'flowlens_probe_duration_seconds', help: 'Latency of successful probes by target (DNS query, TCP connect, UDP echo round trip).', labelNames: ['probe', 'target', 'target_node'], buckets: PROBE_BUCKETS, ...self });
    this.latency = metrics.histogram({ name: 'flowlens_probe_latency_seconds', help: 'Latency of successful probes of this agent, all targets together (no target labels: O(agents) series cluster-wide).', labelNames: ['probe'], buckets: PROBE_BUCKETS, ...self });
    this.attempts = metrics.counter({ name: 'flowlens_probe_attempts_total', help: 'Probes made, by target (UDP echo: packets sent).', labelNames: ['probe', 'target', 'target_node'], ...self });
    this.errors = metrics.counter({ name: 'flowlens_probe_errors_total', help: 'Failed probes by target and reason (refused, timeout, unreachable, reset, nxdomain, servfail, truncated, no_answer, malformed, error).', labelNames: ['probe', 'target', 'target_node', 'reason'], ...self });
    this.loss = metrics.gauge({ name: 'flowlens_probe_udp_loss_ratio', help: 'Share of the last UDP echo round lost (0-1), by peer.', labelNames: ['target', 'target_node'], ...self });
    this.discarded = metrics.counter({ name: 'flowlens_probe_samples_discarded_total', help: 'Probe results not recorded because the event loop lagged beyond probes.maxEventLoopLag while they were taken.', labelNames: ['probe'], ...self });
    this.lag = metrics.gauge({ name: 'flowlens_probe_event_loop_lag_seconds', help: 'Largest event-loop lag the prober saw while probes were in flight, since the previous scrape.', ...self });
    this.peers = metrics.gauge({ name: 'flowlens_probe_peers', help: 'Peer addresses this agent probes.', ...self });
    this.echoesAnswered = metrics.counter({ name: 'flowlens_probe_incoming_total', help: 'Probes answered for peers, by protocol (tcp: connections accepted; udp: echo packets).', labelNames: ['proto'], ...self });
    for (const family of [this.dnsErrors, this.networkErrors]) family.inc(undefined, 0);
  }

  success(labels: TargetLabels, seconds: number): void {
    this.attempts.inc(labels);
    this.duration.observe(labels, seconds);
    this.latency.observe({ probe: labels.probe }, seconds);
    switch (labels.probe) {
      case 'dns_udp':
        this.dnsUdp.observe({ host: labels.target }, seconds);
        break;
      case 'dns_tcp':
        this.dnsTcp.observe({ host: labels.target }, seconds);
        break;
      case 'tcp':
        this.networkLatency.observe({ host: labels.target }, seconds);
        break;
      case 'udp':
        break;
    }
  }

  failure(labels: TargetLabels, reason: FailureReason, count = 1): void {
    this.attempts.inc(labels, count);
    this.errors.inc({ ...labels, reason }, count);
    switch (labels.probe) {
      case 'dns_udp':
        this.dnsResolveErrors.inc({ proto: 'udp', host: labels.target }, count);
        break;
      case 'dns_tcp':
        this.dnsResolveErrors.inc({ proto: 'tcp', host: labels.target }, count);
        break;
      case 'tcp':
        this.dialErrors.inc({ host: labels.target }, count);
        break;
      case 'udp':
        break;
    }
  }

  /** One UDP echo round: every returned packet's RTT, the lost ones counted as timeouts. */
  echo(labels: TargetLabels, sent: number, rtts: readonly number[], reason: FailureReason): void {
    for (const rtt of rtts) this.success(labels, rtt);
    if (sent > rtts.length) this.failure(labels, reason, sent - rtts.length);
    this.loss.set({ target: labels.target, target_node: labels.target_node }, sent === 0 ? 0 : (sent - rtts.length) / sent);
  }

  /** Removes every series of a target that is no longer probed. */
  forget(probe: ProbeKind, target: string): void {
    const match = (labels: Readonly<Record<string, string>>): boolean => labels.probe === probe && labels.target === target;
    for (const family of [this.duration, this.attempts, this.errors]) family.removeWhere(match);
    if (probe === 'udp') this.loss.removeWhere((labels) => labels.target === target);
    if (probe === 'tcp') {
      this.networkLatency.removeWhere((labels) => labels.host === target);
      this.dialErrors.removeWhere((labels) => labels.host === target);
    }
  }
}
