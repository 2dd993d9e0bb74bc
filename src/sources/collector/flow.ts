import { formatIpv6 } from '../../kube/ip.js';

// One flow as the collector decodes it from NetFlow v5, NetFlow v9, IPFIX or
// sFlow v5: goflow2 v2's FlowMessage fields (netsampler/goflow2 pb/flow.proto),
// so `flowlens collect` can write what goflow2 writes, and the flow bus gets
// its FlowRecord from the same values. Counters are as exported (not yet
// multiplied by the sampling rate); times are unix nanoseconds.

export type FlowType = 'FLOWUNKNOWN' | 'SFLOW_5' | 'NETFLOW_V5' | 'NETFLOW_V9' | 'IPFIX';

export interface CollectedFlow {
  type: FlowType;
  timeReceivedNs: bigint;
  sequenceNum: number;
  samplingRate: number;
  /** The exporter (sFlow: the agent address), 4 or 16 bytes. */
  samplerAddress: Uint8Array;
  timeFlowStartNs: bigint;
  timeFlowEndNs: bigint;
  bytes: bigint;
  packets: bigint;
  srcAddr: Uint8Array;
  dstAddr: Uint8Array;
  etype: number;
  proto: number;
  srcPort: number;
  dstPort: number;
  inIf: number;
  outIf: number;
  srcMac: bigint;
  dstMac: bigint;
  srcVlan: number;
  dstVlan: number;
  vlanId: number;
  ipTos: number;
  forwardingStatus: number;
  ipTtl: number;
  ipFlags: number;
  tcpFlags: number;
  icmpType: number;
  icmpCode: number;
  ipv6FlowLabel: number;
  fragmentId: number;
  fragmentOffset: number;
  srcAs: number;
  dstAs: number;
  nextHop: Uint8Array;
  nextHopAs: number;
  srcNet: number;
  dstNet: number;
  bgpNextHop: Uint8Array;
  bgpCommunities: number[];
  asPath: number[];
  mplsTtl: number[];
  mplsLabel: number[];
  mplsIp: Uint8Array[];
  observationDomainId: number;
  observationPointId: number;
  /** Parsed header layers (sFlow), goflow2's names: Ethernet, Dot1Q, MPLS, IPv4, IPv6, TCP, UDP, ... */
  layerStack: string[];
  layerSize: number[];
  ipv6RoutingHeaderAddresses: Uint8Array[];
  ipv6RoutingHeaderSegLeft: number;
  /**
   * Not goflow2's (its output never shows them): an IPFIX biflow's reverse
   * counters (RFC 5103, enterprise 29305), the traffic from the destination
   * back to the source, counted by the flow bus as `in`.
   */
  reverseBytes: bigint;
  reversePackets: bigint;
}

const EMPTY = new Uint8Array(0);

export function emptyFlow(type: FlowType, timeReceivedNs: bigint, samplerAddress: Uint8Array): CollectedFlow {
  return {
    type,
    timeReceivedNs,
    sequenceNum: 0,
    samplingRate: 0,
    samplerAddress,
    timeFlowStartNs: 0n,
    timeFlowEndNs: 0n,
    bytes: 0n,
    packets: 0n,
    srcAddr: EMPTY,
    dstAddr: EMPTY,
    etype: 0,
    proto: 0,
    srcPort: 0,
    dstPort: 0,
    inIf: 0,
    outIf: 0,
    srcMac: 0n,
    dstMac: 0n,
    srcVlan: 0,
    dstVlan: 0,
    vlanId: 0,
    ipTos: 0,
    forwardingStatus: 0,
    ipTtl: 0,
    ipFlags: 0,
    tcpFlags: 0,
    icmpType: 0,
    icmpCode: 0,
    ipv6FlowLabel: 0,
    fragmentId: 0,
    fragmentOffset: 0,
    srcAs: 0,
    dstAs: 0,
    nextHop: EMPTY,
    nextHopAs: 0,
    srcNet: 0,
    dstNet: 0,
    bgpNextHop: EMPTY,
    bgpCommunities: [],
    asPath: [],
    mplsTtl: [],
    mplsLabel: [],
    mplsIp: [],
    observationDomainId: 0,
    observationPointId: 0,
    layerStack: [],
    layerSize: [],
    ipv6RoutingHeaderAddresses: [],
    ipv6RoutingHeaderSegLeft: 0,
    reverseBytes: 0n,
    reversePackets: 0n,
  };
}

/** An address as text ('' for none): dotted IPv4, compressed IPv6 (as Go's net.IP prints it, IPv4-mapped as dotted). */
export function addressText(address: Uint8Array): string {
  if (address.length === 4) return `${address[0]}.${address[1]}.${address[2]}.${address[3]}`;
  if (address.length !== 16) return '';
  let mapped = true;
  for (let i = 0; i < 10; i++) if (address[i] !== 0) mapped = false;
  if (mapped && address[10] === 0xff && address[11] === 0xff) return `${address[12]}.${address[13]}.${address[14]}.${address[15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((address[i]! << 8) | address[i + 1]!);
  return formatIpv6(groups);
}

/** IANA protocol numbers to the lower-case names the flow records use. */
export function protoName(proto: number): string {
  switch (proto) {
    case 1:
      return 'icmp';
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 58:
      return 'icmpv6';
    case 132:
      return 'sctp';
    default:
      return String(proto);
  }
}
