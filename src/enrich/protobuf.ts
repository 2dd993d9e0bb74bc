import protobuf from 'protobufjs/minimal.js';
import type { Logger } from 'pino';
import { ConfigError } from '../config/errors.js';
import { canonicalIp } from '../kube/ip.js';
import { ADDED_FIELDS, DEFAULT_MAPPING, parseMapping, type Enricher, type MappingEntry } from './enricher.js';

// goflow2 protobuf in, protobuf or JSON out. Input: FlowMessage (v1 or v2),
// each prefixed by its varint length (goflow2 v1 -format=pb with
// -format.protobuf.fixedlen=true, v2 -format=bin), optionally followed by the
// "\n" goflow2 v1's file transport adds (detected on the first message).
// v1 and v2 are told apart per message: v1 has time_received (field 2), v2
// time_received_ns (110).
//
// Protobuf out: the message bytes exactly as read, plus the added fields as
// strings at field numbers 2000 + 10 * (mapping index) + n, n = 0 Pod,
// 1 Namespace, 2 HostIP, 3 Workload, 4 WorkloadKind, 5 Warn
// (proto/flowlens-enrich.proto); readers with goflow2's schema skip them.
// JSON out: the message rendered as goflow2 renders it (v1: the v1.0
// CamelCase dialect the seed's README shows; v2: snake_case with goflow2 v2's
// renderers), then the added fields.

export const ENRICH_FIELD_BASE = 2000;
const NEWLINE = Buffer.from('\n');

/** FlowMessage fields holding addresses, by the names a -mapping may use. */
const ADDRESS_FIELDS: Readonly<Record<string, number>> = {
  SrcAddr: 6,
  src_addr: 6,
  DstAddr: 7,
  dst_addr: 7,
  SamplerAddress: 11,
  sampler_address: 11,
  NextHop: 12,
  next_hop: 12,
  BgpNextHop: 100,
  bgp_next_hop: 100,
};

type Scalar = number | bigint;

interface Message {
  readonly version: 1 | 2;
  readonly scalars: Map<number, Scalar>;
  readonly bytes: Map<number, Uint8Array>;
  readonly repeated: Map<number, Scalar[]>;
}

export interface ProtobufStats {
  records: number;
  enriched: number;
  /** Input bytes that could not be read as a FlowMessage (the rest of the stream is skipped). */
  invalid: number;
}

// ---- wire reading -----------------------------------------------------------

/**
 * A varint at pos: [value, next position], or undefined when the buffer ends
 * first or it is overlong. Hand-written rather than protobufjs' Reader: the
 * agent turns protobufjs' Long support off process-wide (Goldmane's numbers
 * fit in a double), and goflow2's uint64 fields (v2 nanosecond times, byte
 * counters) must come out exact.
 */
function varint(buf: Uint8Array, pos: number): [Scalar, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    if (pos >= buf.length) return undefined;
    const byte = buf[pos++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
  // Beyond 49 bits: exact with BigInt.
  let big = BigInt(value);
  let shift = 49n;
  for (let i = 7; i < 10; i++) {
    if (pos >= buf.length) return undefined;
    const byte = buf[pos++]!;
    big |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return [big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big, pos];
    shift += 7n;
  }
  return undefined;
}

/** Parses a FlowMessage body; undefined when it is not well-formed protobuf. */
export function parseFlowMessage(buf: Uint8Array): Message | undefined {
  const scalars = new Map<number, Scalar>();
  const bytes = new Map<number, Uint8Array>();
  const repeated = new Map<number, Scalar[]>();
  let pos = 0;
  while (pos < buf.length) {
    const tag = varint(buf, pos);
    if (tag === undefined || typeof tag[0] !== 'number') return undefined;
    pos = tag[1];
    const field = Math.floor(tag[0] / 8);
    const wire = tag[0] % 8;
    if (field === 0) return undefined;
    if (wire === 0) {
      const value = varint(buf, pos);
      if (value === undefined) return undefined;
      pos = value[1];
      if (REPEATED.has(field)) (repeated.get(field) ?? repeated.set(field, []).get(field)!).push(value[0]);
      else scalars.set(field, value[0]);
    } else if (wire === 2) {
      const length = varint(buf, pos);
      if (length === undefined || typeof length[0] !== 'number' || length[1] + length[0] > buf.length) return undefined;
      const data = buf.subarray(length[1], length[1] + length[0]);
      pos = length[1] + length[0];
      if (REPEATED.has(field) && !BYTES_REPEATED.has(field)) {
        // packed repeated varints
        const list = repeated.get(field) ?? repeated.set(field, []).get(field)!;
        for (let p = 0; p < data.length; ) {
          const item = varint(data, p);
          if (item === undefined) return undefined;
          list.push(item[0]);
          p = item[1];
        }
      } else if (BYTES_REPEATED.has(field)) {
        (repeated.get(field) ?? repeated.set(field, []).get(field)!).push(0);
        bytes.set(field * 1000 + (repeated.get(field)!.length - 1), data);
      } else {
        bytes.set(field, data);
      }
    } else if (wire === 1) {
      if (pos + 8 > buf.length) return undefined;
      pos += 8;
    } else if (wire === 5) {
      if (pos + 4 > buf.length) return undefined;
      pos += 4;
    } else {
      return undefined;
    }
  }
  const version = scalars.has(110) || scalars.has(111) || scalars.has(112) ? 2 : 1;
  return { version, scalars, bytes, repeated };
}

/** v2 repeated fields: bgp_communities, as_path, mpls_ttl, mpls_label, layer_stack, layer_size, ipv6_routing_header_addresses, mpls_ip. */
const REPEATED = new Set([101, 102, 80, 81, 103, 104, 105, 82]);
/** Repeated bytes (not packed): mpls_ip, ipv6_routing_header_addresses. */
const BYTES_REPEATED = new Set([82, 105]);

// ---- rendering --------------------------------------------------------------

function ipText(data: Uint8Array | undefined): string {
  if (data === undefined || data.length === 0) return '';
  if (data.length === 4) return `${data[0]}.${data[1]}.${data[2]}.${data[3]}`;
  if (data.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((data[i]! << 8) | data[i + 1]!).toString(16));
    return canonicalIp(groups.join(':')) ?? '';
  }
  return Buffer.from(data).toString('hex');
}

function macText(value: Scalar | undefined): string {
  const hex = BigInt(value ?? 0).toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}

const FLOW_TYPES = ['FLOWUNKNOWN', 'SFLOW_5', 'NETFLOW_V5', 'NETFLOW_V9', 'IPFIX'];
const ETYPES: Readonly<Record<number, string>> = { 0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP' };
const PROTOS: Readonly<Record<number, string>> = { 0: 'HOPOPT', 1: 'ICMP', 2: 'IGMP', 4: 'IPv4', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'IPv6-ICMP', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP' };

type Render = 'num' | 'ip' | 'mac' | 'type' | 'etype' | 'proto' | 'net' | 'list' | 'iplist';

/** goflow2 v1.0-1.1 JSON: name, field, rendering (numbers as numbers; extras at the end). */
const V1_FIELDS: readonly (readonly [string, number, Render])[] = [
  ['Type', 1, 'type'], ['TimeReceived', 2, 'num'], ['SequenceNum', 4, 'num'], ['SamplingRate', 3, 'num'], ['SamplerAddress', 11, 'ip'],
  ['TimeFlowStart', 38, 'num'], ['TimeFlowEnd', 5, 'num'], ['Bytes', 9, 'num'], ['Packets', 10, 'num'], ['SrcAddr', 6, 'ip'], ['DstAddr', 7, 'ip'],
  ['Etype', 30, 'num'], ['Proto', 20, 'num'], ['SrcPort', 21, 'num'], ['DstPort', 22, 'num'], ['InIf', 18, 'num'], ['OutIf', 19, 'num'],
  ['SrcMac', 27, 'mac'], ['DstMac', 28, 'mac'], ['SrcVlan', 33, 'num'], ['DstVlan', 34, 'num'], ['VlanId', 29, 'num'], ['IngressVrfID', 39, 'num'],
  ['EgressVrfID', 40, 'num'], ['IPTos', 23, 'num'], ['ForwardingStatus', 24, 'num'], ['IPTTL', 25, 'num'], ['TCPFlags', 26, 'num'], ['IcmpType', 31, 'num'],
  ['IcmpCode', 32, 'num'], ['IPv6FlowLabel', 37, 'num'], ['FragmentId', 35, 'num'], ['FragmentOffset', 36, 'num'], ['BiFlowDirection', 41, 'num'],
  ['SrcAS', 14, 'num'], ['DstAS', 15, 'num'], ['NextHop', 12, 'ip'], ['NextHopAS', 13, 'num'], ['SrcNet', 16, 'num'], ['DstNet', 17, 'num'],
];

/** goflow2 v2 JSON (snake_case, proto order, goflow2 v2's default renderers). */
const V2_FIELDS: readonly (readonly [string, number, Render])[] = [
  ['type', 1, 'type'], ['time_received_ns', 110, 'num'], ['sequence_num', 4, 'num'], ['sampling_rate', 3, 'num'], ['sampler_address', 11, 'ip'],
  ['time_flow_start_ns', 111, 'num'], ['time_flow_end_ns', 112, 'num'], ['bytes', 9, 'num'], ['packets', 10, 'num'], ['src_addr', 6, 'ip'], ['dst_addr', 7, 'ip'],
  ['etype', 30, 'etype'], ['proto', 20, 'proto'], ['src_port', 21, 'num'], ['dst_port', 22, 'num'], ['in_if', 18, 'num'], ['out_if', 19, 'num'],
  ['src_mac', 27, 'mac'], ['dst_mac', 28, 'mac'], ['src_vlan', 33, 'num'], ['dst_vlan', 34, 'num'], ['vlan_id', 29, 'num'], ['ip_tos', 23, 'num'],
  ['forwarding_status', 24, 'num'], ['ip_ttl', 25, 'num'], ['ip_flags', 38, 'num'], ['tcp_flags', 26, 'num'], ['icmp_type', 31, 'num'], ['icmp_code', 32, 'num'],
  ['ipv6_flow_label', 37, 'num'], ['fragment_id', 35, 'num'], ['fragment_offset', 36, 'num'], ['src_as', 14, 'num'], ['dst_as', 15, 'num'],
  ['next_hop', 12, 'ip'], ['next_hop_as', 13, 'num'], ['src_net', 16, 'net'], ['dst_net', 17, 'net'], ['bgp_next_hop', 100, 'ip'],
  ['bgp_communities', 101, 'list'], ['as_path', 102, 'list'], ['mpls_ttl', 80, 'list'], ['mpls_label', 81, 'list'], ['mpls_ip', 82, 'iplist'],
  ['observation_domain_id', 70, 'num'], ['observation_point_id', 71, 'num'], ['layer_stack', 103, 'list'], ['layer_size', 104, 'list'],
  ['ipv6_routing_header_addresses', 105, 'iplist'], ['ipv6_routing_header_seg_left', 106, 'num'],
];

function number(message: Message, field: number): Scalar {
  return message.scalars.get(field) ?? 0;
}

/** goflow2's JSON of a FlowMessage, without the closing brace. */
export function renderFlowMessage(message: Message): string {
  const v2 = message.version === 2;
  const parts: string[] = [];
  for (const [name, field, render] of v2 ? V2_FIELDS : V1_FIELDS) {
    let value: string;
    switch (render) {
      case 'num':
        value = String(number(message, field));
        break;
      case 'ip':
        value = JSON.stringify(ipText(message.bytes.get(field)));
        break;
      case 'mac':
        value = JSON.stringify(macText(message.scalars.get(field)));
        break;
      case 'type':
        value = JSON.stringify(FLOW_TYPES[Number(number(message, field))] ?? String(number(message, field)));
        break;
      case 'etype':
        value = JSON.stringify(ETYPES[Number(number(message, field))] ?? String(number(message, field)));
        break;
      case 'proto':
        value = JSON.stringify(PROTOS[Number(number(message, field))] ?? 'unknown');
        break;
      case 'net':
        value = JSON.stringify(networkText(message.bytes.get(field === 16 ? 6 : 7), Number(number(message, field))));
        break;
      case 'list':
        value = `[${(message.repeated.get(field) ?? []).map(String).join(',')}]`;
        break;
      case 'iplist': {
        const count = message.repeated.get(field)?.length ?? 0;
        const items: string[] = [];
        for (let i = 0; i < count; i++) items.push(JSON.stringify(ipText(message.bytes.get(field * 1000 + i))));
        value = `[${items.join(',')}]`;
        break;
      }
    }
    parts.push(`"${name}":${value}`);
  }
  if (!v2) {
    const etype = Number(number(message, 30));
    const proto = Number(number(message, 20));
    parts.push(`"EtypeName":${JSON.stringify(ETYPES[etype] ?? '')}`, `"ProtoName":${JSON.stringify(PROTOS[proto] ?? '')}`, '"IcmpName":""');
  }
  return `{${parts.join(',')}`;
}

/**
 * src_net / dst_net as goflow2 v2 renders them (netip.Addr.Prefix): the
 * record's address masked to `bits`, as CIDR, IPv4 and IPv6 alike; '' without
 * an address; a prefix longer than the address is "invalid Prefix", as Go prints it.
 */
function networkText(address: Uint8Array | undefined, bits: number): string {
  if (address === undefined || address.length === 0) return '';
  if (address.length !== 4 && address.length !== 16) return ipText(address);
  if (bits > address.length * 8) return 'invalid Prefix';
  const masked = new Uint8Array(address.length);
  for (let i = 0; i < address.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    masked[i] = address[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return `${ipText(masked)}/${bits}`;
}

// ---- the stream enricher ----------------------------------------------------

export class ProtobufEnricher {
  readonly stats: ProtobufStats = { records: 0, enriched: 0, invalid: 0 };
  private buffer: Buffer = Buffer.alloc(0);
  private separator: 'unknown' | 'newline' | 'none' = 'unknown';
  private readonly fields: readonly { number: number; prefix: string }[];
  private failed = false;

  constructor(
    private readonly enricher: Enricher,
    private readonly output: 'json' | 'pb',
    mapping: readonly MappingEntry[] | undefined,
    private readonly logger: Logger,
  ) {
    this.fields = (mapping ?? parseMapping(DEFAULT_MAPPING)).map(({ field, prefix }) => {
      const number = ADDRESS_FIELDS[field];
      if (number === undefined) throw new ConfigError(`-mapping: "${field}" is not an address field of goflow2's FlowMessage (protobuf input: ${Object.keys(ADDRESS_FIELDS).join(', ')})`);
      return { number, prefix };
    });
  }

  /** Takes input bytes; returns the output for every complete message in them. */
  push(chunk: Buffer): Buffer {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    return this.drain(false);
  }

  /** End of input: whatever remains. */
  end(): Buffer {
    const out = this.drain(true);
    if (this.buffer.length > 0 && !this.failed) {
      this.stats.invalid += this.buffer.length;
      this.logger.warn({ bytes: this.buffer.length }, 'input ended inside a protobuf message: skipped');
    }
    this.buffer = Buffer.alloc(0);
    return out;
  }

  private drain(final: boolean): Buffer {
    const out: Buffer[] = [];
    const buf = this.buffer;
    let pos = 0;
    while (!this.failed && pos < buf.length) {
      const length = varint(buf, pos);
      if (length === undefined) break;
      if (typeof length[0] !== 'number' || length[0] > 16 * 1024 * 1024) {
        this.fail(buf.length - pos, 'a message length beyond 16 MiB: not goflow2 protobuf');
        break;
      }
      const start = length[1];
      const end = start + length[0];
      if (end > buf.length) break;
      if (this.separator === 'unknown') {
        const mode = this.detectSeparator(buf, end, final);
        if (mode === undefined) break; // need more bytes to tell
        this.separator = mode;
      }
      const message = parseFlowMessage(buf.subarray(start, end));
      if (message === undefined) {
        this.fail(buf.length - pos, 'a message that is not a well-formed FlowMessage');
        break;
      }
      let next = end;
      if (this.separator === 'newline') {
        if (end >= buf.length && !final) break; // wait for the separator
        if (buf[end] === 0x0a) next = end + 1;
      }
      out.push(this.render(buf.subarray(start, end), message));
      pos = next;
    }
    this.buffer = this.failed ? Buffer.alloc(0) : buf.subarray(pos);
    return Buffer.concat(out);
  }

  /** After the first message: "\n" then another well-formed message means goflow2 v1's separator. */
  private detectSeparator(buf: Buffer, end: number, final: boolean): 'newline' | 'none' | undefined {
    if (end >= buf.length) return final ? 'none' : undefined;
    if (buf[end] !== 0x0a) return 'none';
    if (end + 1 >= buf.length) return final ? 'newline' : undefined;
    const length = varint(buf, end + 1);
    if (length === undefined || typeof length[0] !== 'number') return final ? 'none' : undefined;
    const nextEnd = length[1] + length[0];
    if (nextEnd > buf.length) return final ? 'none' : undefined;
    const separated = parseFlowMessage(buf.subarray(length[1], nextEnd)) !== undefined && (nextEnd === buf.length || buf[nextEnd] === 0x0a);
    return separated ? 'newline' : 'none';
  }

  private fail(bytes: number, why: string): void {
    this.failed = true;
    this.stats.invalid += bytes;
    this.logger.error({ bytes }, `protobuf input: ${why}; the rest of the input is skipped`);
  }

  private render(raw: Uint8Array, message: Message): Buffer {
    this.stats.records++;
    const added: [string, string, number][] = [];
    this.fields.forEach(({ number, prefix }, index) => {
      const ip = ipText(message.bytes.get(number));
      if (ip === '') return;
      for (const [name, value] of this.enricher.lookup(ip)) added.push([prefix + name, value, ENRICH_FIELD_BASE + 10 * index + ADDED_FIELDS.indexOf(name)]);
    });
    if (added.length > 0) this.stats.enriched++;
    if (this.output === 'json') {
      const extra = added.map(([name, value]) => `,${JSON.stringify(name)}:${JSON.stringify(value)}`).join('');
      return Buffer.from(`${renderFlowMessage(message)}${extra}}\n`);
    }
    const tail = protobuf.Writer.create();
    for (const [, value, field] of added) tail.uint32(field * 8 + 2).string(value);
    const fields = tail.finish();
    const parts = [protobuf.Writer.create().uint32(raw.length + fields.length).finish(), raw, fields];
    if (this.separator === 'newline') parts.push(NEWLINE);
    return Buffer.concat(parts);
  }
}
