import { dropOldest } from '../../flow/drop-oldest.js';
import { endpointJson } from './endpoint-fields.js';
import type { EndpointType, FlowAction, FlowRecord, FlowReporter, PolicyHit } from '../../flow/flow-record.js';

// A flow record as calico-flow-logs-otlphttp-exporter wrote it: Goldmane's Flow
// in protojson (the `Key` object, lowerCamelCase fields, enums by name, int64
// as strings, fields at their zero value left out), so Loki queries written
// for that tool (`| json | Key_action="Deny"`) keep working. The Key part is
// the same for every interval of a flow, so it is rendered once per key.

const ACTION: Readonly<Record<FlowAction, string | undefined>> = { allow: 'Allow', deny: 'Deny', pass: 'Pass', unspecified: undefined, unknown: undefined };
const REPORTER: Readonly<Record<FlowReporter, string | undefined>> = { src: 'Src', dst: 'Dst', unspecified: undefined, unknown: undefined };
const ENDPOINT_TYPE: Readonly<Record<EndpointType, string | undefined>> = {
  workload: 'WorkloadEndpoint',
  host: 'HostEndpoint',
  networkset: 'NetworkSet',
  network: 'Network',
  unspecified: undefined,
  unknown: undefined,
};

/** Goldmane's enum name for a normalized action (undefined: left out, as protojson leaves out 0). */
export const goldmaneAction = (action: FlowAction): string | undefined => ACTION[action];
export const goldmaneReporter = (reporter: FlowReporter): string | undefined => REPORTER[reporter];
export const goldmaneEndpointType = (type: EndpointType): string | undefined => ENDPOINT_TYPE[type];

class JsonFields {
  private readonly parts: string[] = [];

  string(name: string, value: string | undefined): this {
    if (value !== undefined && value !== '') this.parts.push(`"${name}":${JSON.stringify(value)}`);
    return this;
  }

  /** int64 in protojson: a decimal string. */
  int64(name: string, value: number | undefined): this {
    if (value !== undefined && value !== 0) this.parts.push(`"${name}":"${value}"`);
    return this;
  }

  raw(name: string, json: string | undefined): this {
    if (json !== undefined) this.parts.push(`"${name}":${json}`);
    return this;
  }

  toString(): string {
    return `{${this.parts.join(',')}}`;
  }
}

function policyKind(kind: PolicyHit['kind']): string | undefined {
  if (kind === 'KindUnspecified') return undefined;
  // A kind newer than this flowlens: protojson writes the number.
  const unknown = /^Kind(\d+)$/.exec(kind);
  return unknown ? unknown[1] : JSON.stringify(kind);
}

function policyHit(hit: PolicyHit): string {
  return new JsonFields()
    .raw('kind', policyKind(hit.kind))
    .string('namespace', hit.namespace)
    .string('name', hit.name)
    .string('tier', hit.tier)
    .string('action', goldmaneAction(hit.action))
    .int64('policyIndex', hit.policyIndex)
    .int64('ruleIndex', hit.ruleIndex)
    .raw('trigger', hit.trigger && policyHit(hit.trigger))
    .toString();
}

function hits(list: readonly PolicyHit[] | undefined): string | undefined {
  return list === undefined || list.length === 0 ? undefined : `[${list.map(policyHit).join(',')}]`;
}

/** The `Key` object of a record, as JSON. */
export function keyJson(record: FlowRecord): string {
  const policies = record.policies;
  const trace =
    policies === undefined ? undefined : new JsonFields().raw('enforcedPolicies', hits(policies.enforced)).raw('pendingPolicies', hits(policies.pending)).toString();
  return new JsonFields()
    .string('sourceName', record.src.name)
    .string('sourceNamespace', record.src.namespace)
    .string('sourceType', goldmaneEndpointType(record.src.type))
    .string('destName', record.dst.name)
    .string('destNamespace', record.dst.namespace)
    .string('destType', goldmaneEndpointType(record.dst.type))
    .int64('destPort', record.dst.port)
    .string('destServiceName', record.service?.name)
    .string('destServiceNamespace', record.service?.namespace)
    .string('destServicePortName', record.service?.portName)
    .int64('destServicePort', record.service?.port)
    .string('proto', record.proto)
    .string('reporter', goldmaneReporter(record.reporter))
    .string('action', goldmaneAction(record.action))
    .raw('policies', trace === '{}' ? undefined : trace)
    .toString();
}

/** `,"name":"value"` for an int64 field, nothing for 0 (protojson). */
function int64(name: string, value: number): string {
  return value === 0 ? '' : `,"${name}":"${value}"`;
}

interface KeyEntry {
  readonly json: string;
  // Sources hand over the same label arrays while labels do not change: the
  // last ones and their JSON are kept (an identity check, no hashing).
  sourceLabels: readonly string[] | undefined;
  sourceJson: string;
  destLabels: readonly string[] | undefined;
  destJson: string;
}

/**
 * Renders flow log bodies, keeping each flow key's rendered Key (and last
 * labels) for later intervals, in two generations: a key of the previous
 * generation moves to the current one when used. A rotation (every
 * `idleMs`, or when the current generation holds half of `maxKeys`) forgets
 * what is left in the previous one. So at most `maxKeys` entries, the
 * longest unused go first, and a key unused for two rotations costs nothing.
 */
export class FlowBodies {
  private current = new Map<string, KeyEntry>();
  private previous = new Map<string, KeyEntry>();
  private rotatedAt: number;

  constructor(
    private readonly maxKeys = 100_000,
    private readonly idleMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.rotatedAt = now();
  }

  /** Flow keys whose rendered Key is kept now. */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** The body for one record; written out field by field, as it runs for every flow log. */
  body(record: FlowRecord): string {
    let entry = this.current.get(record.key);
    if (entry === undefined) entry = this.admit(record);
    const source = record.src.labels;
    if (source !== entry.sourceLabels) {
      entry.sourceLabels = source;
      entry.sourceJson = source.length === 0 ? '' : `,"sourceLabels":${JSON.stringify(source)}`;
    }
    const dest = record.dst.labels;
    if (dest !== entry.destLabels) {
      entry.destLabels = dest;
      entry.destJson = dest.length === 0 ? '' : `,"destLabels":${JSON.stringify(dest)}`;
    }
    return (
      `{"Key":${entry.json}` +
      int64('startTime', record.startTime / 1_000) +
      int64('endTime', record.endTime / 1_000) +
      entry.sourceJson +
      entry.destJson +
      int64('packetsIn', record.packetsIn) +
      int64('packetsOut', record.packetsOut) +
      int64('bytesIn', record.bytesIn) +
      int64('bytesOut', record.bytesOut) +
      int64('numConnectionsStarted', record.connectionsStarted) +
      int64('numConnectionsCompleted', record.connectionsCompleted) +
      int64('numConnectionsLive', record.connectionsLive) +
      endpointJson(record) +
      '}'
    );
  }

  private admit(record: FlowRecord): KeyEntry {
    if (this.now() - this.rotatedAt >= this.idleMs) this.rotate();
    let entry = this.previous.get(record.key);
    if (entry !== undefined) {
      this.previous.delete(record.key);
    } else {
      if (this.current.size >= this.maxKeys / 2 || this.current.size + this.previous.size >= this.maxKeys) this.rotate();
      entry = { json: keyJson(record), sourceLabels: undefined, sourceJson: '', destLabels: undefined, destJson: '' };
    }
    this.current.set(record.key, entry);
    return entry;
  }

  private rotate(): void {
    this.previous = this.current;
    this.current = new Map();
    this.rotatedAt = this.now();
    // Keys moved over can fill a generation to the bound: its first used go.
    if (this.previous.size >= this.maxKeys) dropOldest(this.previous);
  }
}
