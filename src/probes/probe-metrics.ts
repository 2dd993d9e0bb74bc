import type { Metrics } from '../metrics/pipeline.js';
import type { CounterFamily, GaugeFamily, HistogramFamily } from '../metrics/series-budget.js';
import type { CounterSpec, FamilySpec, GaugeSpec, HistogramSpec } from '../metrics/spec.js';
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

const HOSTS = 'per DNS name probed (probes.dns.hosts)';
const PEER_HOST = 'per peer probed';
const TARGET = {
  probe: 'fixed (4: dns_udp, dns_tcp, tcp, udp)',
  target: 'per target (DNS names, peers)',
  target_node: "one per target (the peer's node, '' for DNS and static peers)",
} as const;

export const DNS_UDP_LATENCY: HistogramSpec = {
  type: 'histogram',
  name: 'dns_udp_latency_seconds',
  help: 'Latency of successful DNS queries over UDP (net-exporter).',
  labels: { host: HOSTS },
  buckets: SEED_DNS_BUCKETS,
  doc: 'Successful DNS queries over UDP; buckets 1 ms doubling, 15 (net-exporter).',
  expires: false,
};

export const DNS_TCP_LATENCY: HistogramSpec = {
  type: 'histogram',
  name: 'dns_tcp_latency_seconds',
  help: 'Latency of successful DNS queries over TCP (net-exporter).',
  labels: { host: HOSTS },
  buckets: SEED_DNS_BUCKETS,
  doc: 'The same over TCP (connect included).',
  expires: false,
};

export const DNS_RESOLVE_ERRORS: CounterSpec = {
  type: 'counter',
  name: 'dns_resolve_error_total',
  help: 'Failed DNS queries (net-exporter).',
  labels: { proto: 'fixed (2: udp, tcp)', host: HOSTS },
  doc: 'Failed DNS queries (any reason).',
  expires: false,
};

export const DNS_ERRORS: CounterSpec = {
  type: 'counter',
  name: 'dns_error_total',
  help: 'Internal errors of the DNS probe, e.g. no DNS server known (net-exporter).',
  doc: 'Internal errors of the DNS probe (no DNS server known).',
  expires: false,
};

export const NETWORK_LATENCY: HistogramSpec = {
  type: 'histogram',
  name: 'network_latency_seconds',
  help: 'TCP connect latency to peers (net-exporter; buckets stop at 16 ms, see flowlens_probe_duration_seconds).',
  labels: { host: PEER_HOST },
  buckets: SEED_NETWORK_BUCKETS,
  doc: 'TCP connect latency; buckets 1, 2, 4, 8, 16 ms (net-exporter; slower lands in +Inf only).',
  expires: false,
};

export const DIAL_ERRORS: CounterSpec = {
  type: 'counter',
  name: 'network_dial_error_total',
  help: 'Failed TCP connects to peers, every one of them (net-exporter).',
  labels: { host: PEER_HOST },
  doc: "Every failed connect (net-exporter's inverted check not kept).",
  expires: false,
};

export const NETWORK_ERRORS: CounterSpec = {
  type: 'counter',
  name: 'network_error_total',
  help: 'Internal errors of the peer probe, e.g. peer discovery failing (net-exporter).',
  doc: 'Internal errors of the peer probe (discovery found no EndpointSlices, a static peer that is not an IP).',
  expires: false,
};

export const PROBE_DURATION: HistogramSpec = {
  type: 'histogram',
  name: 'flowlens_probe_duration_seconds',
  help: 'Latency of successful probes by target (DNS query, TCP connect, UDP echo round trip).',
  labels: TARGET,
  buckets: PROBE_BUCKETS,
  doc: 'Successful probes; buckets 0.25 ms doubling to 8.192 s (16). UDP: one sample per echoed packet.',
  expires: false,
};

export const PROBE_LATENCY: HistogramSpec = {
  type: 'histogram',
  name: 'flowlens_probe_latency_seconds',
  help: 'Latency of successful probes of this agent, all targets together (no target labels: O(agents) series cluster-wide).',
  labels: { probe: TARGET.probe },
  buckets: PROBE_BUCKETS,
  doc: 'The same for all targets together: O(agents) series cluster-wide, for alerting.',
  expires: false,
};

export const PROBE_ATTEMPTS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_probe_attempts_total',
  help: 'Probes made, by target (UDP echo: packets sent).',
  labels: TARGET,
  doc: 'Probes made (UDP: packets sent): the denominator of success ratios.',
  expires: false,
};

export const PROBE_ERRORS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_probe_errors_total',
  help: 'Failed probes by target and reason (refused, timeout, unreachable, reset, nxdomain, servfail, truncated, no_answer, malformed, error).',
  labels: { ...TARGET, reason: 'fixed (10), the reasons seen' },
  doc: 'Failures: refused, timeout, unreachable, reset, nxdomain, servfail, truncated, no_answer, malformed, error (UDP: lost packets, `timeout`).',
  expires: false,
};

export const UDP_LOSS: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_probe_udp_loss_ratio',
  help: 'Share of the last UDP echo round lost (0-1), by peer.',
  labels: { target: PEER_HOST, target_node: TARGET.target_node },
  doc: 'Share of the last echo round lost.',
  expires: false,
};

export const SAMPLES_DISCARDED: CounterSpec = {
  type: 'counter',
  name: 'flowlens_probe_samples_discarded_total',
  help: 'Probe results not recorded because the event loop lagged beyond probes.maxEventLoopLag while they were taken.',
  labels: { probe: TARGET.probe },
  doc: 'Results dropped because the event loop lagged beyond `probes.maxEventLoopLag` while they were taken.',
  expires: false,
};

export const EVENT_LOOP_LAG: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_probe_event_loop_lag_seconds',
  help: 'Largest event-loop lag the prober saw while probes were in flight, since the previous scrape.',
  expires: false,
};

export const PEERS: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_probe_peers',
  help: 'Peer addresses this agent probes.',
  doc: 'Peer addresses probed (TCP targets).',
  expires: false,
};

export const INCOMING: CounterSpec = {
  type: 'counter',
  name: 'flowlens_probe_incoming_total',
  help: 'Probes answered for peers, by protocol (tcp: connections accepted; udp: echo packets).',
  labels: { proto: 'fixed (2: tcp, udp)' },
  doc: 'Probes this agent answered: TCP connections accepted, UDP echo packets.',
  expires: false,
};

export const PROBE_FAMILIES: readonly FamilySpec[] = [
  DNS_UDP_LATENCY,
  DNS_TCP_LATENCY,
  DNS_RESOLVE_ERRORS,
  DNS_ERRORS,
  NETWORK_LATENCY,
  DIAL_ERRORS,
  NETWORK_ERRORS,
  PROBE_DURATION,
  PROBE_LATENCY,
  PROBE_ATTEMPTS,
  PROBE_ERRORS,
  UDP_LOSS,
  SAMPLES_DISCARDED,
  EVENT_LOOP_LAG,
  PEERS,
  INCOMING,
];

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

  constructor(metrics: Metrics) {
    this.dnsUdp = metrics.histogram(DNS_UDP_LATENCY);
    this.dnsTcp = metrics.histogram(DNS_TCP_LATENCY);
    this.dnsResolveErrors = metrics.counter(DNS_RESOLVE_ERRORS);
    this.dnsErrors = metrics.counter(DNS_ERRORS);
    this.networkLatency = metrics.histogram(NETWORK_LATENCY);
    this.dialErrors = metrics.counter(DIAL_ERRORS);
    this.networkErrors = metrics.counter(NETWORK_ERRORS);
    this.duration = metrics.histogram(PROBE_DURATION);
    this.latency = metrics.histogram(PROBE_LATENCY);
    this.attempts = metrics.counter(PROBE_ATTEMPTS);
    this.errors = metrics.counter(PROBE_ERRORS);
    this.loss = metrics.gauge(UDP_LOSS);
    this.discarded = metrics.counter(SAMPLES_DISCARDED);
    this.lag = metrics.gauge(EVENT_LOOP_LAG);
    this.peers = metrics.gauge(PEERS);
    this.echoesAnswered = metrics.counter(INCOMING);
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
