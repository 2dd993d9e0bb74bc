import { formatIpv6 } from '../kube/ip.js';
import type { FlowMessage, Scalar } from './flow-message.js';

// A FlowMessage rendered as goflow2's own JSON formatter renders it, byte for
// byte, so `flowlens enrich --input-format pb --output-format json` prints what
// `goflow2 -format=json` would have printed for the same flow:
//
// - v1 messages as goflow2 v1.0.x does (format/common/text.go at v1.0.4: the
//   CamelCase field list, then EtypeName, ProtoName and IcmpName from its
//   small tables; addresses through Go's net.IP, so an IPv4-mapped address
//   prints as dotted IPv4);
// - v2 messages as goflow2 v2.2.x does (producer/proto/render.go and
//   messages.go at v2.2.0-v2.2.6: every field in proto order, snake_case;
//   addresses through Go's netip, so an IPv4-mapped address keeps its
//   "::ffff:" form; the IANA-like protocol table with its
//   unassigned/experimental/reserved ranges; etype names or ""; src_net and
//   dst_net as netip.Addr.Prefix, "invalid Prefix" where Go prints that;
//   enum values, layer_stack included, by name, an unknown one as its number).
//
// Strings are written unescaped, as goflow2 writes them; none of these values
// can hold a quote or a control character.

const FLOW_TYPES = ['FLOWUNKNOWN', 'SFLOW_5', 'NETFLOW_V5', 'NETFLOW_V9', 'IPFIX'];
const LAYERS: Readonly<Record<number, string>> = {
  0: 'Ethernet', 1: 'IPv4', 2: 'IPv6', 3: 'TCP', 4: 'UDP', 5: 'MPLS', 6: 'Dot1Q', 7: 'ICMP', 8: 'ICMPv6', 9: 'GRE',
  10: 'IPv6HeaderRouting', 11: 'IPv6HeaderFragment', 12: 'Geneve', 13: 'Teredo', 99: 'Custom',
};
const ETYPES: Readonly<Record<number, string>> = { 0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP' };

/** goflow2 v1.0.x's protocol names (format/common/text.go ProtoName). */
const V1_PROTOCOLS: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };

/** goflow2 v2.2.x's protocol names (producer/proto/render.go protoName): 0-145, then ranges. */
const V2_PROTOCOLS: readonly string[] = [
  'HOPOPT', 'ICMP', 'IGMP', 'GGP', 'IPv4', 'ST', 'TCP', 'CBT', 'EGP', 'IGP', 'BBN-RCC-MON', 'NVP-II', 'PUP', 'ARGUS', 'EMCON', 'XNET',
  'CHAOS', 'UDP', 'MUX', 'DCN-MEAS', 'HMP', 'PRM', 'XNS-IDP', 'TRUNK-1', 'TRUNK-2', 'LEAF-1', 'LEAF-2', 'RDP', 'IRTP', 'ISO-TP4', 'NETBLT',
  'MFE-NSP', 'MERIT-INP', 'DCCP', '3PC', 'IDPR', 'XTP', 'DDP', 'IDPR-CMTP', 'TP++', 'IL', 'IPv6', 'SDRP', 'IPv6-Route', 'IPv6-Frag', 'IDRP',
  'RSVP', 'GRE', 'DSR', 'BNA', 'ESP', 'AH', 'I-NLSP', 'SWIPE', 'NARP', 'Min-IPv4', 'TLSP', 'SKIP', 'IPv6-ICMP', 'IPv6-NoNxt', 'IPv6-Opts',
  'any-host-internal-protocol', 'CFTP', 'any-local-network', 'SAT-EXPAK', 'KRYPTOLAN', 'RVD', 'IPPC', 'any-distributed-file-system',
  'SAT-MON', 'VISA', 'IPCV', 'CPNX', 'CPHB', 'WSN', 'PVP', 'BR-SAT-MON', 'SUN-ND', 'WB-MON', 'WB-EXPAK', 'ISO-IP', 'VMTP', 'SECURE-VMTP',
  'VINES', 'IPTM', 'NSFNET-IGP', 'DGP', 'TCF', 'EIGRP', 'OSPFIGP', 'Sprite-RPC', 'LARP', 'MTP', 'AX.25', 'IPIP', 'MICP', 'SCC-SP', 'ETHERIP',
  'ENCAP', 'any-private-encryption-scheme', 'GMTP', 'IFMP', 'PNNI', 'PIM', 'ARIS', 'SCPS', 'QNX', 'A/N', 'IPComp', 'SNP', 'Compaq-Peer',
  'IPX-in-IP', 'VRRP', 'PGM', 'any-0-hop-protocol', 'L2TP', 'DDX', 'IATP', 'STP', 'SRP', 'UTI', 'SMP', 'SM', 'PTP', 'ISIS over IPv4',
  'FIRE', 'CRTP', 'CRUDP', 'SSCOPMCE', 'IPLT', 'SPS', 'PIPE', 'SCTP', 'FC', 'RSVP-E2E-IGNORE', 'Mobility Header', 'UDPLite', 'MPLS-in-IP',
  'manet', 'HIP', 'Shim6', 'WESP', 'ROHC', 'Ethernet', 'AGGFRAG', 'NSH',
];

const ICMP_TYPES: Readonly<Record<number, string>> = { 0: 'EchoReply', 3: 'DestinationUnreachable', 8: 'Echo', 9: 'RouterAdvertisement', 10: 'RouterSolicitation', 11: 'TimeExceeded' };
const ICMP6_TYPES: Readonly<Record<number, string>> = {
  1: 'DestinationUnreachable', 2: 'PacketTooBig', 3: 'TimeExceeded', 128: 'EchoRequest', 129: 'EchoReply', 133: 'RouterSolicitation', 134: 'RouterAdvertisement',
};

/** goflow2 v2.2.x ProtoName: the table, then 146-252 unassigned, 253-254 experimental, 255 reserved, else unknown. */
export function v2ProtocolName(proto: number): string {
  const name = V2_PROTOCOLS[proto];
  if (name !== undefined) return name;
  if (proto >= 146 && proto <= 252) return 'unassigned';
  if (proto === 253 || proto === 254) return 'experimental';
  if (proto === 255) return 'reserved';
  return 'unknown';
}

/** A uint32 field as Go decodes it: the low 32 bits of the varint. */
function uint32(value: Scalar): number {
  return typeof value === 'number' && value >>> 0 === value ? value : Number(BigInt.asUintN(32, BigInt(value)));
}

/** An enum value by name, as protobuf-go's String() gives it: an unknown one as its (int32) number. */
function enumName(names: readonly string[] | Readonly<Record<number, string>>, value: Scalar): string {
  const number = uint32(value) | 0;
  return (names as Record<number, string>)[number] ?? String(number);
}

/** Go's RFC 5952 text of 16 address bytes, without the IPv4-mapped special case. */
function ipv6Text(data: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((data[i]! << 8) | data[i + 1]!);
  return formatIpv6(groups);
}

const dotted = (data: Uint8Array, at = 0): string => `${data[at]}.${data[at + 1]}.${data[at + 2]}.${data[at + 3]}`;

function isV4Mapped(data: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (data[i] !== 0) return false;
  return data[10] === 0xff && data[11] === 0xff;
}

/**
 * An address as goflow2 renders it: "" unless 4 or 16 bytes; an IPv4-mapped
 * IPv6 address as dotted IPv4 in v1 (Go's net.IP) and as "::ffff:a.b.c.d" in
 * v2 (Go's netip.Addr).
 */
export function goflowIpText(data: Uint8Array | undefined, version: 1 | 2): string {
  if (data === undefined || (data.length !== 4 && data.length !== 16)) return '';
  if (data.length === 4) return dotted(data);
  if (isV4Mapped(data)) return version === 1 ? dotted(data, 12) : `::ffff:${dotted(data, 12)}`;
  return ipv6Text(data);
}

/** Go's net.HardwareAddr of the low 48 bits of a uint64. */
function macText(value: Scalar | undefined): string {
  const hex = BigInt.asUintN(48, BigInt(value ?? 0)).toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}

/**
 * src_net / dst_net as goflow2 v2 renders them: netip.Addr.Prefix(bits) of the
 * record's address, masked; "invalid Prefix" when the address is not 4 or 16
 * bytes or the length exceeds it (the error Go discards leaves a zero Prefix).
 */
function networkText(address: Uint8Array | undefined, bits: number): string {
  if (address === undefined || (address.length !== 4 && address.length !== 16) || bits > address.length * 8) return 'invalid Prefix';
  const masked = new Uint8Array(address.length);
  for (let i = 0; i < address.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    masked[i] = address[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return `${goflowIpText(masked, 2)}/${bits}`;
}

type Render = 'u32' | 'u64' | 'ip' | 'mac' | 'type' | 'etype' | 'proto' | 'net' | 'list' | 'layers' | 'iplist';
type FieldSpec = readonly [name: string, field: number, render: Render];

/** goflow2 v1.0.x (format/common/text.go TextFields, v1.0.4). */
const V1_FIELDS: readonly FieldSpec[] = [
  ['Type', 1, 'type'], ['TimeReceived', 2, 'u64'], ['SequenceNum', 4, 'u32'], ['SamplingRate', 3, 'u64'], ['SamplerAddress', 11, 'ip'],
  ['TimeFlowStart', 38, 'u64'], ['TimeFlowEnd', 5, 'u64'], ['Bytes', 9, 'u64'], ['Packets', 10, 'u64'], ['SrcAddr', 6, 'ip'], ['DstAddr', 7, 'ip'],
  ['Etype', 30, 'u32'], ['Proto', 20, 'u32'], ['SrcPort', 21, 'u32'], ['DstPort', 22, 'u32'], ['InIf', 18, 'u32'], ['OutIf', 19, 'u32'],
  ['SrcMac', 27, 'mac'], ['DstMac', 28, 'mac'], ['SrcVlan', 33, 'u32'], ['DstVlan', 34, 'u32'], ['VlanId', 29, 'u32'], ['IngressVrfID', 39, 'u32'],
  ['EgressVrfID', 40, 'u32'], ['IPTos', 23, 'u32'], ['ForwardingStatus', 24, 'u32'], ['IPTTL', 25, 'u32'], ['TCPFlags', 26, 'u32'], ['IcmpType', 31, 'u32'],
  ['IcmpCode', 32, 'u32'], ['IPv6FlowLabel', 37, 'u32'], ['FragmentId', 35, 'u32'], ['FragmentOffset', 36, 'u32'], ['BiFlowDirection', 41, 'u32'],
  ['SrcAS', 14, 'u32'], ['DstAS', 15, 'u32'], ['NextHop', 12, 'ip'], ['NextHopAS', 13, 'u32'], ['SrcNet', 16, 'u32'], ['DstNet', 17, 'u32'],
];

/** goflow2 v2.x (pb/flow.proto field order, json tags; producer/proto/render.go default renderers, v2.2.x). */
const V2_FIELDS: readonly FieldSpec[] = [
  ['type', 1, 'type'], ['time_received_ns', 110, 'u64'], ['sequence_num', 4, 'u32'], ['sampling_rate', 3, 'u64'], ['sampler_address', 11, 'ip'],
  ['time_flow_start_ns', 111, 'u64'], ['time_flow_end_ns', 112, 'u64'], ['bytes', 9, 'u64'], ['packets', 10, 'u64'], ['src_addr', 6, 'ip'], ['dst_addr', 7, 'ip'],
  ['etype', 30, 'etype'], ['proto', 20, 'proto'], ['src_port', 21, 'u32'], ['dst_port', 22, 'u32'], ['in_if', 18, 'u32'], ['out_if', 19, 'u32'],
  ['src_mac', 27, 'mac'], ['dst_mac', 28, 'mac'], ['src_vlan', 33, 'u32'], ['dst_vlan', 34, 'u32'], ['vlan_id', 29, 'u32'], ['ip_tos', 23, 'u32'],
  ['forwarding_status', 24, 'u32'], ['ip_ttl', 25, 'u32'], ['ip_flags', 38, 'u32'], ['tcp_flags', 26, 'u32'], ['icmp_type', 31, 'u32'], ['icmp_code', 32, 'u32'],
  ['ipv6_flow_label', 37, 'u32'], ['fragment_id', 35, 'u32'], ['fragment_offset', 36, 'u32'], ['src_as', 14, 'u32'], ['dst_as', 15, 'u32'],
  ['next_hop', 12, 'ip'], ['next_hop_as', 13, 'u32'], ['src_net', 16, 'net'], ['dst_net', 17, 'net'], ['bgp_next_hop', 100, 'ip'],
  ['bgp_communities', 101, 'list'], ['as_path', 102, 'list'], ['mpls_ttl', 80, 'list'], ['mpls_label', 81, 'list'], ['mpls_ip', 82, 'iplist'],
  ['observation_domain_id', 70, 'u32'], ['observation_point_id', 71, 'u32'], ['layer_stack', 103, 'layers'], ['layer_size', 104, 'list'],
  ['ipv6_routing_header_addresses', 105, 'iplist'], ['ipv6_routing_header_seg_left', 106, 'u32'],
];

/** goflow2's JSON of a FlowMessage, without the closing brace (the enricher appends its fields). */
export function renderFlowMessage(message: FlowMessage): string {
  const { version } = message;
  const number = (field: number): Scalar => message.scalars.get(field) ?? 0;
  const parts: string[] = [];
  for (const [name, field, render] of version === 2 ? V2_FIELDS : V1_FIELDS) {
    let value: string;
    switch (render) {
      case 'u32':
        value = String(uint32(number(field)));
        break;
      case 'u64':
        value = String(number(field));
        break;
      case 'ip':
        value = `"${goflowIpText(message.bytes.get(field), version)}"`;
        break;
      case 'mac':
        value = `"${macText(message.scalars.get(field))}"`;
        break;
      case 'type':
        value = `"${enumName(FLOW_TYPES, number(field))}"`;
        break;
      case 'etype':
        value = `"${ETYPES[uint32(number(field))] ?? ''}"`;
        break;
      case 'proto':
        value = `"${v2ProtocolName(uint32(number(field)))}"`;
        break;
      case 'net':
        value = `"${networkText(message.bytes.get(field === 16 ? 6 : 7), uint32(number(field)))}"`;
        break;
      case 'list':
        value = `[${(message.repeated.get(field) ?? []).map(uint32).join(',')}]`;
        break;
      case 'layers':
        value = `[${(message.repeated.get(field) ?? []).map((layer) => `"${enumName(LAYERS, layer)}"`).join(',')}]`;
        break;
      case 'iplist':
        value = `[${(message.repeatedBytes.get(field) ?? []).map((data) => `"${goflowIpText(data, version)}"`).join(',')}]`;
        break;
    }
    parts.push(`"${name}":${value}`);
  }
  if (version === 1) {
    const etype = uint32(number(30));
    const proto = uint32(number(20));
    const icmpType = uint32(number(31));
    const icmp = proto === 1 ? ICMP_TYPES[icmpType] : proto === 58 ? ICMP6_TYPES[icmpType] : '';
    parts.push(`"EtypeName":"${ETYPES[etype] ?? ''}"`, `"ProtoName":"${V1_PROTOCOLS[proto] ?? ''}"`, `"IcmpName":"${icmp ?? ''}"`);
  }
  return `{${parts.join(',')}`;
}
