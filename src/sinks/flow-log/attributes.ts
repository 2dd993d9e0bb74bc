import type { FlowRecord, PolicyHit } from '../../flow/flow-record.js';
import { endpointAttributes } from './endpoint-fields.js';
import { goldmaneAction, goldmaneEndpointType, goldmaneReporter } from './body.js';

// Flat attributes of a flow log record, so queries need no JSON parsing
// (Loki keeps them as structured metadata: `| action="Deny"`). Names are
// Goldmane's field names in snake_case; values use the body's enum names;
// counters are numbers. Empty values are left out.

export type FlowAttributes = Record<string, string | number | string[]>;

/** "namespace/name" (or "name"); an end-of-tier verdict as "tier:end-of-tier". */
export function policyName(hit: PolicyHit): string {
  if (hit.kind === 'EndOfTier') return `${hit.tier}:end-of-tier`;
  return hit.namespace === '' ? hit.name : `${hit.namespace}/${hit.name}`;
}

function put(attributes: FlowAttributes, name: string, value: string | undefined): void {
  if (value !== undefined && value !== '') attributes[name] = value;
}

/** The attributes that are the same for every interval of a flow key. */
function keyAttributes(record: FlowRecord, namesOf: (trace: readonly PolicyHit[]) => string[]): FlowAttributes {
  const attributes: FlowAttributes = {};
  put(attributes, 'action', goldmaneAction(record.action) ?? record.action);
  put(attributes, 'reporter', goldmaneReporter(record.reporter) ?? record.reporter);
  put(attributes, 'proto', record.proto);
  put(attributes, 'source_name', record.src.name);
  put(attributes, 'source_namespace', record.src.namespace);
  put(attributes, 'source_type', goldmaneEndpointType(record.src.type) ?? record.src.type);
  put(attributes, 'dest_name', record.dst.name);
  put(attributes, 'dest_namespace', record.dst.namespace);
  put(attributes, 'dest_type', goldmaneEndpointType(record.dst.type) ?? record.dst.type);
  if (record.dst.port !== undefined) attributes.dest_port = record.dst.port;
  const service = record.service;
  if (service !== undefined && service.name !== '' && service.name !== '-') {
    attributes.dest_service_name = service.name;
    put(attributes, 'dest_service_namespace', service.namespace);
    put(attributes, 'dest_service_port_name', service.portName === '-' ? '' : service.portName);
    if (service.port !== 0) attributes.dest_service_port = service.port;
  }
  const enforced = record.policies?.enforced ?? [];
  const pending = record.policies?.pending ?? [];
  if (enforced.length > 0) attributes.enforced_policies = namesOf(enforced);
  if (pending.length > 0) attributes.pending_policies = namesOf(pending);
  return attributes;
}

/**
 * Flow log attributes, one sink's worth. A flow key's policy trace is one
 * array object for all its records (the source keeps the key's parts), so its
 * names are made once per array and kept while the array lives.
 */
export class FlowAttributeMaker {
  private readonly policyNames = new WeakMap<readonly PolicyHit[], string[]>();

  attributes(record: FlowRecord): FlowAttributes {
    const attributes = keyAttributes(record, (trace) => this.namesOf(trace));
    attributes.packets_in = record.packetsIn;
    attributes.packets_out = record.packetsOut;
    attributes.bytes_in = record.bytesIn;
    attributes.bytes_out = record.bytesOut;
    attributes.num_connections_started = record.connectionsStarted;
    attributes.num_connections_completed = record.connectionsCompleted;
    attributes.num_connections_live = record.connectionsLive;
    endpointAttributes(record, attributes);
    return attributes;
  }

  private namesOf(trace: readonly PolicyHit[]): string[] {
    let names = this.policyNames.get(trace);
    if (names === undefined) {
      // Frozen: the OTLP serializers keep the encoding of frozen arrays.
      names = Object.freeze(trace.map(policyName)) as string[];
      this.policyNames.set(trace, names);
    }
    return names;
  }
}
