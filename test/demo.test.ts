import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { CLI } from './support/cli-process.js';
import { eventually } from './support/metrics-text.js';
import { promtoolCheck } from './support/promtool.js';
import { tempDir } from './support/temp.js';
import { toolSkip } from './support/tools.js';

// `flowlens demo` as a newcomer runs it: within 30 seconds every
// drop-in family of the replaced tools and the flowlens families
// of each component have values, and the flow log fills. Its files live in
// $TMPDIR and are gone once it stops, also after a kill -9 (the next demo
// removes them).

const SEED_FAMILIES = [
  'calico_flow_allow',
  'calico_flow_deny',
  'dns_udp_latency_seconds_count',
  'dns_tcp_latency_seconds_count',
  'dns_resolve_error_total',
  'dns_error_total',
  'network_latency_seconds_count',
  'network_dial_error_total',
  'network_error_total',
  'policy_accept_counter',
  'no_policy_drop_counter',
];
const FLOWLENS_FAMILIES = [
  'flowlens_flow_records_total',
  'flowlens_flow_connections_total',
  'flowlens_goldmane_stream_up',
  'flowlens_goldmane_messages_total',
  'flowlens_flow_enrichment_total',
  'flowlens_kube_objects',
  'flowlens_probe_latency_seconds_count',
  'flowlens_probe_errors_total',
  'flowlens_probe_udp_loss_ratio',
  'flowlens_policy_packets_total',
  'flowlens_accounting_scrape_success',
  'flowlens_jsonl_records_total',
];

/** The demo's own temporary directory: what it leaves behind shows here. */
const TMP = tempDir('demo-tmp');
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
});

function startDemo(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, 'demo', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, TMPDIR: TMP } });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

const demo = startDemo();
const stdout = (): string => demo.output();

test('npm run demo: every drop-in and flowlens family has live values within 30 s; flow logs are written', async () => {
  const started = Date.now();
  await eventually(() => /metrics\s+(http:\S+)/.test(stdout()), () => `no address printed:\n${stdout()}`, 20_000);
  const metricsUrl = /metrics\s+(http:\S+)/.exec(stdout())![1]!;
  const flowLog = /flow logs\s+(\S+)/.exec(stdout())![1]!;
  const missing = async (): Promise<string[]> => {
    const text = await (await fetch(metricsUrl)).text();
    return [...SEED_FAMILIES, ...FLOWLENS_FAMILIES].filter((family) => !new RegExp(`^${family}(\\{| )`, 'm').test(text));
  };
  await eventually(async () => (await missing()).length === 0, async () => `still missing: ${(await missing()).join(', ')}\n${stdout()}`, 30_000 - (Date.now() - started));
  const text = await (await fetch(metricsUrl)).text();
  assert.match(text, /^network_dial_error_total\{host="127\.0\.0\.5:\d+"\} [1-9]/m, 'the peer that is down is counted');
  assert.match(text, /^policy_accept_counter\{pod="[^"]+",pod_namespace="[^"]+",app="[^"]+",ip="10\.244\.[^"]+",type="tw",policy="[a-z-]+\/knp\.default\.[a-z-]+"\} [1-9]/m, 'policy names read from the dump');
  assert.match(text, /^no_policy_drop_counter\{[^}]+\} [1-9]/m, 'denied traffic counted');
  // Records that arrive before the cache synced pass unenriched (docs/kubernetes-cache.md); later ones are enriched.
  const lines = (): string[] => readFileSync(flowLog, 'utf8').split('\n').filter(Boolean);
  await eventually(
    () => lines().some((line) => (JSON.parse(line) as { sourceWorkload?: string }).sourceWorkload === 'frontend'),
    () => `Goldmane pod sets not enriched with their workload in ${lines().length} flow log lines`,
    Math.max(1_000, 30_000 - (Date.now() - started)),
  );
  assert.equal((await fetch(metricsUrl.replace('/metrics', '/ready'))).status, 200);
  if (!toolSkip('promtool')) {
    const lint = promtoolCheck(text);
    assert.deepEqual(lint.problems.filter((line) => line.includes('flowlens_') || line.includes('error while linting')), []);
  }
});

test('the demo keeps its files in $TMPDIR and removes them when stopped, also after a kill -9', async () => {
  const first = /flow logs\s+(\S+)/.exec(stdout())![1]!;
  assert.ok(first.startsWith(TMP), `the flow log is under TMPDIR: ${first}`);
  assert.equal(readdirSync(TMP).length, 1);
  demo.child.kill('SIGKILL');
  await demo.exited;
  assert.equal(readdirSync(TMP).length, 1, 'a killed demo cannot clean up after itself');
  const second = startDemo();
  await eventually(() => /flow logs\s+(\S+)/.test(second.output()), () => `no address printed:\n${second.output()}`, 20_000);
  assert.deepEqual(readdirSync(TMP).map((name) => name.startsWith(`flowlens-demo-${second.child.pid}-`)), [true], 'the killed demo\'s files were removed by the next demo');
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
  assert.deepEqual(readdirSync(TMP), [], 'a stopped demo leaves nothing behind');
});
