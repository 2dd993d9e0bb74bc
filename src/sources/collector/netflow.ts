import { emptyFlow, type CollectedFlow, type FlowType } from './flow.js';

// NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011, 7012) decoding into
// collected flows. Templates and options templates are kept per (exporter,
// version, source id / observation domain, template id): a re-sent template
// replaces the old one, an IPFIX template record with no fields withdraws it
// (template id 2 or 3 with no fields: all of that kind), and templates not
// refreshed within `templateTimeout` expire (UDP exporters re-send them
// periodically). Data sets whose template is unknown are dropped and counted
// (`no_template`): holding them would only help when a template arrives just
// after its data, and exporters re-send templates anyway. Sampling rates come
// from options data (IEs 34, 50, 305) per (exporter, version, domain).
// Malformed input throws DecodeError with a reason; nothing else throws.

export class DecodeError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a packet said besides its flows: for sequence tracking and the self-metrics. */
export interface PacketInfo {
  readonly version: number;
  /** Source id (v9), observation domain (IPFIX), engine type/id (v5), sub-agent (sFlow). */
  readonly domain: number;
  readonly sequence: number;
  /**
   * What the sequence counts, and how much this packet advances it: v5 and
   * IPFIX count flow records, v9 and sFlow count packets.
   */
  readonly unit: 'flows' | 'packets';
  readonly advance: number;
}

export interface DecodeResult {
  readonly flows: CollectedFlow[];
  readonly info: PacketInfo;
  /** Data records dropped: their template is not known (yet). */
  readonly noTemplate: number;
  readonly templatesAdded: number;
}

interface FieldSpec {
  readonly type: number;
  readonly length: number;
  /** IPFIX enterprise number (0: IANA). */
  readonly enterprise: number;
}

interface Template {
  readonly fields: readonly FieldSpec[];
  /** Options templates: how many leading fields are scope fields. */
  readonly scopes: number;
  readonly options: boolean;
  /** Fixed record length, or -1 when a field is variable-length. */
  readonly recordLength: number;
  /** Each field's element id for apply(): IANA's, REVERSE_* for the RFC 5103 reverse counters, -1 for other enterprise fields (skipped). */
  readonly types: Int32Array;
  updated: number;
}

export interface NetflowOptions {
  readonly templateTimeoutMs: number;
  /** At most this many templates per exporter (a flood of templates must not grow without bound). */
  readonly maxTemplatesPerExporter?: number;
}

const VARIABLE = 0xffff;

export class NetflowDecoder {
  private readonly templates = new Map<string, Map<string, Template>>();
  private readonly sampling = new Map<string, number>();

  constructor(private readonly options: NetflowOptions) {}

  /** Templates known now (the collector's gauge). */
  templateCount(): number {
    let count = 0;
    for (const byExporter of this.templates.values()) count += byExporter.size;
    return count;
  }

  /** Drops templates not refreshed within the timeout; returns how many. */
  expire(now: number): number {
    let expired = 0;
    for (const [exporter, byExporter] of this.templates) {
      for (const [key, template] of byExporter) {
        if (now - template.updated > this.options.templateTimeoutMs) {
          byExporter.delete(key);
          expired++;
        }
      }
      if (byExporter.size === 0) this.templates.delete(exporter);
    }
    return expired;
  }

  /** One UDP payload from `exporter` (its address text; `exporterBytes` for the flows). */
  decode(buf: Uint8Array, exporter: string, exporterBytes: Uint8Array, now: number): DecodeResult {
    if (buf.length < 2) throw new DecodeError('truncated', `packet of ${buf.length} bytes`);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const version = view.getUint16(0);
    const received = BigInt(now) * 1_000_000n;
    if (version === 5) return this.v5(view, exporterBytes, received);
    if (version === 9 || version === 10) return this.templated(view, version, exporter, exporterBytes, received, now);
    throw new DecodeError('version', `unknown NetFlow version ${version}`);
  }

  private v5(view: DataView, exporterBytes: Uint8Array, received: bigint): DecodeResult {
    if (view.byteLength < 24) throw new DecodeError('truncated', 'NetFlow v5 header');
    const count = view.getUint16(2);
    if (count > 30 || view.byteLength < 24 + count * 48) throw new DecodeError('length', `NetFlow v5: ${count} records in ${view.byteLength} bytes`);
    const uptime = view.getUint32(4);
    const base = BigInt(view.getUint32(8)) * 1_000_000_000n + BigInt(view.getUint32(12));
    const sequence = view.getUint32(16);
    const engine = (view.getUint8(20) << 8) | view.getUint8(21);
    const samplingRate = view.getUint16(22) & 0x3fff;
    const flows: CollectedFlow[] = [];
    for (let i = 0; i < count; i++) {
      const at = 24 + i * 48;
      const flow = emptyFlow('NETFLOW_V5', received, exporterBytes);
      flow.sequenceNum = sequence;
      flow.samplingRate = samplingRate;
      flow.srcAddr = bytesAt(view, at, 4);
      flow.dstAddr = bytesAt(view, at + 4, 4);
      flow.nextHop = bytesAt(view, at + 8, 4);
      flow.inIf = view.getUint16(at + 12);
      flow.outIf = view.getUint16(at + 14);
      flow.packets = BigInt(view.getUint32(at + 16));
      flow.bytes = BigInt(view.getUint32(at + 20));
      // first and last are the router's uptime in ms: relative to the export time (uint32 arithmetic, as the router's clock wraps).
      flow.timeFlowStartNs = base - BigInt((uptime - view.getUint32(at + 24)) >>> 0) * 1_000_000n;
      flow.timeFlowEndNs = base - BigInt((uptime - view.getUint32(at + 28)) >>> 0) * 1_000_000n;
      flow.srcPort = view.getUint16(at + 32);
      flow.dstPort = view.getUint16(at + 34);
      flow.tcpFlags = view.getUint8(at + 37);
      flow.proto = view.getUint8(at + 38);
      flow.ipTos = view.getUint8(at + 39);
      flow.srcAs = view.getUint16(at + 40);
      flow.dstAs = view.getUint16(at + 42);
      flow.srcNet = view.getUint8(at + 44);
      flow.dstNet = view.getUint8(at + 45);
      flow.etype = 0x800;
      flows.push(flow);
    }
    return { flows, info: { version: 5, domain: engine, sequence, unit: 'flows', advance: count }, noTemplate: 0, templatesAdded: 0 };
  }

  private templated(view: DataView, version: 9 | 10, exporter: string, exporterBytes: Uint8Array, received: bigint, now: number): DecodeResult {
    const headerLength = version === 9 ? 20 : 16;
    if (view.byteLength < headerLength) throw new DecodeError('truncated', `NetFlow v${version} header`);
    let end = view.byteLength;
    let uptime = 0;
    let exportSeconds: number;
    let sequence: number;
    let domain: number;
    if (version === 9) {
      uptime = view.getUint32(4);
      exportSeconds = view.getUint32(8);
      sequence = view.getUint32(12);
      domain = view.getUint32(16);
    } else {
      const length = view.getUint16(2);
      if (length < 16 || length > view.byteLength) throw new DecodeError('length', `IPFIX message length ${length} in ${view.byteLength} bytes`);
      end = length;
      exportSeconds = view.getUint32(4);
      sequence = view.getUint32(8);
      domain = view.getUint32(12);
    }
    const scope = `${version}|${domain}`;
    let byExporter = this.templates.get(exporter);
    const flows: CollectedFlow[] = [];
    const dataSets: Array<{ template: Template; start: number; end: number }> = [];
    let noTemplate = 0;
    let templatesAdded = 0;
    let dataRecords = 0;
    let samplingFound: number | undefined;
    let at = headerLength;
    while (at + 4 <= end) {
      const setId = view.getUint16(at);
      const setLength = view.getUint16(at + 2);
      if (setLength < 4 || at + setLength > end) throw new DecodeError('length', `set ${setId} of length ${setLength} at ${at} in ${end} bytes`);
      const setEnd = at + setLength;
      const body = at + 4;
      const templateSet = version === 9 ? setId === 0 : setId === 2;
      const optionsSet = version === 9 ? setId === 1 : setId === 3;
      if (templateSet || optionsSet) {
        byExporter ??= this.exporterTemplates(exporter);
        templatesAdded += this.readTemplates(view, body, setEnd, version, optionsSet, scope, byExporter, now);
      } else if (setId >= 256) {
        const template = byExporter?.get(`${scope}|${setId}`);
        if (template === undefined) {
          noTemplate++;
        } else {
          dataSets.push({ template, start: body, end: setEnd });
        }
      } else if (version === 10 || setId > 1) {
        // IPFIX set ids 4-255 are reserved; NetFlow v9 ids 2-255 too: skipped.
      }
      at = setEnd;
    }
    // Options data first: a sampling rate in this packet applies to its flows.
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (const set of dataSets) {
      if (!set.template.options) continue;
      eachRecord(bytes, set.template, set.start, set.end, (at, lengths) => {
        const fields = set.template.fields;
        for (let i = 0; i < fields.length; i++) {
          const field = fields[i]!;
          if (field.enterprise === 0 && (field.type === 305 || field.type === 50 || field.type === 34) && samplingFound === undefined) samplingFound = uint(bytes, at[i]!, lengths[i]!);
        }
      });
    }
    const samplingKey = `${exporter}|${scope}`;
    if (samplingFound !== undefined) this.sampling.set(samplingKey, samplingFound);
    const samplingRate = this.sampling.get(samplingKey) ?? 0;
    const type: FlowType = version === 9 ? 'NETFLOW_V9' : 'IPFIX';
    const baseNs = BigInt(exportSeconds) * 1_000_000_000n;
    for (const set of dataSets) {
      const types = set.template.types;
      const records = eachRecord(bytes, set.template, set.start, set.end, (at, lengths) => {
        if (set.template.options) return;
        const flow = emptyFlow(type, received, exporterBytes);
        flow.sequenceNum = sequence;
        flow.samplingRate = samplingRate;
        flow.observationDomainId = domain;
        flow.timeFlowStartNs = baseNs;
        flow.timeFlowEndNs = baseNs;
        for (let i = 0; i < types.length; i++) {
          const element = types[i]!;
          if (element >= 0) apply(flow, element, bytes, at[i]!, lengths[i]!, baseNs, uptime);
        }
        flows.push(flow);
      });
      dataRecords += records;
    }
    return { flows, info: { version, domain, sequence, unit: version === 9 ? 'packets' : 'flows', advance: version === 9 ? 1 : dataRecords }, noTemplate, templatesAdded };
  }

  private exporterTemplates(exporter: string): Map<string, Template> {
    const map = new Map<string, Template>();
    this.templates.set(exporter, map);
    return map;
  }

  private readTemplates(view: DataView, start: number, end: number, version: 9 | 10, options: boolean, scope: string, byExporter: Map<string, Template>, now: number): number {
    let at = start;
    let added = 0;
    const max = this.options.maxTemplatesPerExporter ?? 4096;
    // Records until fewer bytes than a template header remain (the rest is padding).
    while (at + 4 <= end) {
      const id = view.getUint16(at);
      const count = view.getUint16(at + 2);
      at += 4;
      if (id === 0 && count === 0) break; // padding
      let scopeFields = 0;
      let fieldCount = count;
      if (options && version === 9) {
        // scope length and option length in bytes, 4 bytes per field specifier
        const scopeLength = count;
        if (at + 2 > end) throw new DecodeError('truncated', 'NetFlow v9 options template');
        const optionLength = view.getUint16(at);
        at += 2;
        scopeFields = scopeLength / 4;
        fieldCount = scopeLength / 4 + optionLength / 4;
        if (!Number.isInteger(fieldCount)) throw new DecodeError('template', `options template ${id}: lengths ${scopeLength}/${optionLength} not multiples of 4`);
      } else if (options) {
        if (count === 0) {
          withdraw(byExporter, scope, id, true);
          continue;
        }
        if (at + 2 > end) throw new DecodeError('truncated', 'IPFIX options template');
        scopeFields = view.getUint16(at);
        at += 2;
        if (scopeFields === 0 || scopeFields > count) throw new DecodeError('template', `options template ${id}: ${scopeFields} scope fields of ${count}`);
      } else if (count === 0) {
        if (version === 10) withdraw(byExporter, scope, id, false);
        continue;
      }
      if (id < 256) throw new DecodeError('template', `template id ${id} below 256`);
      const fields: FieldSpec[] = [];
      let recordLength = 0;
      for (let i = 0; i < fieldCount; i++) {
        if (at + 4 > end) throw new DecodeError('truncated', `template ${id}: field ${i} of ${fieldCount}`);
        let type = view.getUint16(at);
        const length = view.getUint16(at + 2);
        at += 4;
        let enterprise = 0;
        if (version === 10 && type & 0x8000) {
          if (at + 4 > end) throw new DecodeError('truncated', `template ${id}: enterprise number`);
          enterprise = view.getUint32(at);
          type &= 0x7fff;
          at += 4;
        }
        fields.push({ type, length, enterprise });
        recordLength = recordLength < 0 || length === VARIABLE ? -1 : recordLength + length;
      }
      if (recordLength === 0) throw new DecodeError('template', `template ${id}: records of no length`);
      const key = `${scope}|${id}`;
      if (!byExporter.has(key) && byExporter.size >= max) throw new DecodeError('templates', `more than ${max} templates from one exporter`);
      byExporter.set(key, { fields, scopes: scopeFields, options, recordLength, types: Int32Array.from(fields, elementId), updated: now });
      added++;
    }
    return added;
  }
}

function withdraw(byExporter: Map<string, Template>, scope: string, id: number, options: boolean): void {
  // Template id 2 (templates) or 3 (options templates) with no fields: all of that kind.
  if (id === 2 || id === 3) {
    for (const [key, template] of byExporter) if (key.startsWith(`${scope}|`) && template.options === (id === 3)) byExporter.delete(key);
    return;
  }
  const key = `${scope}|${id}`;
  if (byExporter.get(key)?.options === options) byExporter.delete(key);
}

function bytesAt(view: DataView, at: number, length: number): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + length));
}

/**
 * Calls `each` with the offset and length of every field of every record of
 * a data set (reused arrays: read them before returning); returns the number
 * of records. Fixed-length templates need no per-record work to find fields.
 */
function eachRecord(bytes: Uint8Array, template: Template, start: number, end: number, each: (at: Int32Array, lengths: Int32Array) => void): number {
  const fields = template.fields;
  const at = new Int32Array(fields.length);
  const lengths = new Int32Array(fields.length);
  let records = 0;
  if (template.recordLength > 0) {
    let offset = 0;
    for (let i = 0; i < fields.length; i++) {
      at[i] = offset;
      lengths[i] = fields[i]!.length;
      offset += fields[i]!.length;
    }
    const base = new Int32Array(at);
    for (let record = start; end - record >= template.recordLength; record += template.recordLength) {
      for (let i = 0; i < fields.length; i++) at[i] = record + base[i]!;
      each(at, lengths);
      records++;
    }
    return records;
  }
  let cursor = start;
  while (end - cursor >= 1) {
    let ok = true;
    for (let i = 0; i < fields.length; i++) {
      let length = fields[i]!.length;
      if (length === VARIABLE) {
        if (cursor >= end) {
          ok = false;
          break;
        }
        length = bytes[cursor]!;
        cursor += 1;
        if (length === 255) {
          if (cursor + 2 > end) {
            ok = false;
            break;
          }
          length = (bytes[cursor]! << 8) | bytes[cursor + 1]!;
          cursor += 2;
        }
      }
      if (cursor + length > end) {
        ok = false;
        break;
      }
      at[i] = cursor;
      lengths[i] = length;
      cursor += length;
    }
    if (!ok) break; // what is left of the set cannot hold a record: padding
    each(at, lengths);
    records++;
  }
  return records;
}

/** A big-endian unsigned integer of 1-8 bytes as a number (exact below 2^53; NetFlow's uint32 fields take the low 32 bits). */
function uint(bytes: Uint8Array, at: number, length: number): number {
  if (length <= 4) {
    let value = 0;
    for (let i = 0; i < length; i++) value = value * 256 + bytes[at + i]!;
    return value;
  }
  let value = 0;
  for (let i = Math.max(0, length - 8); i < length; i++) value = value * 256 + bytes[at + i]!;
  return value;
}

/** The low 32 bits, as goflow2 decodes a wider value into a uint32 field. */
function u32(bytes: Uint8Array, at: number, length: number): number {
  return length <= 4 ? uint(bytes, at, length) : uint(bytes, at + length - 4, 4);
}

/** Exact unsigned value of up to 8 bytes (counters, NTP times). */
function big(bytes: Uint8Array, at: number, length: number): bigint {
  if (length <= 6) return BigInt(uint(bytes, at, length));
  // Values below 2^53 (every real counter) in one conversion; wider ones byte by byte.
  const value = uint(bytes, at, length);
  if (value <= Number.MAX_SAFE_INTEGER) return BigInt(value);
  let out = 0n;
  for (let i = Math.max(0, length - 8); i < length; i++) out = (out << 8n) | BigInt(bytes[at + i]!);
  return out;
}

function allZero(bytes: Uint8Array, at: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[at + i] !== 0) return false;
  return true;
}

/** The NTP timestamp of IPFIX micro/nanosecond fields as unix nanoseconds. */
function ntpToUnixNs(value: bigint): bigint {
  const seconds = (value >> 32n) - 2_208_988_800n;
  const fraction = ((value & 0xffffffffn) * 1_000_000_000n) >> 32n;
  return seconds * 1_000_000_000n + fraction;
}

/**
 * Address fields: the first non-empty value wins, a later one only when it is
 * not all zeroes (goflow2's rule). A view into the datagram, not a copy: a
 * flow lives as long as its datagram is being handled.
 */
function address(current: Uint8Array, bytes: Uint8Array, at: number, length: number): Uint8Array {
  return current.length === 0 || !allZero(bytes, at, length) ? bytes.subarray(at, at + length) : current;
}

/** RFC 5103 reverse information elements: enterprise 29305, the element ids of their forward counterparts. */
const REVERSE_PEN = 29305;
const REVERSE_OCTETS = 0x10000 + 1;
const REVERSE_PACKETS = 0x10000 + 2;

/** What apply() is told a field is: IANA's id, REVERSE_* for the reverse counters, -1 to skip. */
function elementId(field: FieldSpec): number {
  if (field.enterprise === 0) return field.type;
  if (field.enterprise === REVERSE_PEN && (field.type === 1 || field.type === 2)) return 0x10000 + field.type;
  return -1;
}

/** One IANA information element into the flow (goflow2's mapping, RFC 3954 / IANA IPFIX ids). */
function apply(flow: CollectedFlow, type: number, bytes: Uint8Array, at: number, length: number, baseNs: bigint, uptime: number): void {
  switch (type) {
    case 1: // octetDeltaCount / IN_BYTES
    case 23: // OUT_BYTES
      flow.bytes = big(bytes, at, length);
      break;
    case 2: // packetDeltaCount / IN_PKTS
    case 24:
      flow.packets = big(bytes, at, length);
      break;
    case REVERSE_OCTETS: // reverseOctetDeltaCount
      flow.reverseBytes = big(bytes, at, length);
      break;
    case REVERSE_PACKETS: // reversePacketDeltaCount
      flow.reversePackets = big(bytes, at, length);
      break;
    case 4:
      flow.proto = u32(bytes, at, length);
      break;
    case 5:
      flow.ipTos = u32(bytes, at, length);
      break;
    case 6:
      flow.tcpFlags = u32(bytes, at, length);
      break;
    case 7:
      flow.srcPort = u32(bytes, at, length);
      break;
    case 11:
      flow.dstPort = u32(bytes, at, length);
      break;
    case 8:
      if (length === 4 && (flow.srcAddr.length === 0 || !allZero(bytes, at, length))) {
        flow.srcAddr = bytes.subarray(at, at + length);
        flow.etype = 0x800;
      }
      break;
    case 12:
      if (length === 4 && (flow.dstAddr.length === 0 || !allZero(bytes, at, length))) {
        flow.dstAddr = bytes.subarray(at, at + length);
        flow.etype = 0x800;
      }
      break;
    case 27:
      if (length === 16 && (flow.srcAddr.length === 0 || !allZero(bytes, at, length))) {
        flow.srcAddr = bytes.subarray(at, at + length);
        flow.etype = 0x86dd;
      }
      break;
    case 28:
      if (length === 16 && (flow.dstAddr.length === 0 || !allZero(bytes, at, length))) {
        flow.dstAddr = bytes.subarray(at, at + length);
        flow.etype = 0x86dd;
      }
      break;
    case 9:
    case 29:
      flow.srcNet = u32(bytes, at, length);
      break;
    case 13:
    case 30:
      flow.dstNet = u32(bytes, at, length);
      break;
    case 10:
      flow.inIf = u32(bytes, at, length);
      break;
    case 14:
      flow.outIf = u32(bytes, at, length);
      break;
    case 15:
    case 62:
      flow.nextHop = address(flow.nextHop, bytes, at, length);
      break;
    case 18:
    case 63:
      flow.bgpNextHop = address(flow.bgpNextHop, bytes, at, length);
      break;
    case 16:
      flow.srcAs = u32(bytes, at, length);
      break;
    case 17:
      flow.dstAs = u32(bytes, at, length);
      break;
    case 31:
      flow.ipv6FlowLabel = u32(bytes, at, length);
      break;
    case 32: // ICMP_TYPE: type * 256 + code
    case 139:
      flow.icmpType = (u32(bytes, at, length) >> 8) & 0xff;
      flow.icmpCode = u32(bytes, at, length) & 0xff;
      break;
    case 176:
    case 178:
      flow.icmpType = u32(bytes, at, length);
      break;
    case 177:
    case 179:
      flow.icmpCode = u32(bytes, at, length);
      break;
    case 52:
      flow.ipTtl = u32(bytes, at, length);
      break;
    case 54:
      flow.fragmentId = u32(bytes, at, length);
      break;
    case 88:
      flow.fragmentOffset = u32(bytes, at, length);
      break;
    case 197:
      flow.ipFlags = u32(bytes, at, length);
      break;
    case 56:
      flow.srcMac = big(bytes, at, length);
      break;
    case 80:
      flow.dstMac = big(bytes, at, length);
      break;
    case 57: // out dst mac
      flow.dstMac = big(bytes, at, length);
      break;
    case 81: // out src mac
      flow.srcMac = big(bytes, at, length);
      break;
    case 58:
      flow.srcVlan = u32(bytes, at, length);
      flow.vlanId ||= flow.srcVlan;
      break;
    case 59:
      flow.dstVlan = u32(bytes, at, length);
      break;
    case 60:
      if (bytes[at] === 4) flow.etype = 0x800;
      else if (bytes[at] === 6) flow.etype = 0x86dd;
      break;
    case 89:
      flow.forwardingStatus = u32(bytes, at, length);
      break;
    case 138:
      flow.observationPointId = u32(bytes, at, length);
      break;
    case 22: // FIRST_SWITCHED: router uptime in ms (NetFlow v9)
      flow.timeFlowStartNs = baseNs - BigInt((uptime - u32(bytes, at, length)) >>> 0) * 1_000_000n;
      break;
    case 21: // LAST_SWITCHED
      flow.timeFlowEndNs = baseNs - BigInt((uptime - u32(bytes, at, length)) >>> 0) * 1_000_000n;
      break;
    case 150:
      flow.timeFlowStartNs = big(bytes, at, length) * 1_000_000_000n;
      break;
    case 151:
      flow.timeFlowEndNs = big(bytes, at, length) * 1_000_000_000n;
      break;
    case 152:
      flow.timeFlowStartNs = BigInt(uint(bytes, at, length)) * 1_000_000n;
      break;
    case 153:
      flow.timeFlowEndNs = BigInt(uint(bytes, at, length)) * 1_000_000n;
      break;
    case 154:
    case 156:
      flow.timeFlowStartNs = ntpToUnixNs(big(bytes, at, length));
      break;
    case 155:
    case 157:
      flow.timeFlowEndNs = ntpToUnixNs(big(bytes, at, length));
      break;
    case 158:
      flow.timeFlowStartNs = baseNs - big(bytes, at, length) * 1000n;
      break;
    case 159:
      flow.timeFlowEndNs = baseNs - big(bytes, at, length) * 1000n;
      break;
    default:
      break;
  }
}
