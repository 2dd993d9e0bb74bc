import type { MetricHistory } from './metric-history.js';

// The probes and accounting views, from the metric history: each row's
// growth over the window, per minute for the sparklines.

/** The families the history samples. */
export const SAMPLED_FAMILIES = [
  'flowlens_probe_attempts_total',
  'flowlens_probe_errors_total',
  'flowlens_probe_duration_seconds',
  'flowlens_probe_udp_loss_ratio',
  'flowlens_policy_packets_total',
  'no_policy_drop_counter',
] as const;

/** At most this many rows per list (the largest first). */
const MAX_ROWS = 500;

export type ProbeStatus = 'down' | 'degraded' | 'ok' | 'idle';

export interface ProbeRow {
  readonly probe: string;
  readonly target: string;
  readonly node: string;
  attempts: number;
  errors: number;
  readonly reasons: Record<string, number>;
  /** Mean latency of the successful probes in the window, milliseconds (null: none succeeded). */
  latencyMs: number | null;
  /** The last UDP echo round's loss (0-1), UDP peers only. */
  loss: number | null;
  status: ProbeStatus;
  /** Failed probes per minute. */
  readonly errorSeries: number[];
}

const RANK: Record<ProbeStatus, number> = { down: 0, degraded: 1, ok: 2, idle: 3 };

export function probeRows(history: MetricHistory, windowMs: number): ProbeRow[] {
  const rows = new Map<string, ProbeRow>();
  const minutes = Math.max(1, Math.round(windowMs / 60_000));
  const row = (labels: Readonly<Record<string, string>>): ProbeRow => {
    const probe = labels.probe ?? '';
    const target = labels.target ?? '';
    const node = labels.target_node ?? '';
    const id = `${probe}\u0000${target}\u0000${node}`;
    let found = rows.get(id);
    if (found === undefined) {
      found = { probe, target, node, attempts: 0, errors: 0, reasons: {}, latencyMs: null, loss: null, status: 'idle', errorSeries: new Array<number>(minutes).fill(0) };
      rows.set(id, found);
    }
    return found;
  };
  for (const growth of history.growth('flowlens_probe_attempts_total', windowMs)) row(growth.labels).attempts += growth.delta;
  for (const growth of history.growth('flowlens_probe_errors_total', windowMs)) {
    const target = row(growth.labels);
    target.errors += growth.delta;
    const reason = growth.labels.reason ?? 'error';
    if (growth.delta > 0) target.reasons[reason] = (target.reasons[reason] ?? 0) + growth.delta;
    growth.series.forEach((value, i) => (target.errorSeries[i]! += value));
  }
  for (const growth of history.growth('flowlens_probe_duration_seconds', windowMs)) {
    if (growth.delta > 0) row(growth.labels).latencyMs = (growth.sum / growth.delta) * 1_000;
  }
  for (const { labels, value } of history.latest('flowlens_probe_udp_loss_ratio')) {
    const target = rows.get(`udp\u0000${labels.target ?? ''}\u0000${labels.target_node ?? ''}`);
    if (target !== undefined) target.loss = value;
  }
  for (const target of rows.values()) {
    target.status = target.attempts === 0 ? 'idle' : target.errors >= target.attempts ? 'down' : target.errors > 0 || (target.loss ?? 0) > 0 ? 'degraded' : 'ok';
  }
  return [...rows.values()].sort((a, b) => RANK[a.status] - RANK[b.status] || b.errors - a.errors || a.target.localeCompare(b.target)).slice(0, MAX_ROWS);
}

export interface AccountingPolicyRow {
  readonly namespace: string;
  readonly workload: string;
  readonly direction: string;
  readonly tier: string;
  readonly policy: string;
  readonly verdict: string;
  packets: number;
  readonly series: number[];
}

export interface AccountingDropRow {
  readonly namespace: string;
  readonly pod: string;
  packets: number;
  readonly series: number[];
}

/** The policy accounting's packet counters over the window: per workload, policy and verdict; no-policy drops per pod. */
export function accountingRows(history: MetricHistory, windowMs: number): { policies: AccountingPolicyRow[]; drops: AccountingDropRow[] } {
  const policies = new Map<string, AccountingPolicyRow>();
  for (const growth of history.growth('flowlens_policy_packets_total', windowMs)) {
    const { namespace = '', workload = '', pod = '', direction = '', tier = '', policy = '', verdict = '' } = growth.labels;
    const id = [namespace, workload || pod, direction, tier, policy, verdict].join('\u0000');
    let row = policies.get(id);
    if (row === undefined) policies.set(id, (row = { namespace, workload: workload || pod, direction, tier, policy, verdict, packets: 0, series: growth.series.map(() => 0) }));
    row.packets += growth.delta;
    growth.series.forEach((value, i) => (row.series[i]! += value));
  }
  const drops = history.growth('no_policy_drop_counter', windowMs).map((growth) => ({
    namespace: growth.labels.pod_namespace ?? '',
    pod: growth.labels.pod ?? '',
    packets: growth.delta,
    series: growth.series,
  }));
  return {
    policies: [...policies.values()].filter((row) => row.packets > 0).sort((a, b) => b.packets - a.packets).slice(0, MAX_ROWS),
    drops: drops.filter((row) => row.packets > 0).sort((a, b) => b.packets - a.packets).slice(0, MAX_ROWS),
  };
}
