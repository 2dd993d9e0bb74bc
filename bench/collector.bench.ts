import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { FlowKubeStage } from '../src/enrich/flow-stage.js';
import { FlowBus } from '../src/flow/flow-bus.js';
import { loadKubeConfig } from '../src/kube/config.js';
import { KubeCache } from '../src/kube/metadata-cache.js';
import { MetricsPipeline } from '../src/metrics/pipeline.js';
import { FlowMetrics } from '../src/sinks/prometheus/flow-metrics.js';
import { CollectorSource } from '../src/sources/collector/collector-source.js';
import { collectorSchema } from '../src/sources/collector/config.js';
import { parseListenUrl } from '../src/sources/collector/listen.js';
import { NetflowDecoder } from '../src/sources/collector/netflow.js';
import { podIp } from './kube-cluster.js';
import { median, report } from './report.js';

// The collector on IPFIX with a realistic 20-field template, 20 records per
// message, addresses from a 5,000-pod cluster:
// (a) decode only, and decode + enrich (the Kubernetes cache) + count (the
//     Prometheus flow families) through the flow bus, on one core;
// (b) over real UDP on loopback from a sender process, against nfdump's
//     nfcapd on the same packets in the same run: CPU seconds per million
//     records each (/proc/<pid>/stat for nfcapd; process.cpuUsage here, every
//     thread: the event loop, V8's garbage collection helpers, the worker
//     serving the cluster; and the event loop's thread alone), and
//     records lost at a fixed offered rate of 100,000 records/s.

const PODS = 5_000;
const RECORDS_PER_MESSAGE = 20;
const MESSAGES = 50_000; // one million records
const RATE = 100_000; // records/s offered over UDP
const SECONDS = 3;

const u16 = (value: number): number[] => [value >> 8, value & 0xff];
const u32 = (value: number): number[] => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
const ip = (text: string): number[] => text.split('.').map(Number);

/** IE id and length: addresses, masks, protocol, ToS, TCP flags, ports, interfaces, next hop, AS, VLAN, IP version, forwarding status, counters, times. */
const FIELDS: ReadonlyArray<readonly [number, number]> = [[8, 4], [12, 4], [9, 1], [13, 1], [4, 1], [5, 1], [6, 1], [7, 2], [11, 2], [10, 4], [14, 4], [15, 4], [16, 4], [17, 4], [58, 2], [60, 1], [89, 1], [2, 8], [1, 8], [152, 8], [153, 8]];
const TEMPLATE_SET = (() => {
  const body = [...u16(256), ...u16(FIELDS.length), ...FIELDS.flatMap(([id, length]) => [...u16(id), ...u16(length)])];
  return [...u16(2), ...u16(4 + body.length), ...body];
})();

function message(sequence: number, index: number, withTemplate: boolean): Buffer {
  const now = BigInt(Date.now());
  const records: number[] = [];
  for (let r = 0; r < RECORDS_PER_MESSAGE; r++) {
    const n = index * RECORDS_PER_MESSAGE + r;
    records.push(...ip(podIp((n * 7) % PODS)), ...ip(podIp((n * 13 + 1) % PODS)), 24, 24, 6, 0, 0x1b, ...u16(30_000 + (n % 20_000)), ...u16([80, 443, 8080, 53][n % 4]!), ...u32(1), ...u32(2), ...ip('10.255.0.1'), ...u32(0), ...u32(0), ...u16(0), 4, 0x40);
    records.push(...u32(0), ...u32(10 + (n % 90)), ...u32(0), ...u32(1_500 * (10 + (n % 90))));
    const end = now - BigInt(n % 1000);
    for (const time of [end - 15_000n, end]) records.push(...u32(Number(time >> 32n)), ...u32(Number(time & 0xffffffffn)));
  }
  const sets = [...(withTemplate ? TEMPLATE_SET : []), ...u16(256), ...u16(4 + records.length), ...records];
  return Buffer.from([...u16(10), ...u16(16 + sets.length), ...u32(Math.floor(Date.now() / 1000)), ...u32(sequence), ...u32(1), ...sets]);
}

const packets = Array.from({ length: MESSAGES }, (_, i) => message(i * RECORDS_PER_MESSAGE, i, i % 1_000 === 0));
const recordLength = (packets[1]!.length - 20) / RECORDS_PER_MESSAGE;

// The cluster in a worker thread (its objects in another heap).
const worker = new Worker(new URL('./kube-cluster.js', import.meta.url), { workerData: { pods: PODS, services: 100 } });
const kubeconfig = await new Promise<string>((resolve) => worker.once('message', resolve));
const logger = pino({ level: 'silent' });
const loaded = await loadKubeConfig({ kubeconfig });
const cache = new KubeCache({ config: loaded!.config, logger, kinds: ['pods', 'services', 'nodes', 'replicasets'] });
await cache.start();
await cache.synced(AbortSignal.timeout(60_000));

function decodeOnly(): number {
  const decoder = new NetflowDecoder({ templateTimeoutMs: 600_000 });
  const exporter = new Uint8Array([127, 0, 0, 1]);
  let records = 0;
  const begin = performance.now();
  for (const packet of packets) records += decoder.decode(packet, 'bench', exporter, Date.now()).flows.length;
  if (records !== MESSAGES * RECORDS_PER_MESSAGE) throw new Error(`decoded ${records}`);
  return performance.now() - begin;
}

function pipeline(): { metrics: MetricsPipeline; source: CollectorSource; bus: FlowBus } {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100_000, seriesTtlMs: 600_000, version: 'bench', processMetrics: false });
  const bus = new FlowBus(metrics);
  const stage = new FlowKubeStage(cache, metrics);
  bus.addStage((records) => stage.process(records), 'enrichment');
  bus.subscribe(new FlowMetrics(metrics));
  const source = new CollectorSource({ config: collectorSchema.parse({ listen: ['netflow://127.0.0.1:1'], queueSize: 1_000_000 }), logger, metrics, flows: bus });
  return { metrics, source, bus };
}

async function endToEnd(): Promise<{ ms: number; counted: number }> {
  const { metrics, source } = pipeline();
  const listener = parseListenUrl('netflow://127.0.0.1:2055');
  const from = { address: '127.0.0.1', port: 40_000 };
  const begin = performance.now();
  for (let i = 0; i < packets.length; i++) {
    source.receive(listener, packets[i]!, from);
    if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve)); // a socket read delivers a burst; the queue drains between
  }
  let text = await metrics.render('text');
  const counted = (): number => Number(/^flowlens_flow_records_total\{source="collector"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  while (counted() < MESSAGES * RECORDS_PER_MESSAGE) {
    await new Promise((resolve) => setImmediate(resolve));
    text = await metrics.render('text');
  }
  return { ms: performance.now() - begin, counted: counted() };
}

/** Sends the packets over UDP at `rate` records/s for `seconds` from a child process; resolves with the records sent. */
function sendAt(port: number, rate: number, seconds: number): Promise<number> {
  const script = `
    const dgram = require('node:dgram');
    const packets = require('node:v8').deserialize(require('node:fs').readFileSync(process.argv[1]));
    const socket = dgram.createSocket('udp4');
    const perTick = Math.max(1, Math.round(${rate} / ${RECORDS_PER_MESSAGE} / 1000));
    const total = Math.round(${rate} * ${seconds} / ${RECORDS_PER_MESSAGE});
    let sent = 0; const start = Date.now();
    const tick = () => {
      const due = Math.min(total, Math.floor((Date.now() - start) * ${rate} / ${RECORDS_PER_MESSAGE} / 1000) + perTick);
      while (sent < due) socket.send(packets[sent++ % packets.length], ${port}, '127.0.0.1');
      if (sent < total) setTimeout(tick, 1); else setTimeout(() => { socket.close(); process.stdout.write(String(sent * ${RECORDS_PER_MESSAGE})); }, 200);
    };
    tick();`;
  const dir = mkdtempSync(join(tmpdir(), 'flowlens-bench-collector-'));
  const file = join(dir, 'packets.bin');
  // The first packets (the template in the first); v8 serialization keeps them Uint8Arrays dgram takes as they are.
  writeFileSync(file, serialize(packets.slice(0, 2_000).map((buffer) => new Uint8Array(buffer))));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(Number(out));
      else reject(new Error(`sender exited ${code}`));
    });
  });
}

/** utime + stime of a process (or of one of its threads) in seconds. */
function cpuOf(pid: number, thread?: number): number {
  const fields = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (100 Hz)
}

async function udpFlowlens(port: number): Promise<{ cpuPerMillion: number; mainCpuPerMillion: number; lossRatio: number }> {
  const { metrics, bus } = pipeline();
  // The real sockets: a source bound to the port, delivering into the same pipeline.
  const bound = new CollectorSource({ config: collectorSchema.parse({ listen: [`netflow://127.0.0.1:${port}?rcvbuf=33554432`], queueSize: 1_000_000 }), logger, metrics, flows: bus });
  await bound.start();
  const cpu = process.cpuUsage();
  const main = cpuOf(process.pid, process.pid); // the main thread (its task id is the process id)
  const sent = await sendAt(port, RATE, SECONDS);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const used = process.cpuUsage(cpu);
  const mainUsed = cpuOf(process.pid, process.pid) - main;
  const text = await metrics.render('text');
  const received = Number(/^flowlens_collector_flows_total\{.*\} (\d+)$/m.exec(text)?.[1] ?? 0);
  await bound.stop();
  return { cpuPerMillion: ((used.user + used.system) / 1e6 / Math.max(received, 1)) * 1e6, mainCpuPerMillion: (mainUsed / Math.max(received, 1)) * 1e6, lossRatio: 1 - received / sent };
}

async function udpNfcapd(port: number): Promise<{ cpuPerMillion: number; lossRatio: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'flowlens-bench-nfcapd-'));
  const child = spawn('nfcapd', ['-w', dir, '-p', String(port), '-b', '127.0.0.1', '-B', '33554432'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 800));
  const before = cpuOf(child.pid!);
  const sent = await sendAt(port, RATE, SECONDS);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const used = cpuOf(child.pid!) - before;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const stats = spawnSync('nfdump', ['-R', dir, '-I'], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  const received = Number(/^Flows:\s+(\d+)/m.exec(stats.stdout)?.[1] ?? 0);
  return { cpuPerMillion: (used / Math.max(received, 1)) * 1e6, lossRatio: 1 - received / sent };
}

const decodeTimes: number[] = [];
const endTimes: number[] = [];
for (let round = 0; round < 3; round++) {
  decodeTimes.push(decodeOnly());
  endTimes.push((await endToEnd()).ms);
}
const records = MESSAGES * RECORDS_PER_MESSAGE;
const decodeRate = records / (median(decodeTimes) / 1_000);
const endRate = records / (median(endTimes) / 1_000);
const hasNfcapd = spawnSync('sh', ['-c', 'command -v nfcapd']).status === 0;
const ours = await udpFlowlens(39_871);
const theirs = hasNfcapd ? await udpNfcapd(39_872) : undefined;
await cache.stop();
worker.postMessage('stop');
report({
  benchmark: 'collector_ipfix',
  records,
  fields: FIELDS.length,
  record_bytes: recordLength,
  decode_only_records_per_s: decodeRate,
  end_to_end_records_per_s: endRate,
  udp_offered_records_per_s: RATE,
  flowlens_cpu_s_per_million: ours.cpuPerMillion,
  flowlens_main_thread_cpu_s_per_million: ours.mainCpuPerMillion,
  flowlens_loss_ratio: ours.lossRatio,
  ...(theirs ? { nfcapd_cpu_s_per_million: theirs.cpuPerMillion, nfcapd_loss_ratio: theirs.lossRatio, cpu_ratio: ours.cpuPerMillion / theirs.cpuPerMillion } : { nfcapd: 'not installed' }),
  goal_records_per_s: 300_000,
  goal_cpu_ratio: 2,
  pass: endRate >= 300_000 && ours.lossRatio <= 0 && (theirs === undefined || ours.cpuPerMillion / theirs.cpuPerMillion <= 2),
});
process.exit(0);
