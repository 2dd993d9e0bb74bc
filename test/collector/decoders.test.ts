import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { CollectorSource, Conversations, toRecord } from '../../src/sources/collector/collector-source.js';
import { collectorSchema } from '../../src/sources/collector/config.js';
import { addressText, type CollectedFlow } from '../../src/sources/collector/flow.js';
import { parseListenUrl } from '../../src/sources/collector/listen.js';
import { DecodeError, NetflowDecoder } from '../../src/sources/collector/netflow.js';
import { decodeSflow } from '../../src/sources/collector/sflow.js';
import { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { sampleValue } from '../support/metrics-text.js';

// Crafted export packets for what the real exporters in exporters.test.ts do
// not send: options templates with sampling rates, variable-length and
// enterprise fields, withdrawals, data before its template, two exporters
// reusing one template id, sequence gaps, malformed packets; and a fuzz run.

const u16 = (value: number): number[] => [value >> 8, value & 0xff];
const u32 = (value: number): number[] => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
const ip = (text: string): number[] => text.split('.').map(Number);

function ipfix(sequence: number, domain: number, sets: number[][]): Uint8Array {
  const body = sets.flat();
  return new Uint8Array([...u16(10), ...u16(16 + body.length), ...u32(1_800_000_000), ...u32(sequence), ...u32(domain), ...body]);
}
const set = (id: number, content: number[]): number[] => {
  const padded = [...content, ...new Array<number>((4 - ((content.length + 4) % 4)) % 4).fill(0)];
  return [...u16(id), ...u16(4 + padded.length), ...padded];
};
/** Template 256: src, dst (IPv4), proto, ports, packets (8), octets (8), a variable-length interfaceName (82), an enterprise field (PEN 6876, 4 bytes). */
const TEMPLATE_256 = set(2, [...u16(256), ...u16(9), ...u16(8), ...u16(4), ...u16(12), ...u16(4), ...u16(4), ...u16(1), ...u16(7), ...u16(2), ...u16(11), ...u16(2), ...u16(2), ...u16(8), ...u16(1), ...u16(8), ...u16(82), ...u16(0xffff), ...u16(0x8000 | 891), ...u16(4), ...u32(6876)]);
const record256 = (src: string, dst: string, packets: number, bytes: number, name: string): number[] => [
  ...ip(src),
  ...ip(dst),
  6,
  ...u16(1234),
  ...u16(443),
  ...u32(0),
  ...u32(packets),
  ...u32(0),
  ...u32(bytes),
  name.length,
  ...Buffer.from(name),
  ...u32(0xdeadbeef),
];
/** Options template 300: scope observationDomainId (149), option samplingPacketInterval (305). */
const OPTIONS_300 = set(3, [...u16(300), ...u16(2), ...u16(1), ...u16(149), ...u16(4), ...u16(305), ...u16(4)]);

test('IPFIX: templates, variable-length and enterprise fields, sampling from options data, data before its template, withdrawal, per-exporter templates', () => {
  const decoder = new NetflowDecoder({ templateTimeoutMs: 60_000 });
  const exporterA = new Uint8Array([192, 0, 2, 1]);
  // Data first: no template yet.
  const early = decoder.decode(ipfix(0, 7, [set(256, record256('10.0.0.1', '10.0.0.2', 3, 300, 'eth0'))]), 'a', exporterA, 1_000);
  assert.equal(early.noTemplate, 1);
  assert.equal(early.flows.length, 0);
  // Templates, sampling options data and two data records in one message.
  const result = decoder.decode(ipfix(1, 7, [TEMPLATE_256, OPTIONS_300, set(300, [...u32(7), ...u32(100)]), set(256, [...record256('10.0.0.1', '10.0.0.2', 3, 300, 'eth0'), ...record256('10.0.0.3', '10.0.0.4', 5, 500, 'a-much-longer-interface-name')])]), 'a', exporterA, 2_000);
  assert.equal(result.templatesAdded, 2);
  assert.deepEqual(
    result.flows.map((flow) => [addressText(flow.srcAddr), addressText(flow.dstAddr), flow.proto, flow.srcPort, flow.dstPort, flow.packets, flow.bytes, flow.samplingRate, flow.observationDomainId]),
    [
      ['10.0.0.1', '10.0.0.2', 6, 1234, 443, 3n, 300n, 100, 7],
      ['10.0.0.3', '10.0.0.4', 6, 1234, 443, 5n, 500n, 100, 7],
    ],
  );
  assert.deepEqual(result.info, { version: 10, domain: 7, sequence: 1, unit: 'flows', advance: 3 }, 'RFC 7011: the sequence counts data records, options data records included');
  assert.equal(toRecord(result.flows[0]!, 'a').packetsOut, 300, 'the flow bus counts sampled packets times the rate');
  // Another exporter's template 256 is its own.
  assert.equal(decoder.decode(ipfix(0, 7, [set(256, record256('10.0.0.1', '10.0.0.2', 1, 1, 'x'))]), 'b', new Uint8Array([192, 0, 2, 2]), 2_000).noTemplate, 1);
  // Withdrawal (field count 0) forgets it.
  decoder.decode(ipfix(3, 7, [set(2, [...u16(256), ...u16(0)])]), 'a', exporterA, 3_000);
  assert.equal(decoder.decode(ipfix(3, 7, [set(256, record256('10.0.0.1', '10.0.0.2', 1, 1, 'x'))]), 'a', exporterA, 3_000).noTemplate, 1);
  // Expiry.
  decoder.decode(ipfix(4, 7, [TEMPLATE_256]), 'a', exporterA, 4_000);
  assert.equal(decoder.templateCount(), 2);
  assert.equal(decoder.expire(4_000 + 60_001), 2);
});

test('NetFlow v9: options template sampling (IE 34), uptime-relative times', () => {
  const decoder = new NetflowDecoder({ templateTimeoutMs: 60_000 });
  const header = (sequence: number): number[] => [...u16(9), ...u16(3), ...u32(100_000), ...u32(1_800_000_000), ...u32(sequence), ...u32(1)];
  const template = set(0, [...u16(260), ...u16(5), ...u16(8), ...u16(4), ...u16(12), ...u16(4), ...u16(2), ...u16(4), ...u16(22), ...u16(4), ...u16(21), ...u16(4)]);
  const options = set(1, [...u16(261), ...u16(4), ...u16(4), ...u16(1), ...u16(4), ...u16(34), ...u16(4)]);
  const packet = new Uint8Array([...header(9), ...template, ...options, ...set(261, [...u32(1), ...u32(64)]), ...set(260, [...ip('10.0.0.9'), ...ip('10.0.0.8'), ...u32(2), ...u32(40_000), ...u32(99_000)])]);
  const [flow] = decoder.decode(packet, 'r', new Uint8Array([192, 0, 2, 9]), 0).flows as [CollectedFlow];
  assert.equal(flow.samplingRate, 64);
  assert.equal(flow.timeFlowStartNs, 1_800_000_000n * 1_000_000_000n - 60_000n * 1_000_000n);
  assert.equal(flow.timeFlowEndNs, 1_800_000_000n * 1_000_000_000n - 1_000n * 1_000_000n);
});

test('sequence gaps and lost-flow estimates per exporter; malformed packets counted by reason, never thrown', async () => {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 1_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
  const source = new CollectorSource({ config: collectorSchema.parse({ listen: ['flow://127.0.0.1:2055'] }), logger: pino({ level: 'silent' }), metrics });
  const listener = parseListenUrl('flow://127.0.0.1:2055');
  const v5 = (sequence: number, count: number): Uint8Array => {
    const records = new Array<number>(48 * count).fill(0);
    return new Uint8Array([...u16(5), ...u16(count), ...u32(1_000), ...u32(1_800_000_000), ...u32(0), ...u32(sequence), 0, 0, ...u16(0), ...records]);
  };
  const from = { address: '192.0.2.7', port: 9999 };
  source.receive(listener, v5(100, 2), from);
  source.receive(listener, v5(102, 3), from); // in order
  source.receive(listener, v5(110, 1), from); // 5 flows lost
  source.receive(listener, v5(3, 1), from); // backwards: an exporter restart, not a gap
  source.receive(listener, new Uint8Array([0, 5, 0, 9]), from); // claims 9 records
  source.receive(listener, new Uint8Array([0, 7]), from);
  source.receive(listener, ipfix(0, 1, [set(2, [...u16(256), ...u16(3), ...u16(8)])]), from); // 3 fields announced, 1 there
  const long = ipfix(0, 1, []);
  long[3] = 200; // a message length beyond the datagram
  source.receive(listener, long, from);
  const text = await metrics.render('text');
  assert.equal(sampleValue(text, 'flowlens_collector_sequence_gaps_total', { protocol: 'netflow_v5', exporter: '192.0.2.7' }), 1);
  assert.equal(sampleValue(text, 'flowlens_collector_lost_total', { protocol: 'netflow_v5', exporter: '192.0.2.7', unit: 'flows' }), 5);
  assert.equal(sampleValue(text, 'flowlens_collector_malformed_packets_total', { exporter: '192.0.2.7', reason: 'truncated' }), 2);
  assert.equal(sampleValue(text, 'flowlens_collector_malformed_packets_total', { exporter: '192.0.2.7', reason: 'version' }), 1);
  assert.equal(sampleValue(text, 'flowlens_collector_malformed_packets_total', { exporter: '192.0.2.7', reason: 'length' }), 1);
});

test('listen URLs as goflow2 takes them; a bad one is a clear error', () => {
  assert.deepEqual(parseListenUrl('netflow://:2055?count=4&rcvbuf=8388608'), { url: 'netflow://:2055?count=4&rcvbuf=8388608', scheme: 'netflow', host: '', port: 2055, count: 4, rcvbuf: 8388608 });
  assert.equal(parseListenUrl('sflow://[::1]:6343').host, '::1');
  assert.throws(() => parseListenUrl('udp://:2055'), /scheme udp/);
  assert.throws(() => parseListenUrl('netflow://:0'), /a port is needed/);
  assert.throws(() => parseListenUrl('nfl://:2056?sockets=2'), /unknown parameter sockets/);
});

test('decoders fuzzed: mutated and random packets only ever raise DecodeError', () => {
  let state = 7;
  const random = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const seeds = [
    ipfix(1, 7, [TEMPLATE_256, OPTIONS_300, set(300, [...u32(7), ...u32(100)]), set(256, record256('10.0.0.1', '10.0.0.2', 3, 300, 'eth0'))]),
    new Uint8Array([...u16(5), ...u16(1), ...new Array<number>(20 + 48).fill(1)]),
    new Uint8Array([...u32(5), ...u32(1), ...ip('192.0.2.1'), ...u32(0), ...u32(1), ...u32(1), ...u32(1), ...u32(1), ...u32(40), ...u32(1), ...u32(1), ...u32(1), ...u32(0), ...u32(0), ...u32(1), ...u32(2), ...u32(1), ...u32(4), ...u32(0), ...u32(1), ...u32(1), ...u32(0)]),
  ];
  for (let i = 0; i < 3_000; i++) {
    let packet: Uint8Array;
    if (i % 3 === 0) packet = new Uint8Array(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
    else {
      packet = new Uint8Array(seeds[i % seeds.length]!);
      for (let m = 0; m < 1 + (i % 6); m++) packet[Math.floor(random() * packet.length)] = Math.floor(random() * 256);
      if (i % 5 === 0) packet = packet.slice(0, Math.floor(random() * packet.length));
    }
    const decoder = new NetflowDecoder({ templateTimeoutMs: 60_000 });
    for (const decode of [() => decoder.decode(packet, 'x', new Uint8Array(4), 0), () => decodeSflow(packet, 0)]) {
      try {
        decode();
      } catch (error) {
        assert.ok(error instanceof DecodeError, `${(error as Error).stack} for ${Buffer.from(packet).toString('hex')}`);
      }
    }
  }
});

test('a collector record keeps its identity through the enrichment stage copy', async () => {
  const { FlowKubeStage } = await import('../../src/enrich/flow-stage.js');
  const decoder = new NetflowDecoder({ templateTimeoutMs: 60_000 });
  const [flow] = decoder.decode(ipfix(1, 7, [TEMPLATE_256, set(256, record256('10.0.0.1', '10.0.0.2', 3, 300, 'eth0'))]), 'a', new Uint8Array([192, 0, 2, 1]), 2_000).flows as [CollectedFlow];
  const record = toRecord(flow, '192.0.2.1');
  assert.equal(record.id, `${record.key}|1234|1`);
  const cache = { isSynced: true, generation: 1, resolveIP: () => ({ pods: [], services: [], nodes: [{ metadata: { name: 'n1' } }] }), workload: () => ({ kind: 'Pod', name: 'x' }) };
  const [copy] = new FlowKubeStage(cache as never).process([record]);
  assert.notEqual(copy, record);
  assert.equal(copy!.src.kube?.node, 'n1');
  assert.equal(copy!.id, record.id);
  assert.equal(copy!.key, record.key);
});

test('interned endpoints: one enriched object per endpoint, one-off client ports their own copies, a replacing stage (reload) or a cache change resolves again', async () => {
  const { FlowKubeStage } = await import('../../src/enrich/flow-stage.js');
  const decoder = new NetflowDecoder({ templateTimeoutMs: 60_000 });
  const conversations = new Conversations();
  const records = (ports: number[]): ReturnType<typeof toRecord>[] =>
    ports.map((port, i) => {
      const record = record256('10.0.0.1', '10.0.0.2', 1, 100, 'eth0');
      record.splice(9, 2, ...u16(port)); // the source port
      const [flow] = decoder.decode(ipfix(i, 7, [TEMPLATE_256, set(256, record)]), 'a', new Uint8Array([192, 0, 2, 1]), 2_000).flows as [CollectedFlow];
      return toRecord(flow, '192.0.2.1', conversations);
    });
  const cacheOf = (node: string, generation: number) => ({ isSynced: true, generation, resolveIP: () => ({ pods: [], services: [], nodes: [{ metadata: { name: node } }] }), workload: () => ({ kind: 'Pod', name: 'x' }) });
  const cache = cacheOf('n1', 1);
  const stage = new FlowKubeStage(cache as never);
  const first = stage.process(records([1234, 1234]));
  assert.equal(first[0]!.dst, first[1]!.dst, 'the same enriched object for the same endpoint');
  assert.equal(first[0]!.src, first[1]!.src);
  assert.equal(first[0]!.dst.kube?.node, 'n1');
  // More than 64 source ports: the address's later ports are one-offs, each enriched with its own port.
  const many = stage.process(records(Array.from({ length: 70 }, (_, i) => 40_000 + i)));
  assert.deepEqual(many.map((record) => record.src.port), Array.from({ length: 70 }, (_, i) => 40_000 + i));
  assert.ok(many.every((record) => record.src.kube?.node === 'n1'));
  assert.equal(Object.keys(many[69]!.src).includes('memo'), false, 'the memo cell is not copied into records');
  // A replacing stage with other data takes the cells over.
  const replaced = new FlowKubeStage(cacheOf('n2', 5) as never).process(records([1234]));
  assert.equal(replaced[0]!.src.kube?.node, 'n2');
  assert.equal(replaced[0]!.dst.kube?.node, 'n2');
  // The first stage again, after its cache changed.
  cache.generation = 2;
  cache.resolveIP = () => ({ pods: [], services: [], nodes: [{ metadata: { name: 'n3' } }] });
  assert.equal(stage.process(records([1234]))[0]!.dst.kube?.node, 'n3');
});

test('sFlow counter samples: generic interface counters become the exporter interface families', async () => {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 1_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
  const source = new CollectorSource({ config: collectorSchema.parse({ listen: ['sflow://127.0.0.1:6343'] }), logger: pino({ level: 'silent' }), metrics });
  const u64 = (value: bigint): number[] => [...u32(Number(value >> 32n)), ...u32(Number(value & 0xffffffffn))];
  const generic = [...u32(7), ...u32(6), ...u64(10_000_000_000n), ...u32(1), ...u32(1), ...u64(123_456_789_012n), ...u32(5), ...u32(0), ...u32(0), ...u32(2), ...u32(3), ...u32(0), ...u64(987_654_321n), ...u32(5), ...u32(0), ...u32(0), ...u32(4), ...u32(1)];
  const sample = [...u32(1), ...u32(7), ...u32(1), ...u32(1), ...u32(generic.length), ...generic];
  const datagram = new Uint8Array([...u32(5), ...u32(1), ...ip('192.0.2.50'), ...u32(0), ...u32(1), ...u32(1_000), ...u32(1), ...u32(2), ...u32(sample.length), ...sample]);
  source.receive(parseListenUrl('sflow://127.0.0.1:6343'), datagram, { address: '192.0.2.50', port: 6343 });
  const text = await metrics.render('text');
  assert.equal(sampleValue(text, 'flowlens_collector_interface_octets_total', { exporter: '192.0.2.50', if_index: '7', direction: 'in' }), 123_456_789_012);
  assert.equal(sampleValue(text, 'flowlens_collector_interface_octets_total', { exporter: '192.0.2.50', if_index: '7', direction: 'out' }), 987_654_321);
  assert.equal(sampleValue(text, 'flowlens_collector_interface_errors_total', { exporter: '192.0.2.50', if_index: '7', direction: 'in', kind: 'errors' }), 3);
  assert.equal(sampleValue(text, 'flowlens_collector_interface_errors_total', { exporter: '192.0.2.50', if_index: '7', direction: 'out', kind: 'discards' }), 4);
  assert.equal(sampleValue(text, 'flowlens_collector_sflow_counter_samples_total', { exporter: '192.0.2.50' }), 1);
});
