import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { CollectorSource } from '../../src/sources/collector/collector-source.js';
import { collectorSchema } from '../../src/sources/collector/config.js';
import { addressText, type CollectedFlow } from '../../src/sources/collector/flow.js';
import { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { sampleValue } from '../support/metrics-text.js';
import { tempDir } from '../support/temp.js';
import { pythonModuleSkip, toolSkip } from '../support/tools.js';
import { freePort } from './udp.js';
import { ipBytes, writePcap, type Conversation } from './pcap.js';

// The collector against real exporters: softflowd (NetFlow v5, v9, IPFIX)
// and pmacct's pmacctd (nfprobe: NetFlow v9 and IPFIX; sfprobe: sFlow v5),
// each reading the same pcap of scripted conversations and exporting over
// loopback. NetFlow and IPFIX exports are also sent to nfdump's nfcapd, whose
// `nfdump -o json` is the reference decoding; every flow's addresses, ports,
// protocol, packets and bytes must match it and the conversations.

const skip = toolSkip('softflowd', 'nfcapd', 'nfdump', 'pmacctd');
const logger = pino({ level: 'silent' });
const children: number[] = [];
after(() => {
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

const t0 = Math.floor(Date.now() / 1000) - 120;
const CONVERSATIONS: Conversation[] = [
  { src: '10.1.0.1', dst: '10.1.0.2', proto: 'tcp', srcPort: 40000, dstPort: 80, packets: 6, payload: 100, start: t0 },
  { src: '10.1.0.3', dst: '10.1.0.4', proto: 'udp', srcPort: 5353, dstPort: 53, packets: 3, payload: 40, start: t0 + 1 },
  { src: '10.1.0.5', dst: '10.1.0.6', proto: 'tcp', srcPort: 41000, dstPort: 443, packets: 4, payload: 500, start: t0 + 2 },
  { src: '10.1.0.7', dst: '10.1.0.8', proto: 'udp', srcPort: 123, dstPort: 123, packets: 2, payload: 48, start: t0 + 3 },
];

interface Row {
  src: string;
  dst: string;
  proto: number;
  srcPort: number;
  dstPort: number;
  packets: number;
  bytes: number;
  /** A biflow's reverse counters (nfdump's out_packets / out_bytes). */
  reversePackets?: number;
  reverseBytes?: number;
}
const rowKey = (row: Row): string => `${row.src}:${row.srcPort}>${row.dst}:${row.dstPort}/${row.proto}`;
const sorted = (rows: Row[]): string[] => rows.map((row) => `${rowKey(row)} ${row.packets}p ${row.bytes}B`).sort();

const TRUTH: Row[] = CONVERSATIONS.map((c) => ({ src: c.src, dst: c.dst, proto: c.proto === 'tcp' ? 6 : 17, srcPort: c.srcPort, dstPort: c.dstPort, packets: c.packets, bytes: c.packets * ipBytes(c) }));


/** Starts the collector on a free port; runs `exporter(port)`; returns the decoded flows and the metrics text. */
async function collect(exporter: (port: number) => void, settleMs = 500): Promise<{ flows: CollectedFlow[]; text: string }> {
  const port = await freePort();
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 1_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
  const flows: CollectedFlow[] = [];
  const source = new CollectorSource({ config: collectorSchema.parse({ listen: [`flow://127.0.0.1:${port}`] }), logger, metrics, onFlows: (batch) => flows.push(...batch) });
  await source.start();
  try {
    exporter(port);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { flows, text: await metrics.render('text') };
  } finally {
    await source.stop();
  }
}

const rowsOf = (flows: readonly CollectedFlow[]): Row[] =>
  flows.map((flow) => ({ src: addressText(flow.srcAddr), dst: addressText(flow.dstAddr), proto: flow.proto, srcPort: flow.srcPort, dstPort: flow.dstPort, packets: Number(flow.packets), bytes: Number(flow.bytes) }));

/** nfdump's decoding of what `exporter(port)` sends to nfcapd. */
async function reference(exporter: (port: number) => void): Promise<Row[]> {
  const port = await freePort();
  const dir = tempDir('nfcapd');
  const child = spawn('nfcapd', ['-w', dir, '-p', String(port), '-b', '127.0.0.1'], { stdio: 'ignore' });
  children.push(child.pid!);
  await new Promise((resolve) => setTimeout(resolve, 700));
  exporter(port);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM'); // nfcapd writes its file on exit
  await exited;
  assert.ok(readdirSync(dir).some((file) => file.startsWith('nfcapd.')), 'nfcapd wrote no file');
  const result = spawnSync('nfdump', ['-R', dir, '-o', 'json'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  const records = JSON.parse(result.stdout || '[]') as Array<Record<string, unknown>>;
  return records.map((record) => ({
    src: String(record.src4_addr ?? record.src6_addr),
    dst: String(record.dst4_addr ?? record.dst6_addr),
    proto: Number(record.proto),
    srcPort: Number(record.src_port),
    dstPort: Number(record.dst_port),
    packets: Number(record.in_packets),
    bytes: Number(record.in_bytes),
    reversePackets: Number(record.out_packets ?? 0),
    reverseBytes: Number(record.out_bytes ?? 0),
  }));
}

describe('the collector against real exporters over loopback', { skip }, () => {
  const dir = skip ? '' : tempDir('exporters');
  const pcap = join(dir, 'conversations.pcap');
  if (!skip) writePcap(pcap, CONVERSATIONS);

  const softflowd = (version: string) => (port: number): void => {
    const result = spawnSync('softflowd', ['-r', pcap, '-v', version, '-n', `127.0.0.1:${port}`, '-d'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 0, result.stderr);
  };
  const pmacctd = (plugin: 'nfprobe' | 'sfprobe', extra: string) => (port: number): void => {
    const config = join(dir, `pmacctd-${plugin}-${port}.conf`);
    writeFileSync(config, `daemonize: false\npcap_savefile: ${pcap}\nplugins: ${plugin}\n${plugin}_receiver: 127.0.0.1:${port}\n${extra}\n`);
    const result = spawnSync('pmacctd', ['-f', config], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, result.stderr + result.stdout);
  };

  for (const [name, exporter, protocol] of [
    ['softflowd NetFlow v5', softflowd('5'), 'netflow_v5'],
    ['softflowd NetFlow v9', softflowd('9'), 'netflow_v9'],
    ['softflowd IPFIX', softflowd('10'), 'ipfix'],
    ['pmacctd nfprobe NetFlow v9', pmacctd('nfprobe', 'nfprobe_version: 9'), 'netflow_v9'],
    ['pmacctd nfprobe IPFIX', pmacctd('nfprobe', 'nfprobe_version: 10'), 'ipfix'],
  ] as const) {
    test(`${name}: every flow as nfdump decodes it, and as the conversations were sent`, async () => {
      const { flows, text } = await collect(exporter);
      const ours = sorted(rowsOf(flows));
      assert.deepEqual(ours, sorted(TRUTH), 'the conversations');
      assert.deepEqual(ours, sorted(await reference(exporter)), "nfdump's decoding");
      assert.equal(sampleValue(text, 'flowlens_collector_flows_total', { protocol, exporter: '127.0.0.1' }), TRUTH.length);
      assert.equal(sampleValue(text, 'flowlens_collector_malformed_packets_total', { exporter: '127.0.0.1', reason: 'truncated' }), undefined);
      for (const flow of flows) assert.ok(flow.timeFlowEndNs >= flow.timeFlowStartNs && flow.timeFlowStartNs > 0n, 'flow times');
    });
  }

  test('pmacctd sfprobe sFlow v5: one flow per sampled packet, headers parsed (Ethernet, IPv4, TCP/UDP), frame lengths', async () => {
    const { flows, text } = await collect(pmacctd('sfprobe', 'sfprobe_sampling_rate: 1'), 1_000);
    const perConversation = new Map<string, Row>();
    for (const row of rowsOf(flows)) {
      const key = rowKey(row);
      const sum = perConversation.get(key) ?? { ...row, packets: 0, bytes: 0 };
      sum.packets += row.packets;
      sum.bytes += row.bytes;
      perConversation.set(key, sum);
    }
    // sFlow counts the sampled frame: IP bytes plus the Ethernet header and FCS (18).
    const truth = TRUTH.map((row) => ({ ...row, bytes: row.bytes + 18 * row.packets }));
    assert.deepEqual(sorted([...perConversation.values()]), sorted(truth));
    assert.ok(flows.every((flow) => flow.samplingRate === 1 && flow.type === 'SFLOW_5' && flow.etype === 0x800));
    // goflow2's layer stack and sizes: its TCP layer is 20 plus 4 x the high nibble of byte 13 (the flags byte, where the
    // header length is in byte 12): 20 for a SYN, 24 with ACK set.
    for (const flow of flows) {
      const tcp = flow.proto === 6;
      assert.deepEqual(flow.layerStack, ['Ethernet', 'IPv4', tcp ? 'TCP' : 'UDP']);
      assert.deepEqual(flow.layerSize, [14, 20, tcp ? 20 + (flow.tcpFlags >> 4) * 4 : 8]);
      assert.equal(flow.srcMac, 0x020000000001n);
    }
    assert.equal(sampleValue(text, 'flowlens_collector_flows_total', { protocol: 'sflow', exporter: '127.0.0.1' }), TRUTH.reduce((sum, row) => sum + row.packets, 0));
  });
});

describe('collector flows through the agent: enriched from the Kubernetes cache into the flow metrics', { skip }, () => {
  test('softflowd IPFIX -> collector -> enrichment -> flowlens_flow_* by workload (not by address)', async () => {
    const { Agent } = await import('../../src/agent.js');
    const { componentDefinitions } = await import('../../src/registry.js');
    const { loadConfig } = await import('../../src/config/load.js');
    const { KubeApiServer } = await import('../support/kube-api-server.js');
    const { pod } = await import('../support/kube-fixtures.js');
    const { eventually } = await import('../support/metrics-text.js');
    const api = new KubeApiServer();
    await api.start();
    try {
      api.apply('replicasets', { metadata: { name: 'web-6f7d9', namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u1', controller: true }] } });
      api.apply('pods', pod({ namespace: 'shop', name: 'web-6f7d9-abcde', node: 'n1', ips: ['10.1.0.2'], owners: [{ kind: 'ReplicaSet', name: 'web-6f7d9' }] }));
      api.apply('pods', pod({ namespace: 'shop', name: 'client', node: 'n1', ips: ['10.1.0.1'] }));
      const port = await freePort();
      const dir = tempDir('collector-agent');
      const pcapFile = join(dir, 'c.pcap');
      writePcap(pcapFile, CONVERSATIONS);
      const loaded = loadConfig({
        env: { FLOWLENS_ENABLE: 'collector' },
        flags: { listen: '127.0.0.1:0', set: [`kubernetes.kubeconfig=${api.writeKubeconfig()}`, `collector.listen=[netflow://127.0.0.1:${port}]`] },
        definitions: componentDefinitions,
      });
      const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger, version: 'test' });
      try {
        await agent.start();
        const metricsText = async (): Promise<string> => (await fetch(`${agent.server.url}/metrics`)).text();
        await eventually(async () => (await metricsText()).includes('flowlens_kube_synced{kind="pods"} 1'), metricsText, 10_000);
        const result = spawnSync('softflowd', ['-r', pcapFile, '-v', '10', '-n', `127.0.0.1:${port}`, '-d'], { encoding: 'utf8', timeout: 20_000 });
        assert.equal(result.status, 0, result.stderr);
        const labels = { action: 'unspecified', reporter: 'unspecified', protocol: 'tcp', src_namespace: 'shop', src_name: 'client', src_type: 'workload', dst_namespace: 'shop', dst_name: 'web', dst_type: 'workload', dst_port: '80', direction: 'out' };
        await eventually(async () => sampleValue(await metricsText(), 'flowlens_flow_packets_total', labels) === 6, metricsText, 10_000);
        const text = await metricsText();
        assert.equal(sampleValue(text, 'flowlens_flow_bytes_total', labels), 6 * ipBytes(CONVERSATIONS[0]!));
        // Addresses no pod holds stay networks, never become label values.
        assert.equal(sampleValue(text, 'flowlens_flow_packets_total', { ...labels, src_namespace: '', src_name: 'pvt', src_type: 'network', dst_namespace: '', dst_name: 'pvt', dst_type: 'network', protocol: 'udp', dst_port: '53' }), 3);
        assert.ok(!/src_name="10\./.test(text), 'no address in a label');
        assert.equal(sampleValue(text, 'flowlens_flow_packets_total', { ...labels, direction: 'in' }), undefined, 'a collector record counts one direction: no zero "in" series');
        assert.equal(sampleValue(text, 'flowlens_flow_records_total', { source: 'collector' }), 4);

        // The address is reused by another workload's pod: the same flow key now counts under the new workload.
        api.delete('pods', 'shop', 'web-6f7d9-abcde');
        api.apply('pods', pod({ namespace: 'shop', name: 'api', node: 'n1', ips: ['10.1.0.2'] }));
        await eventually(async () => (await agent.kube())?.resolveIP('10.1.0.2').pods[0]?.metadata.name === 'api', () => 'pod not replaced', 10_000);
        const again = spawnSync('softflowd', ['-r', pcapFile, '-v', '10', '-n', `127.0.0.1:${port}`, '-d'], { encoding: 'utf8', timeout: 20_000 });
        assert.equal(again.status, 0, again.stderr);
        const api2 = { ...labels, dst_name: 'api' };
        await eventually(async () => sampleValue(await metricsText(), 'flowlens_flow_packets_total', api2) === 6, metricsText, 10_000);
        assert.equal(sampleValue(await metricsText(), 'flowlens_flow_packets_total', labels), 6, 'the old workload keeps its count and gets nothing more');
      } finally {
        await agent.stop(5_000);
      }
    } finally {
      await api.stop();
    }
  });
});

// python-ipfix (Brian Trammell's, Debian's python3-ipfix), an IPFIX encoder
// independent of the others: RFC 5103 biflow records (reverse counters,
// enterprise 29305) and a vendor element nobody decodes (VMware's PEN 6876).
const BIFLOW_EXPORTER = `
import sys, socket, datetime, ipaddress
import ipfix.ie, ipfix.template, ipfix.message
ipfix.ie.use_iana_default(); ipfix.ie.use_5103_default()
ipfix.ie.for_spec("vendorTenantId(6876/950)<unsigned32>[4]")
tmpl = ipfix.template.from_ielist(300, ipfix.ie.spec_list([
  "sourceIPv4Address", "destinationIPv4Address", "protocolIdentifier", "sourceTransportPort", "destinationTransportPort",
  "packetDeltaCount", "octetDeltaCount", "reversePacketDeltaCount", "reverseOctetDeltaCount",
  "flowStartMilliseconds", "flowEndMilliseconds", "vendorTenantId"]))
msg = ipfix.message.MessageBuffer()
msg.begin_export(42)
msg.add_template(tmpl)
msg.export_ensure_set(300)
t0 = datetime.datetime.utcnow().replace(microsecond=0) - datetime.timedelta(seconds=60)
for (sport, p, o, rp, ro) in [(40001, 3, 180, 0, 0), (40000, 10, 1500, 8, 9000)]:
  msg.export_namedict({"sourceIPv4Address": ipaddress.ip_address("10.1.0.1"), "destinationIPv4Address": ipaddress.ip_address("10.1.0.2"),
    "protocolIdentifier": 6, "sourceTransportPort": sport, "destinationTransportPort": 80, "packetDeltaCount": p, "octetDeltaCount": o,
    "reversePacketDeltaCount": rp, "reverseOctetDeltaCount": ro, "flowStartMilliseconds": t0,
    "flowEndMilliseconds": t0 + datetime.timedelta(seconds=5), "vendorTenantId": 7})
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(msg.to_bytes(), ("127.0.0.1", int(sys.argv[1])))
`;

describe('python-ipfix: RFC 5103 biflows and vendor elements', { skip: skip || pythonModuleSkip('ipfix', 'python3-ipfix') }, () => {
  const send = (port: number): void => {
    const result = spawnSync('/usr/bin/python3', ['-c', BIFLOW_EXPORTER, String(port)], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 0, result.stderr);
  };
  const line = (row: Row): string => `${rowKey(row)} ${row.packets}p ${row.bytes}B, reverse ${row.reversePackets}p ${row.reverseBytes}B`;

  test('reverse counters decoded as nfdump decodes them, the vendor element skipped; the flow metrics count them inbound', async () => {
    const { flows, text } = await collect(send);
    const ours = rowsOf(flows)
      .map((row, i) => line({ ...row, reversePackets: Number(flows[i]!.reversePackets), reverseBytes: Number(flows[i]!.reverseBytes) }))
      .sort();
    assert.deepEqual(ours, ['10.1.0.1:40000>10.1.0.2:80/6 10p 1500B, reverse 8p 9000B', '10.1.0.1:40001>10.1.0.2:80/6 3p 180B, reverse 0p 0B']);
    assert.deepEqual(ours, (await reference(send)).map(line).sort(), "nfdump's decoding");
    assert.equal(sampleValue(text, 'flowlens_collector_malformed_packets_total', { exporter: '127.0.0.1', reason: 'truncated' }), undefined);

    // Through the flow bus: src -> dst as "out", the reverse as "in", one key for both records.
    const { FlowBus } = await import('../../src/flow/flow-bus.js');
    const { FlowMetrics } = await import('../../src/sinks/prometheus/flow-metrics.js');
    const { eventually } = await import('../support/metrics-text.js');
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 1_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
    const bus = new FlowBus(metrics);
    bus.subscribe(new FlowMetrics(metrics), 'prometheus');
    const port = await freePort();
    const source = new CollectorSource({ config: collectorSchema.parse({ listen: [`netflow://127.0.0.1:${port}`] }), logger, metrics, flows: bus });
    await source.start();
    try {
      send(port);
      const labels = { action: 'unspecified', reporter: 'unspecified', protocol: 'tcp', src_namespace: '', src_name: 'pvt', src_type: 'network', dst_namespace: '', dst_name: 'pvt', dst_type: 'network', dst_port: '80' };
      const rendered = (): Promise<string> => metrics.render('text');
      await eventually(async () => sampleValue(await rendered(), 'flowlens_flow_records_total', { source: 'collector' }) === 2, rendered, 5_000);
      const after = await rendered();
      assert.equal(sampleValue(after, 'flowlens_flow_packets_total', { ...labels, direction: 'out' }), 13);
      assert.equal(sampleValue(after, 'flowlens_flow_bytes_total', { ...labels, direction: 'out' }), 1680);
      assert.equal(sampleValue(after, 'flowlens_flow_packets_total', { ...labels, direction: 'in' }), 8);
      assert.equal(sampleValue(after, 'flowlens_flow_bytes_total', { ...labels, direction: 'in' }), 9000);
    } finally {
      await source.stop();
    }
  });
});
