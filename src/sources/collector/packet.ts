import type { CollectedFlow } from './flow.js';

// A sampled packet's headers into a flow, layer by layer, as goflow2 v2 reads
// them (netsampler/goflow2 producer/proto/producer_packet.go), so that
// `flowlens collect` writes what goflow2 writes for sFlow: Ethernet, 802.1Q,
// MPLS, IPv4, IPv6 (routing and fragment headers), TCP, UDP, ICMP, ICMPv6,
// GRE, with IP-in-IP and GRE encapsulation. Each layer is appended to
// `layerStack` with its size in `layerSize`; the outer (base) headers fill the
// flow's fields, encapsulated ones only add layers. goflow2's choices are
// kept: an IPv4 layer is 20 bytes whatever its IHL, a TCP layer 20 plus 4 x
// the high nibble of byte 13 (the flags byte: goflow2 reads the header length
// there, not in byte 12), a header too short for its parser still adds a size of 0.

interface Parser {
  readonly name: string;
  /** goflow2's layer index (encapsulation: a next layer at or below the current one). */
  readonly layer: number;
  readonly id: number;
  /** Dot1Q, MPLS, IPv6 fragment: never start an encapsulation. */
  readonly encapSkip: boolean;
  readonly parse: (flow: CollectedFlow, data: Uint8Array, state: State) => { size: number; next?: Parser };
}

interface State {
  readonly base: boolean;
  /** Times this parser ran before (ICMP reads its type only the first time). */
  readonly calls: number;
}

const u16 = (data: Uint8Array, at: number): number => (data[at]! << 8) | data[at + 1]!;
const u32 = (data: Uint8Array, at: number): number => ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;

function byEtype(etype: number): Parser | undefined {
  switch (etype) {
    case 0x199e:
    case 0x6558:
      return ETHERNET;
    case 0x8847:
      return MPLS;
    case 0x8100:
      return DOT1Q;
    case 0x0800:
      return IPV4;
    case 0x86dd:
      return IPV6;
    default:
      return undefined;
  }
}

function byProto(proto: number): Parser | undefined {
  switch (proto) {
    case 1:
      return ICMP;
    case 4:
      return IPV4;
    case 6:
      return TCP;
    case 17:
      return UDP;
    case 41:
      return IPV6;
    case 43:
      return IPV6_ROUTING;
    case 44:
      return IPV6_FRAGMENT;
    case 47:
      return GRE;
    case 58:
      return ICMPV6;
    default:
      return undefined;
  }
}

const ETHERNET: Parser = {
  name: 'Ethernet',
  layer: 20,
  id: 1,
  encapSkip: false,
  parse(flow, data, state) {
    if (data.length < 14) return { size: 0 };
    flow.layerStack.push('Ethernet');
    const etype = u16(data, 12);
    if (state.base) {
      flow.dstMac = (BigInt(u16(data, 0)) << 32n) | BigInt(u32(data, 2));
      flow.srcMac = (BigInt(u16(data, 6)) << 32n) | BigInt(u32(data, 8));
      flow.etype = etype;
    }
    return { size: 14, next: byEtype(etype) };
  },
};

const DOT1Q: Parser = {
  name: 'Dot1Q',
  layer: 25,
  id: 2,
  encapSkip: true,
  parse(flow, data, state) {
    if (data.length < 4) return { size: 0 };
    flow.layerStack.push('Dot1Q');
    const etype = u16(data, 2);
    if (state.base) {
      flow.vlanId = u16(data, 0);
      flow.etype = etype;
    }
    return { size: 4, next: byEtype(etype) };
  },
};

const MPLS: Parser = {
  name: 'MPLS',
  layer: 25,
  id: 3,
  encapSkip: true,
  parse(flow, data, state) {
    if (data.length < 4) return { size: 0 };
    flow.layerStack.push('MPLS');
    let etype: number | undefined;
    const labels: number[] = [];
    const ttls: number[] = [];
    let offset = 0;
    for (;;) {
      if (data.length < offset + 4) break;
      const label = ((data[offset]! << 16) | (data[offset + 1]! << 8) | data[offset + 2]!) >>> 4;
      const bottom = data[offset + 2]! & 1;
      const ttl = data[offset + 3]!;
      offset += 4;
      const last = bottom === 1 || label <= 15 || offset > data.length;
      if (last && data.length > offset) {
        const version = data[offset]! >> 4;
        if (version === 4) etype = 0x0800;
        else if (version === 6) etype = 0x86dd;
      }
      labels.push(label);
      ttls.push(ttl);
      if (last) break;
    }
    if (state.base) {
      if (etype !== undefined) flow.etype = etype;
      flow.mplsLabel = labels;
      flow.mplsTtl = ttls;
    }
    return { size: offset, next: etype === undefined ? undefined : byEtype(etype) };
  },
};

const IPV4: Parser = {
  name: 'IPv4',
  layer: 30,
  id: 4,
  encapSkip: false,
  parse(flow, data, state) {
    if (data.length < 20) return { size: 0 };
    flow.layerStack.push('IPv4');
    const next = data[9]!;
    if (state.base) {
      flow.srcAddr = data.slice(12, 16);
      flow.dstAddr = data.slice(16, 20);
      flow.ipTos = data[1]!;
      flow.ipTtl = data[8]!;
      flow.fragmentId = u16(data, 4);
      const fragment = u16(data, 6);
      flow.fragmentOffset = fragment & 8191;
      flow.ipFlags = fragment >> 13;
      flow.proto = next;
    }
    return { size: 20, next: byProto(next) };
  },
};

const IPV6: Parser = {
  name: 'IPv6',
  layer: 30,
  id: 5,
  encapSkip: false,
  parse(flow, data, state) {
    if (data.length < 40) return { size: 0 };
    flow.layerStack.push('IPv6');
    const next = data[6]!;
    if (state.base) {
      flow.srcAddr = data.slice(8, 24);
      flow.dstAddr = data.slice(24, 40);
      flow.ipTos = (u16(data, 0) & 0x0ff0) >> 4;
      flow.ipTtl = data[7]!;
      flow.ipv6FlowLabel = u32(data, 0) & 0xfffff;
      flow.proto = next;
    }
    return { size: 40, next: byProto(next) };
  },
};

const IPV6_FRAGMENT: Parser = {
  name: 'IPv6HeaderFragment',
  layer: 35,
  id: 6,
  encapSkip: true,
  parse(flow, data, state) {
    if (data.length < 8) return { size: 0 };
    flow.layerStack.push('IPv6HeaderFragment');
    if (state.base) {
      const fragment = u16(data, 2);
      flow.fragmentId = u32(data, 4);
      flow.fragmentOffset = fragment >> 3;
      flow.ipFlags = fragment & 7;
    }
    return { size: 8, next: byProto(data[0]!) };
  },
};

const IPV6_ROUTING: Parser = {
  name: 'IPv6HeaderRouting',
  layer: 35,
  id: 7,
  encapSkip: false,
  parse(flow, data, state) {
    if (data.length < 8) return { size: 0 };
    const size = 8 + 8 * data[1]!;
    flow.layerStack.push('IPv6HeaderRouting');
    if (state.base) {
      flow.ipv6RoutingHeaderSegLeft = data[3]!;
      if (data[2] === 4) {
        const lastEntry = data[4]!;
        for (let offset = 0, entry = 0; 8 + offset < size && 8 + offset + 16 <= data.length && entry <= lastEntry; offset += 16, entry++) {
          flow.ipv6RoutingHeaderAddresses.push(data.slice(8 + offset, 8 + offset + 16));
        }
      }
    }
    return { size, next: byProto(data[0]!) };
  },
};

const TCP: Parser = {
  name: 'TCP',
  layer: 40,
  id: 8,
  encapSkip: false,
  parse(flow, data, state) {
    if (data.length < 20) return { size: 0 };
    flow.layerStack.push('TCP');
    if (state.base) {
      flow.srcPort = u16(data, 0);
      flow.dstPort = u16(data, 2);
      flow.tcpFlags = data[13]!;
    }
    return { size: 20 + (data[13]! >> 4) * 4 };
  },
};

const UDP: Parser = {
  name: 'UDP',
  layer: 40,
  id: 9,
  encapSkip: false,
  parse(flow, data, state) {
    if (data.length < 8) return { size: 0 };
    flow.layerStack.push('UDP');
    if (state.base) {
      flow.srcPort = u16(data, 0);
      flow.dstPort = u16(data, 2);
    }
    return { size: 8 };
  },
};

const icmp = (name: 'ICMP' | 'ICMPv6', id: number): Parser => ({
  name,
  layer: 70,
  id,
  encapSkip: false,
  parse(flow, data, state) {
    if (data.length < 2) return { size: 0 };
    flow.layerStack.push(name);
    if (state.calls === 0) {
      flow.icmpType = data[0]!;
      flow.icmpCode = data[1]!;
    }
    return { size: 8 };
  },
});
const ICMP = icmp('ICMP', 10);
const ICMPV6 = icmp('ICMPv6', 11);

const GRE: Parser = {
  name: 'GRE',
  layer: 40,
  id: 12,
  encapSkip: false,
  parse(flow, data) {
    if (data.length < 4) return { size: 0 };
    flow.layerStack.push('GRE');
    return { size: 4, next: byEtype(u16(data, 2)) };
  },
};

/** Parses a sampled frame from its Ethernet header on (goflow2's ParsePacket). */
export function parseFrame(flow: CollectedFlow, frame: Uint8Array): void {
  let parser: Parser | undefined = ETHERNET;
  let offset = 0;
  let encapsulated = false;
  const calls = new Map<number, number>();
  // Bounded: every layer but a 0-sized one moves forward, and a 0-sized one ends the chain.
  for (let guard = 0; parser !== undefined && frame.length >= offset && guard < 64; guard++) {
    const result: { size: number; next?: Parser } = parser.parse(flow, frame.subarray(offset), { base: !encapsulated, calls: calls.get(parser.id) ?? 0 });
    flow.layerSize.push(result.size);
    const next: Parser | undefined = result.next;
    if (next !== undefined && !next.encapSkip && next.layer <= parser.layer) encapsulated = true;
    if (next !== undefined) calls.set(next.id, (calls.get(next.id) ?? 0) + 1);
    offset += result.size;
    parser = next;
  }
}
