import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { podIp, serviceIp } from './kube-cluster.js';
import { report } from './report.js';

// 1,000,000 goflow2 v1 JSON lines through the real `flowlens enrich` process
// (stdin to stdout, cache synced from the list/watch test API server holding
// 2,000 pods and 500 services), timed from "cache synced" to exit, against a
// bare loop over the same lines in this process: JSON.parse, add six fields,
// JSON.stringify. Goals: >= 150,000 records/s and >= 0.5x the bare loop.

const LINES = Number(process.env.BENCH_ENRICH_LINES ?? 1_000_000);
const PODS = 2_000;
const SERVICES = 500;
const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/** A goflow2 v1.0 line as the seed README shows it. */
function line(i: number): string {
  const src = i % 5 === 4 ? `192.0.2.${i % 250}` : podIp((i * 31) % PODS);
  const dst = i % 3 === 0 ? serviceIp(i % SERVICES) : podIp((i * 17) % PODS);
  return `{"BiFlowDirection":0,"Bytes":${20_800 + i},"DstAS":0,"DstAddr":"${dst}","DstMac":"0a:58:0a:f4:00:01","DstNet":0,"DstPort":443,"DstVlan":0,"EgressVrfID":0,"Etype":2048,"EtypeName":"IPv4","ForwardingStatus":0,"FragmentId":0,"FragmentOffset":0,"IPTTL":0,"IPTos":0,"IPv6FlowLabel":0,"IcmpCode":0,"IcmpName":"","IcmpType":0,"InIf":12,"IngressVrfID":0,"NextHop":"","NextHopAS":0,"OutIf":0,"Packets":400,"Proto":6,"ProtoName":"TCP","SamplerAddress":"10.244.0.2","SamplingRate":0,"SequenceNum":${i},"SrcAS":0,"SrcAddr":"${src}","SrcMac":"0a:58:0a:f4:00:05","SrcNet":0,"SrcPort":${1_024 + (i % 60_000)},"SrcVlan":0,"TCPFlags":0,"TimeFlowEnd":0,"TimeFlowStart":0,"TimeReceived":1628419398,"Type":"IPFIX","VlanId":0}`;
}

// The same 10,000 distinct lines cycled by both sides, in chunks of 1,000 lines.
const POOL = Array.from({ length: 10_000 }, (_, i) => line(i));
const CHUNKS = Array.from({ length: 10 }, (_, c) => `${POOL.slice(c * 1_000, (c + 1) * 1_000).join('\n')}\n`);

function bareLoop(): number {
  const start = performance.now();
  let bytes = 0;
  for (let i = 0; i < LINES; i++) {
    const record = JSON.parse(POOL[i % POOL.length]!) as Record<string, unknown>;
    record.SrcPod = 'web-7d4f8b9c6d-x2x7q';
    record.SrcNamespace = 'shop';
    record.SrcHostIP = '10.0.0.11';
    record.SrcWorkload = 'web';
    record.SrcWorkloadKind = 'Deployment';
    record.SrcWarn = '';
    bytes += JSON.stringify(record).length;
  }
  if (bytes === 0) throw new Error('nothing written');
  return LINES / ((performance.now() - start) / 1_000);
}

async function throughEnrich(kubeconfig: string): Promise<{ rate: number; outBytes: number }> {
  const child = spawn(process.execPath, [CLI, 'enrich', '-kubeconfig', kubeconfig, '-loglevel', 'info'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let outBytes = 0;
  child.stdout.on('data', (chunk: Buffer) => (outBytes += chunk.length));
  let stderr = '';
  let synced = 0;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    if (synced === 0 && stderr.includes('Kubernetes cache synced')) synced = performance.now();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const killer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  // Feed as fast as the process takes it.
  for (let sent = 0; sent < LINES; sent += 1_000) {
    if (!child.stdin.write(CHUNKS[(sent / 1_000) % CHUNKS.length]!)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  child.stdin.end();
  const code = await exited;
  clearTimeout(killer);
  if (code !== 0 || synced === 0) throw new Error(`flowlens enrich failed (${code}):\n${stderr}`);
  const summary = stderr.split('\n').find((entry) => entry.includes('"input ended"'));
  const records = Number(/"records":(\d+)/.exec(summary ?? '')?.[1]);
  if (records !== LINES) throw new Error(`enrich saw ${records} records of ${LINES}`);
  return { rate: LINES / ((performance.now() - synced) / 1_000), outBytes };
}

const worker = new Worker(new URL('./kube-cluster.js', import.meta.url), { workerData: { pods: PODS, services: SERVICES } });
const kubeconfig = await new Promise<string>((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});
const bare = bareLoop();
const enriched = await throughEnrich(kubeconfig);
report({
  benchmark: 'enrich',
  lines: LINES,
  flowlens_records_per_s: enriched.rate,
  bare_loop_records_per_s: bare,
  ratio: enriched.rate / bare,
  output_mb: enriched.outBytes / 1024 / 1024,
  goal_records_per_s: 150_000,
  goal_ratio: 0.5,
  pass: enriched.rate >= 150_000 && enriched.rate / bare >= 0.5,
});
worker.postMessage('stop');
await new Promise((resolve) => worker.once('exit', resolve));
