import type { CounterSpec, FamilySpec, GaugeSpec } from '../../metrics/spec.js';

// The collector's families. Exporters are routers, switches, hosts and CNIs
// sending to this agent: a handful to a few hundred, held by the series
// budget like every family.

const EXPORTER = 'per exporter (the devices sending to this collector)';
const PROTOCOL = 'fixed (4: netflow_v5, netflow_v9, ipfix, sflow)';

export const PACKETS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_packets_total',
  help: 'Export packets (UDP datagrams) received, by protocol and exporter.',
  labels: { protocol: PROTOCOL, exporter: EXPORTER },
  expires: false,
};

export const FLOWS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_flows_total',
  help: 'Flow records decoded (sFlow: flow samples), by protocol and exporter.',
  labels: { protocol: PROTOCOL, exporter: EXPORTER },
  expires: false,
};

export const MALFORMED: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_malformed_packets_total',
  help: 'Export packets that could not be decoded, by exporter and reason (truncated, length, version, template, templates, address, scheme).',
  labels: { exporter: EXPORTER, reason: 'fixed (7)' },
  doc: 'Packets dropped undecoded: `truncated`, `length` (a length field that does not fit), `version` (not a version this listener takes), `template` (an invalid template), `templates` (an exporter beyond 4,096 templates), `address` (sFlow address type), `scheme`. Logged at most once a minute per exporter.',
  expires: false,
};

export const SEQUENCE_GAPS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_sequence_gaps_total',
  help: 'Jumps in an exporter\'s sequence numbers (per observation domain / source id / sFlow sub-agent): export packets or records lost on the way.',
  labels: { protocol: PROTOCOL, exporter: EXPORTER },
  doc: 'Sequence number jumps per exporter and domain. A sequence that goes backwards (an exporter restart, reordering) restarts tracking and is not counted.',
  expires: false,
};

export const LOST: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_lost_total',
  help: 'Estimated flows, packets or samples lost between exporter and collector, from sequence numbers (NetFlow v5 and IPFIX count flow records, NetFlow v9 and sFlow datagrams, sFlow flow samples per source).',
  labels: { protocol: PROTOCOL, exporter: EXPORTER, unit: 'fixed (3: flows, packets, samples)' },
  expires: false,
};

export const NO_TEMPLATE: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_no_template_total',
  help: 'NetFlow v9 / IPFIX data sets dropped because their template was not known (yet): after a collector restart until the exporter re-sends its templates.',
  labels: { exporter: EXPORTER },
  expires: false,
};

export const TEMPLATES: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_collector_templates',
  help: 'NetFlow v9 / IPFIX templates and options templates known now.',
  expires: false,
};

export const RECEIVE_DROPS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_receive_buffer_drops_total',
  help: "Datagrams the kernel dropped for the collector's sockets (receive buffer full), from /proc/net/udp and /proc/net/udp6.",
  labels: { listener: 'per listen URL' },
  doc: 'Datagrams the kernel dropped before the collector read them (the `drops` column of /proc/net/udp and udp6 for the listener\'s sockets): raise `rcvbuf` (and net.core.rmem_max) or `count`.',
  expires: false,
};

export const SFLOW_COUNTERS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_sflow_counter_samples_total',
  help: 'sFlow counter samples received, by exporter.',
  labels: { exporter: EXPORTER },
  expires: false,
};

const INTERFACE = { exporter: EXPORTER, if_index: 'per interface of the exporter', direction: 'fixed (2: in, out)' } as const;

export const INTERFACE_OCTETS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_interface_octets_total',
  help: "sFlow exporters' interface octet counters (generic interface counters, as the exporter reports them).",
  labels: INTERFACE,
  doc: "An sFlow exporter's own interface counters (`ifInOctets`, `ifOutOctets` of its generic interface counter samples): the device's totals, unsampled. A device restart shows as a counter reset.",
  expires: true,
};

export const INTERFACE_ERRORS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_interface_errors_total',
  help: "sFlow exporters' interface error and discard counters.",
  labels: { ...INTERFACE, kind: 'fixed (2: errors, discards)' },
  expires: true,
};

export const OUTPUT_DROPPED: CounterSpec = {
  type: 'counter',
  name: 'flowlens_collector_output_dropped_total',
  help: '`flowlens collect`: decoded flows dropped because the output fell behind (or the Kubernetes cache had not synced) and 64 MiB were waiting.',
  doc: '`flowlens collect` only: flows dropped while 64 MiB of encoded flows waited for the enrichment or the output. In `flowlens run` the flow bus queue drops instead (`flowlens_flow_queue_dropped_total`).',
  expires: false,
};

export const COLLECTOR_FAMILIES: readonly FamilySpec[] = [PACKETS, FLOWS, MALFORMED, SEQUENCE_GAPS, LOST, NO_TEMPLATE, TEMPLATES, RECEIVE_DROPS, SFLOW_COUNTERS, INTERFACE_OCTETS, INTERFACE_ERRORS, OUTPUT_DROPPED];
