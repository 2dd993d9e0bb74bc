import type { CounterSpec, FamilySpec, GaugeSpec } from '../metrics/spec.js';

// The accounting component's families. Values are the kernel's rule counters,
// read at each scrape; series are rebuilt at every scrape, none expire by time.

const SEED_LABELS = {
  pod: 'per workload of this node',
  pod_namespace: 'one per pod',
  app: 'one per pod (its app label)',
  ip: 'one per pod',
  type: 'fixed (2: tw, fw)',
} as const;

export const POLICY_ACCEPT: CounterSpec = {
  type: 'counter',
  name: 'policy_accept_counter',
  help: 'Number of packets accepted by a policy on a workload (calico-accountant).',
  labels: { ...SEED_LABELS, policy: 'per policy applied to the workload' },
  doc: 'Packets a policy accepted for a workload (calico-accountant; `type` tw: to the workload, fw: from it; `policy` like `default/knp.default.foo`; a member of a policy group keeps its own name).',
  expires: false,
};

export const POLICY_ACCEPT_DROP: CounterSpec = {
  type: 'counter',
  name: 'policy_accept_drop_counter',
  help: "Number of packets denied by a policy's own rules on a workload (calico-accountant).",
  labels: { ...SEED_LABELS, policy: 'per policy applied to the workload' },
  doc: "Packets a policy's own deny rules dropped or rejected for a workload (calico-accountant's current family; per workload here, where calico-accountant reported the policy chain's node-wide count).",
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
  interface: 'one per pod or host endpoint',
  endpoint_type: 'fixed (2: workload, host)',
  direction: 'fixed (2: ingress, egress)',
  policy: 'per policy applied to the endpoint',
  tier: 'per tier',
  verdict: 'fixed (3: allow, deny, pass)',
} as const;

export const POLICY_PACKETS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_policy_packets_total',
  help: "Packets a Calico policy accepted (allow), denied (deny) or passed to the next tier (pass) for an endpoint, or that no policy of a tier passed (deny, empty policy), from the kernel's rule counters.",
  labels: POLICY_LABELS,
  doc: '`verdict` allow / deny / pass by `policy`; deny with an empty `policy`: no policy of `tier` passed the packet. `endpoint_type` workload (`namespace`, `pod`, `workload` `Kind/name`) or host (a host endpoint: `interface` only). Not subject to `minimumCounter`. Denies and passes of a policy chain shared by several endpoints, and the members of a policy group, are apportioned (see accounting.md).',
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

export const DATAPLANE_DROPS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_dataplane_dropped_packets_total',
  help: "Packets Felix's rules dropped outside policy: conntrack INVALID, encapsulation from workloads, admin-down endpoints, no profile matched, rate limits, unknown interfaces.",
  labels: {
    reason: 'fixed (11: conntrack_invalid, vxlan_from_workload, ipip_from_workload, endpoint_admin_down, no_profile_matched, packet_rate_limit, connection_limit, unknown_interface, unknown_endpoint, ipip_from_unknown_host, vxlan_from_unknown_host)',
    direction: 'fixed (2: ingress, egress)',
    namespace: 'per namespace with workloads on this node (empty: node-wide)',
    pod: 'per workload of this node (empty: node-wide or host endpoint)',
    interface: 'one per pod or host endpoint (empty: node-wide)',
  },
  doc: 'Drops before or after policy, by `reason`; `namespace`/`pod`/`interface` name the endpoint whose chain dropped it, empty for the node-wide chains (dispatch, host input).',
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
  help: '1 when the last ruleset dump of every address family was read, 0 when one failed.',
  expires: false,
};

export const BACKEND: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_accounting_backend_info',
  help: 'The dataplane Felix programs its rules in, as detected or configured (1 for the one in use).',
  labels: { backend: 'fixed (1 at a time: iptables-legacy, iptables-nft, nft, ebpf, none, file)' },
  doc: '1 for the backend in use: iptables-legacy, iptables-nft, nft, ebpf (policy lives in BPF programs: no series), none (no Calico rules found), file.',
  expires: false,
};

export const UNKNOWN_INTERFACES: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_accounting_unknown_interfaces',
  help: 'Workload interfaces whose chains matched no pod of this node in the Kubernetes cache at the last scrape (left out, not guessed).',
  doc: 'Workload interfaces whose chains matched no pod of this node at the last scrape (left out, not guessed); each interface counts once, whatever its chains and address families.',
  expires: false,
};

export const APPORTIONED: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_accounting_apportioned_series',
  help: 'Policy verdict counts at the last scrape that were apportioned from a shared chain rather than read exactly per endpoint.',
  doc: 'Verdict counts split in proportion to a shared policy chain or policy group (accounting.md, "Exact and apportioned"); 0 when every count is exact.',
  expires: false,
};

export const ERRORS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_accounting_errors_total',
  help: "Failed ruleset dumps, by address family and reason (missing: tool not installed; timeout; failed: the tool exited non-zero or printed what could not be read). The family's last values are kept.",
  labels: { family: 'fixed (2: ipv4, ipv6)', reason: 'fixed (3: missing, timeout, failed)' },
  doc: "Failed dumps by address family: missing (tool not installed), timeout, failed (non-zero exit, or output that is not a ruleset). The family's series keep their last values.",
  expires: false,
};

export const SKIPPED_LINES: CounterSpec = {
  type: 'counter',
  name: 'flowlens_accounting_skipped_lines_total',
  help: 'Dump lines (or nft rule objects) the parser could not read, by reason.',
  labels: { reason: 'fixed (4: malformed, negative_counter, counter_overflow, outside_table)' },
  doc: 'Lines not read: malformed, negative_counter (e.g. `[-1:180]`), counter_overflow (beyond 2^64-1), outside_table (a rule before any `*table`). An endpoint chain that lost a rule keeps its direct counts but not its derived denies and passes.',
  expires: false,
};

export const ACCOUNTING_FAMILIES: readonly FamilySpec[] = [
  POLICY_ACCEPT,
  POLICY_ACCEPT_DROP,
  NO_POLICY_DROP,
  DROPPED_SCRAPES,
  POLICY_PACKETS,
  POLICY_BYTES,
  DATAPLANE_DROPS,
  SCRAPE_DURATION,
  SCRAPE_SUCCESS,
  BACKEND,
  UNKNOWN_INTERFACES,
  APPORTIONED,
  ERRORS,
  SKIPPED_LINES,
];
