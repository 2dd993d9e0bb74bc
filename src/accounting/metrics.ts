import type { CounterSpec, FamilySpec, GaugeSpec } from '../metrics/spec.js';

// The accounting component's families. Values are the kernel's rule counters,
// read at each scrape; series are rebuilt at every scrape, none expire by time.

const SEED_LABELS = {
  pod: 'per workload of this node',
  app: 'one per pod (its app label)',
  ip: 'one per pod',
  type: 'fixed (2: tw, fw)',
} as const;

export const POLICY_ACCEPT: CounterSpec = {
  type: 'counter',
  name: 'policy_accept_counter',
  help: 'Number of packets accepted by a policy on a workload (calico-accountant).',
  labels: { ...SEED_LABELS, policy: 'per policy applied to the workload' },
  doc: 'Packets a policy accepted for a workload (calico-accountant; `type` tw: to the workload, fw: from it; `policy` like `default/knp.default.foo`, a policy group as its members joined by `,`).',
  expires: false,
};

export const NO_POLICY_DROP: CounterSpec = {
  type: 'counter',
  name: 'no_policy_drop_counter',
  help: 'Number of packets dropped to/from a workload because no policies matched them (calico-accountant).',
  labels: SEED_LABELS,
  doc: 'Packets dropped or rejected because no policy passed them, all tiers summed (calico-accountant).',
  expires: false,
};

export const DROPPED_SCRAPES: CounterSpec = {
  type: 'counter',
  name: 'calico_accountant_dropped_scrape',
  help: 'Scrapes whose policy counters were left out because none reached MINIMUM_COUNTER (calico-accountant).',
  doc: "Scrapes whose calico-accountant samples were left out because none reached `accounting.minimumCounter`.",
  expires: false,
};

const POLICY_LABELS = {
  namespace: 'per namespace with workloads on this node',
  pod: 'per workload of this node',
  workload: 'one per pod',
  direction: 'fixed (2: ingress, egress)',
  policy: 'per policy applied to the workload',
  tier: 'per tier',
  verdict: 'fixed (2: allow, deny)',
} as const;

export const POLICY_PACKETS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_policy_packets_total',
  help: "Packets a workload's Calico policies accepted (verdict allow, by policy) or that no policy passed (verdict deny, by tier), from the kernel's rule counters.",
  labels: POLICY_LABELS,
  doc: '`verdict` allow: accepted by `policy`; deny: no policy of `tier` passed the packet (`policy` empty). `direction` ingress/egress, `workload` `Kind/name`. Not subject to `minimumCounter`.',
  expires: false,
};

export const POLICY_BYTES: CounterSpec = {
  type: 'counter',
  name: 'flowlens_policy_bytes_total',
  help: 'Bytes of flowlens_policy_packets_total.',
  labels: POLICY_LABELS,
  doc: 'Bytes of the same rules.',
  expires: false,
};

export const SCRAPE_DURATION: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_accounting_scrape_duration_seconds',
  help: 'How long the last ruleset dump and classification took.',
  expires: false,
};

export const SCRAPE_SUCCESS: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_accounting_scrape_success',
  help: '1 when the last ruleset dump was read, 0 when it failed.',
  expires: false,
};

export const BACKEND: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_accounting_backend',
  help: 'The backend Felix programs its rules in, as detected or configured (1 for the one in use; none: no Calico chains found).',
  labels: { backend: 'fixed (1 at a time: iptables-legacy, iptables-nft, nft, none)' },
  doc: '1 for the backend in use: iptables-legacy, iptables-nft, nft, or none (no Calico chains: eBPF dataplane or no Calico).',
  expires: false,
};

export const UNKNOWN_INTERFACES: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_accounting_unknown_interfaces',
  help: 'Workload endpoint chains whose interface matched no pod in the Kubernetes cache at the last scrape (left out, not guessed).',
  doc: 'Workload chains whose interface matched no pod of this node at the last scrape (left out, not guessed).',
  expires: false,
};

export const ERRORS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_accounting_errors_total',
  help: 'Failed ruleset dumps, by reason (missing: tool not installed; timeout; failed: the tool exited non-zero or printed what could not be read).',
  labels: { reason: 'fixed (3: missing, timeout, failed)' },
  doc: 'Failed dumps: missing (tool not installed), timeout, failed.',
  expires: false,
};

export const ACCOUNTING_FAMILIES: readonly FamilySpec[] = [
  POLICY_ACCEPT,
  NO_POLICY_DROP,
  DROPPED_SCRAPES,
  POLICY_PACKETS,
  POLICY_BYTES,
  SCRAPE_DURATION,
  SCRAPE_SUCCESS,
  BACKEND,
  UNKNOWN_INTERFACES,
  ERRORS,
];
