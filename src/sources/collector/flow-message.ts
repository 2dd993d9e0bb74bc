import type { CollectedFlow } from './flow.js';

// A collected flow as goflow2 v2's protobuf FlowMessage (package flowpb,
// pb/flow.proto): what `goflow2 -format=bin` writes, fields in number order,
// proto3 defaults left out, repeated scalars packed. `flowlens collect` sends
// these through the same enrichment and renderers as `flowlens enrich`.

const FLOW_TYPES = { FLOWUNKNOWN: 0, SFLOW_5: 1, NETFLOW_V5: 2, NETFLOW_V9: 3, IPFIX: 4 } as const;
const LAYERS: Readonly<Record<string, number>> = { Ethernet: 0, IPv4: 1, IPv6: 2, TCP: 3, UDP: 4, MPLS: 5, Dot1Q: 6, ICMP: 7, ICMPv6: 8, GRE: 9, IPv6HeaderRouting: 10, IPv6HeaderFragment: 11, Geneve: 12, Teredo: 13, Custom: 99 };

class Writer {
  private readonly bytes: number[] = [];

  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  tag(field: number, wire: 0 | 2): void {
    this.varint((field << 3) | wire);
  }

  /** A scalar field, left out at its default (0). */
  scalar(field: number, value: number | bigint): void {
    if (value === 0 || value === 0n) return;
    this.tag(field, 0);
    this.varint(value);
  }

  data(field: number, value: Uint8Array): void {
    if (value.length === 0) return;
    this.tag(field, 2);
    this.varint(value.length);
    for (const byte of value) this.bytes.push(byte);
  }

  /** Packed repeated varints. */
  packed(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    const inner = new Writer();
    for (const value of values) inner.varint(value);
    this.data(field, inner.done());
  }

  repeatedData(field: number, values: readonly Uint8Array[]): void {
    for (const value of values) {
      this.tag(field, 2);
      this.varint(value.length);
      for (const byte of value) this.bytes.push(byte);
    }
  }

  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export function encodeFlowMessage(flow: CollectedFlow): Uint8Array {
  const w = new Writer();
  w.scalar(1, FLOW_TYPES[flow.type]);
  w.scalar(3, flow.samplingRate);
  w.scalar(4, flow.sequenceNum);
  w.data(6, flow.srcAddr);
  w.data(7, flow.dstAddr);
  w.scalar(9, flow.bytes);
  w.scalar(10, flow.packets);
  w.data(11, flow.samplerAddress);
  w.data(12, flow.nextHop);
  w.scalar(13, flow.nextHopAs);
  w.scalar(14, flow.srcAs);
  w.scalar(15, flow.dstAs);
  w.scalar(16, flow.srcNet);
  w.scalar(17, flow.dstNet);
  w.scalar(18, flow.inIf);
  w.scalar(19, flow.outIf);
  w.scalar(20, flow.proto);
  w.scalar(21, flow.srcPort);
  w.scalar(22, flow.dstPort);
  w.scalar(23, flow.ipTos);
  w.scalar(24, flow.forwardingStatus);
  w.scalar(25, flow.ipTtl);
  w.scalar(26, flow.tcpFlags);
  w.scalar(27, flow.srcMac);
  w.scalar(28, flow.dstMac);
  w.scalar(29, flow.vlanId);
  w.scalar(30, flow.etype);
  w.scalar(31, flow.icmpType);
  w.scalar(32, flow.icmpCode);
  w.scalar(33, flow.srcVlan);
  w.scalar(34, flow.dstVlan);
  w.scalar(35, flow.fragmentId);
  w.scalar(36, flow.fragmentOffset);
  w.scalar(37, flow.ipv6FlowLabel);
  w.scalar(38, flow.ipFlags);
  w.scalar(70, flow.observationDomainId);
  w.scalar(71, flow.observationPointId);
  w.packed(80, flow.mplsTtl);
  w.packed(81, flow.mplsLabel);
  w.repeatedData(82, flow.mplsIp);
  w.data(100, flow.bgpNextHop);
  w.packed(101, flow.bgpCommunities);
  w.packed(102, flow.asPath);
  w.packed(103, flow.layerStack.map((layer) => LAYERS[layer] ?? 99));
  w.packed(104, flow.layerSize);
  w.repeatedData(105, flow.ipv6RoutingHeaderAddresses);
  w.scalar(106, flow.ipv6RoutingHeaderSegLeft);
  w.scalar(110, flow.timeReceivedNs);
  w.scalar(111, flow.timeFlowStartNs);
  w.scalar(112, flow.timeFlowEndNs);
  return w.done();
}

/** The message with its varint length in front (protodelim, goflow2 v2's `-format=bin` framing). */
export function delimited(message: Uint8Array): Uint8Array {
  const length: number[] = [];
  let v = message.length;
  while (v >= 0x80) {
    length.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  length.push(v);
  const out = new Uint8Array(length.length + message.length);
  out.set(length, 0);
  out.set(message, length.length);
  return out;
}
