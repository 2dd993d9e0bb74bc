import type { FlowEndpoint, FlowRecord } from '../../flow/flow-record.js';

// What a flow log says about an endpoint beyond Goldmane's Flow: its address
// (sources that see packets: goflow2, IPFIX) and what the Kubernetes cache
// knew about it (docs/kubernetes-cache.md, flow enrichment). Absent values
// are left out, so a Goldmane record that was not enriched renders exactly as
// the seed exporter wrote it. Body fields are lowerCamelCase after Goldmane's
// (`sourceWorkload`); attributes snake_case (`source_workload`).

type Value = string | number | undefined;

interface Field {
  readonly body: string;
  readonly attribute: string;
  readonly value: (endpoint: FlowEndpoint) => Value;
}

const FIELDS: readonly Field[] = [
  { body: 'Ip', attribute: 'ip', value: (endpoint) => endpoint.ip },
  { body: 'Pod', attribute: 'pod', value: (endpoint) => endpoint.kube?.pod },
  { body: 'WorkloadNamespace', attribute: 'workload_namespace', value: (endpoint) => endpoint.kube?.namespace },
  { body: 'Workload', attribute: 'workload', value: (endpoint) => endpoint.kube?.workload },
  { body: 'WorkloadKind', attribute: 'workload_kind', value: (endpoint) => endpoint.kube?.workloadKind },
  { body: 'Node', attribute: 'node', value: (endpoint) => endpoint.kube?.node },
  { body: 'HostIp', attribute: 'host_ip', value: (endpoint) => endpoint.kube?.hostIP },
];

/** The source port: Goldmane has none (the Key's destPort already carries the other end). */
const SOURCE_PORT: Field = { body: 'Port', attribute: 'port', value: (endpoint) => endpoint.port };

/** Nothing to add: no address, no Kubernetes data (and, for the source, no port). */
const bare = (endpoint: FlowEndpoint): boolean => endpoint.ip === undefined && endpoint.kube === undefined;
const bareSource = (endpoint: FlowEndpoint): boolean => bare(endpoint) && endpoint.port === undefined;
const SOURCE_FIELDS: readonly Field[] = [FIELDS[0]!, SOURCE_PORT, ...FIELDS.slice(1)];

function each(record: FlowRecord, visit: (side: 'source' | 'dest', field: Field, value: string | number) => void): void {
  for (const side of ['source', 'dest'] as const) {
    const source = side === 'source';
    const endpoint = source ? record.src : record.dst;
    if (source ? bareSource(endpoint) : bare(endpoint)) continue;
    for (const field of source ? SOURCE_FIELDS : FIELDS) {
      const value = field.value(endpoint);
      if (value !== undefined && value !== '' && value !== 0) visit(side, field, value);
    }
  }
}

/** `,"sourceIp":"10.0.0.1",...` for the body; '' when the record has none. */
export function endpointJson(record: FlowRecord): string {
  if (bareSource(record.src) && bare(record.dst)) return '';
  let json = '';
  each(record, (side, field, value) => {
    json += `,"${side}${field.body}":${typeof value === 'number' ? value : JSON.stringify(value)}`;
  });
  return json;
}

/** The same values as flat attributes (`source_ip`, `dest_workload`, ...). */
export function endpointAttributes(record: FlowRecord, attributes: Record<string, string | number | string[]>): void {
  each(record, (side, field, value) => {
    attributes[`${side}_${field.attribute}`] = value;
  });
}
