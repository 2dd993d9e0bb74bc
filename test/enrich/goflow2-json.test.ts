import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { parseFlowMessage } from '../../src/enrich/flow-message.js';
import { renderFlowMessage, v2ProtocolName } from '../../src/enrich/goflow2-json.js';

// Golden renderings: what goflow2's JSON formatter prints for these messages,
// worked out from its renderers (goflow2 v1.0.4 format/common/text.go; v2.2.x
// producer/proto/render.go and messages.go) and Go's address formatting
// (net.IP for v1, net/netip for v2). Each case exercises a rule that differs
// from a naive rendering.

const fixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/goflow2/${name}`, import.meta.url));
const v1 = (await protobuf.load(fixture('flow-v1.proto'))).lookupType('flowpb.FlowMessage');
const v2 = (await protobuf.load(fixture('flow-v2.proto'))).lookupType('flowpb.FlowMessage');

const ip4 = (text: string): Uint8Array => Uint8Array.from(text.split('.').map(Number));
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/[^0-9a-f]/g, ''), 'hex'));
/** ::ffff:a.b.c.d as 16 bytes, as IPFIX exporters send IPv4 in IPv6 fields. */
const mapped = (text: string): Uint8Array => Uint8Array.from([...new Array(10).fill(0), 0xff, 0xff, ...ip4(text)]);

function render(type: protobuf.Type, fields: Record<string, unknown>): string {
  const message = parseFlowMessage(type.encode(type.create(fields)).finish());
  assert.ok(message, 'well-formed');
  return `${renderFlowMessage(message)}}`;
}

test('goflow2 v2.2: every field in proto order; IPv4-mapped kept as ::ffff:, masked networks, invalid Prefix, layer_stack by name, MAC from the low 48 bits', () => {
  const line = render(v2, {
    type: 4,
    timeReceivedNs: '1700000000123456789',
    sequenceNum: 7,
    samplingRate: 1,
    samplerAddress: ip4('10.0.0.1'),
    timeFlowStartNs: '1700000000000000000',
    timeFlowEndNs: '1700000000999999999',
    bytes: 1500,
    packets: 3,
    srcAddr: mapped('10.244.1.10'),
    dstAddr: hex('fd00 0010 0244 0002 0000 0000 0000 000c'),
    etype: 0x86dd,
    proto: 58,
    inIf: 2,
    outIf: 3,
    srcMac: 0x0a580af40005,
    dstMac: '18446473971990003713', // 0xffff0a580af40001: bits above 48 are not part of the MAC
    ipTtl: 64,
    ipFlags: 2,
    icmpType: 128,
    srcNet: 120,
    dstNet: 200, // longer than an IPv6 address: Go's Prefix fails, its zero value prints "invalid Prefix"
    bgpNextHop: Uint8Array.from([1, 2, 3, 4, 5]), // neither 4 nor 16 bytes: ""
    bgpCommunities: [1, 2],
    mplsLabel: [16],
    mplsIp: [ip4('10.1.1.1'), mapped('1.2.3.4')],
    observationDomainId: 5,
    layerStack: [0, 2, 8, 42], // 42 is no LayerStack value: its number, as protobuf-go's String() gives it
    layerSize: [14, 40, 8, 0],
  });
  assert.equal(
    line,
    '{"type":"IPFIX","time_received_ns":1700000000123456789,"sequence_num":7,"sampling_rate":1,"sampler_address":"10.0.0.1",' +
      '"time_flow_start_ns":1700000000000000000,"time_flow_end_ns":1700000000999999999,"bytes":1500,"packets":3,' +
      '"src_addr":"::ffff:10.244.1.10","dst_addr":"fd00:10:244:2::c","etype":"IPv6","proto":"IPv6-ICMP","src_port":0,"dst_port":0,"in_if":2,"out_if":3,' +
      '"src_mac":"0a:58:0a:f4:00:05","dst_mac":"0a:58:0a:f4:00:01","src_vlan":0,"dst_vlan":0,"vlan_id":0,"ip_tos":0,"forwarding_status":0,"ip_ttl":64,"ip_flags":2,' +
      '"tcp_flags":0,"icmp_type":128,"icmp_code":0,"ipv6_flow_label":0,"fragment_id":0,"fragment_offset":0,"src_as":0,"dst_as":0,"next_hop":"","next_hop_as":0,' +
      '"src_net":"::ffff:10.244.1.0/120","dst_net":"invalid Prefix","bgp_next_hop":"","bgp_communities":[1,2],"as_path":[],"mpls_ttl":[],"mpls_label":[16],' +
      '"mpls_ip":["10.1.1.1","::ffff:1.2.3.4"],"observation_domain_id":5,"observation_point_id":0,"layer_stack":["Ethernet","IPv6","ICMPv6","42"],' +
      '"layer_size":[14,40,8,0],"ipv6_routing_header_addresses":[],"ipv6_routing_header_seg_left":0}',
  );
});

test('goflow2 v2.2: unknown flow type and etype, its own protocol table and ranges, networks without an address', () => {
  const line = render(v2, { type: 9, timeReceivedNs: 1, etype: 0x8847, proto: 200, srcAddr: ip4('192.0.2.77'), srcNet: 33, dstNet: 0 });
  assert.match(line, /^\{"type":"9","time_received_ns":1,/);
  assert.match(line, /"src_addr":"192\.0\.2\.77","dst_addr":"","etype":"","proto":"unassigned",/);
  assert.match(line, /"src_net":"invalid Prefix","dst_net":"invalid Prefix",/, 'a /33 of IPv4, and no address at all');
  assert.match(render(v2, { timeReceivedNs: 1, srcAddr: ip4('192.0.2.77'), srcNet: 25, dstAddr: mapped('10.1.2.3'), dstNet: 24 }), /"src_net":"192\.0\.2\.0\/25","dst_net":"::\/24"/);
  const names: Record<number, string> = { 0: 'HOPOPT', 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'IPv6-ICMP', 89: 'OSPFIGP', 124: 'ISIS over IPv4', 132: 'SCTP', 145: 'NSH', 146: 'unassigned', 252: 'unassigned', 253: 'experimental', 254: 'experimental', 255: 'reserved', 256: 'unknown' };
  for (const [number, name] of Object.entries(names)) assert.equal(v2ProtocolName(Number(number)), name, `protocol ${number}`);
});

test('goflow2 v1.0: the CamelCase list, IPv4-mapped as dotted IPv4 (net.IP), names from its own small tables, ICMP names', () => {
  const line = render(v1, {
    type: 2,
    timeReceived: 1628419398,
    sequenceNum: 577,
    samplerAddress: ip4('10.244.0.2'),
    timeFlowStart: 1628419390,
    timeFlowEnd: 1628419398,
    bytes: 20800,
    packets: 400,
    srcAddr: mapped('10.244.1.10'),
    dstAddr: hex('2001 0db8 0000 0000 0001 0000 0000 0001'),
    etype: 0x800,
    proto: 1,
    inIf: 12,
    srcMac: 0x0a580af40005,
    icmpType: 8,
    nextHop: Uint8Array.from([1, 2, 3]),
    srcNet: 24,
  });
  assert.equal(
    line,
    '{"Type":"NETFLOW_V5","TimeReceived":1628419398,"SequenceNum":577,"SamplingRate":0,"SamplerAddress":"10.244.0.2","TimeFlowStart":1628419390,' +
      '"TimeFlowEnd":1628419398,"Bytes":20800,"Packets":400,"SrcAddr":"10.244.1.10","DstAddr":"2001:db8::1:0:0:1","Etype":2048,"Proto":1,"SrcPort":0,' +
      '"DstPort":0,"InIf":12,"OutIf":0,"SrcMac":"0a:58:0a:f4:00:05","DstMac":"00:00:00:00:00:00","SrcVlan":0,"DstVlan":0,"VlanId":0,"IngressVrfID":0,' +
      '"EgressVrfID":0,"IPTos":0,"ForwardingStatus":0,"IPTTL":0,"TCPFlags":0,"IcmpType":8,"IcmpCode":0,"IPv6FlowLabel":0,"FragmentId":0,"FragmentOffset":0,' +
      '"BiFlowDirection":0,"SrcAS":0,"DstAS":0,"NextHop":"","NextHopAS":0,"SrcNet":24,"DstNet":0,"EtypeName":"IPv4","ProtoName":"ICMP","IcmpName":"Echo"}',
  );
  const other = render(v1, { type: 9, etype: 0x8847, proto: 58, icmpType: 128 });
  assert.match(other, /^\{"Type":"9",/);
  assert.ok(other.endsWith('"EtypeName":"","ProtoName":"ICMPv6","IcmpName":"EchoRequest"}'), other);
  assert.ok(render(v1, { timeReceived: 1, proto: 132 }).endsWith('"EtypeName":"","ProtoName":"","IcmpName":""}'), 'v1.0 has no name for SCTP');
  assert.ok(render(v1, { timeReceived: 1, proto: 6, icmpType: 8 }).endsWith('"ProtoName":"TCP","IcmpName":""}'), 'ICMP names only for ICMP');
});
