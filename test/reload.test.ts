import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import * as z from 'zod';
import { Agent } from '../src/agent.js';
import { defineComponent, type ComponentDefinition } from '../src/components/component.js';
import { loadConfig } from '../src/config/load.js';
import { LogRoot, type Logger } from '../src/log/logger.js';
import { componentDefinitions, knownFamilyNames } from '../src/registry.js';
import { Reloader } from '../src/reload.js';
import { goldmane } from '../src/sources/goldmane/codec.js';
import { startAgent as startAgentProcess } from './support/cli-process.js';
import { GoldmaneTestServer } from './support/goldmane-server.js';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { basic, get } from './support/http.js';
import { eventually, sampleValue } from './support/metrics-text.js';
import { tempDir } from './support/temp.js';
import { WEB_TO_DB, report } from './sources/goldmane/flows.js';

// Configuration reload without restart, against real peers: a Goldmane gRPC
// server streaming while the agent reloads, TCP peers for the probes, a JSONL
// file, the CLI process for SIGHUP and POST /-/reload.

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

/** A log destination the test reads (JSON lines). */
class Captured extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line !== '') this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

interface Harness {
  readonly agent: Agent;
  readonly reloader: Reloader;
  readonly logs: Captured;
  readonly root: LogRoot;
  /** Replaces the configuration file's text. */
  write(yaml: string): void;
  scrape(): Promise<string>;
}

async function harness(yaml: string, definitions: readonly ComponentDefinition[] = componentDefinitions): Promise<Harness> {
  const dir = tempDir('reload');
  const file = join(dir, 'flowlens.yaml');
  writeFileSync(file, yaml);
  const load = () => loadConfig({ configFile: file, env: {}, flags: { listen: '127.0.0.1:0' }, definitions, families: knownFamilyNames() });
  const loaded = load();
  const logs = new Captured();
  const root = new LogRoot(loaded.config.log.level, logs);
  const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger: root.logger, logRoot: root, version: 'test', definitions });
  await agent.start();
  const reloader = new Reloader(agent, load, root.logger.child({ component: 'reload' }), file);
  reloader.start(loaded.config.server.reload);
  cleanup.push(async () => {
    reloader.stop();
    await agent.stop(2_000);
  });
  return { agent, reloader, logs, root, write: (text) => writeFileSync(file, text), scrape: async () => (await get(`${agent.server.url}/metrics`)).text };
}

/** Distinct flow keys, one connection each. */
function flows(from: number, count: number): goldmane.FlowResult.$Properties[] {
  return Array.from({ length: count }, (_, index) => report(from + index, { ...WEB_TO_DB, sourceName: `web-${from + index}-*` }, 1, { connections: 1, packetsIn: 2 }));
}

function sum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((line) => line !== '') : []);

test('reload while Goldmane streams: no reconnect, every flow counted once, the JSONL sink swapped without loss or repeat', async () => {
  const server = await GoldmaneTestServer.start();
  cleanup.push(() => server.kill());
  const dir = tempDir('reload-jsonl');
  const first = join(dir, 'first.jsonl');
  const second = join(dir, 'second.jsonl');
  const base = (jsonl: string, series = 5_000, buffer = 1_048_576): string =>
    `goldmane:\n  address: ${server.address}\n  reconnect: { initial: 50ms, max: 200ms }\njsonl:\n  path: ${jsonl}\n  maxBufferBytes: ${buffer}\nmetrics:\n  maxSeriesPerMetric: ${series}\n`;
  const h = await harness(base(first));
  const stream = await server.nextStream();
  for (const message of flows(0, 200)) stream.write(message);
  await eventually(async () => sampleValue(await h.scrape(), 'flowlens_flow_records_total', { source: 'goldmane' }) === 200, async () => `records: ${sampleValue(await h.scrape(), 'flowlens_flow_records_total', { source: 'goldmane' })}`);

  // Flows in flight while three reloads apply: an unrelated change, a JSONL
  // change applied in place, and a JSONL output change (a new sink takes over).
  for (const message of flows(200, 300)) stream.write(message);
  h.write(base(first, 6_000));
  const unrelated = await h.reloader.trigger('SIGHUP');
  assert.ok(unrelated.ok, JSON.stringify(unrelated));
  assert.deepEqual(unrelated.result.restarted, []);
  assert.ok(unrelated.result.unchanged.includes('goldmane') && unrelated.result.unchanged.includes('jsonl'), JSON.stringify(unrelated.result));
  assert.equal(h.agent.metrics.budget.maxSeries, 6_000);
  h.write(base(first, 6_000, 2_097_152));
  const inPlace = await h.reloader.trigger('SIGHUP');
  assert.ok(inPlace.ok, JSON.stringify(inPlace));
  assert.deepEqual(inPlace.result.reconfigured, ['jsonl']);
  for (const message of flows(500, 300)) stream.write(message);
  h.write(base(second, 6_000, 2_097_152));
  const swapped = await h.reloader.trigger('SIGHUP');
  assert.ok(swapped.ok, JSON.stringify(swapped));
  assert.deepEqual(swapped.result.restarted, ['jsonl']);
  for (const message of flows(800, 200)) stream.write(message);

  await eventually(async () => sampleValue(await h.scrape(), 'flowlens_flow_records_total', { source: 'goldmane' }) === 1_000, async () => `records: ${sampleValue(await h.scrape(), 'flowlens_flow_records_total', { source: 'goldmane' })}`);
  await eventually(() => lines(first).length + lines(second).length === 1_000, () => `jsonl lines: ${lines(first).length} + ${lines(second).length}`);
  const text = await h.scrape();
  assert.equal(server.requests.length, 1, 'the Goldmane stream was never reopened');
  assert.equal(sampleValue(text, 'flowlens_goldmane_reconnects_total'), undefined);
  assert.equal(sum(text, 'calico_flow_allow'), 1_000, 'every connection counted once');
  assert.equal(sampleValue(text, 'flowlens_goldmane_messages_total'), 1_000);
  // Every flow in exactly one of the two files: none lost, none repeated.
  const keys = [...lines(first), ...lines(second)].map((line) => (JSON.parse(line) as { Key: { sourceName: string } }).Key.sourceName);
  assert.equal(new Set(keys).size, 1_000);
  assert.ok(lines(second).length > 0 && lines(first).length >= 200, `${lines(first).length} + ${lines(second).length}`);
  // The counters of families that lived through the reloads kept their values.
  assert.equal(sampleValue(text, 'flowlens_jsonl_records_total'), 1_000);
  assert.equal(sampleValue(text, 'flowlens_config_last_reload_successful'), 1);
  assert.equal(sampleValue(text, 'flowlens_pipeline_failures_total', { kind: 'sink', name: 'jsonl' }), 0);
  assert.ok((sampleValue(text, 'flowlens_pipeline_duration_seconds_count', { kind: 'sink', name: 'flow-metrics' }) ?? 0) > 0);
});

test('reload that moves the OTLP sink to another receiver: in place, what waited for the failing one goes to the new one, nothing lost or doubled', async () => {
  const server = await GoldmaneTestServer.start();
  cleanup.push(() => server.kill());
  const failing = new OtlpReceiver();
  const healthy = new OtlpReceiver();
  await failing.start();
  await healthy.start();
  cleanup.push(() => failing.stop(), () => healthy.stop());
  failing.fail(1_000, 503);
  const config = (endpoint: string): string =>
    `goldmane:\n  address: ${server.address}\n  reconnect: { initial: 50ms, max: 200ms }\notlp:\n  endpoint: ${endpoint}\n  batchDelay: 20ms\n  retry: { initial: 50ms, max: 100ms }\n`;
  const h = await harness(config(failing.url));
  const stream = await server.nextStream();
  for (const message of flows(0, 120)) stream.write(message);
  await eventually(async () => (sampleValue(await h.scrape(), 'flowlens_otlp_retries_total') ?? 0) >= 2, () => 'retrying against the failing receiver');
  assert.equal(failing.logs.length, 0);

  h.write(config(healthy.url));
  const outcome = await h.reloader.trigger('SIGHUP');
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.deepEqual(outcome.result.reconfigured, ['otlp']);
  for (const message of flows(120, 80)) stream.write(message);
  await eventually(() => healthy.logs.length === 200, () => `${healthy.logs.length} records at the new receiver`);
  const text = await h.scrape();
  assert.equal(sampleValue(text, 'flowlens_otlp_exported_total'), 200);
  assert.equal(sampleValue(text, 'flowlens_otlp_dropped_total', { reason: 'queue_full' }) ?? 0, 0);
  const bodies = healthy.logs.map((log) => JSON.stringify(log.body));
  assert.equal(new Set(bodies).size, 200, 'each record once');
  assert.equal(server.requests.length, 1);
});

async function tcpPeer(): Promise<{ server: Server; address: string; accepted: () => number }> {
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  return { server, address: `127.0.0.1:${port}`, accepted: () => accepted };
}

test('reload that changes probe peers: reconfigured in place, the new peer probed, the old one forgotten, the rest keep counting', async () => {
  const a = await tcpPeer();
  const b = await tcpPeer();
  const probes = (peer: string): string =>
    `probes:\n  listen: 127.0.0.1:0\n  interval: 200ms\n  timeout: 150ms\n  dns:\n    server: 127.0.0.1:9\n    hosts: [example.test.]\n    tcp: false\n  peers:\n    static: ["${peer}"]\n    udpPackets: 0\n`;
  const h = await harness(probes(a.address));
  await eventually(() => a.accepted() >= 2, () => `peer a accepted ${a.accepted()}`);
  const dnsBefore = sampleValue(await h.scrape(), 'flowlens_probe_attempts_total', { probe: 'dns_udp', target: 'example.test.', target_node: '' }) ?? 0;
  assert.ok(dnsBefore > 0);

  h.write(probes(b.address));
  const outcome = await h.reloader.trigger('SIGHUP');
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.deepEqual(outcome.result.reconfigured, ['probes']);
  await eventually(
    async () => (sampleValue(await h.scrape(), 'flowlens_probe_attempts_total', { probe: 'tcp', target: b.address, target_node: '' }) ?? 0) >= 2,
    () => `peer b accepted ${b.accepted()}`,
  );
  const acceptedByA = a.accepted();
  const text = await h.scrape();
  assert.equal(sampleValue(text, 'flowlens_probe_attempts_total', { probe: 'tcp', target: a.address, target_node: '' }), undefined, 'the old peer is no longer a target');
  assert.ok((sampleValue(text, 'flowlens_probe_attempts_total', { probe: 'tcp', target: b.address, target_node: '' }) ?? 0) >= 2);
  assert.ok((sampleValue(text, 'flowlens_probe_attempts_total', { probe: 'dns_udp', target: 'example.test.', target_node: '' }) ?? 0) > dnsBefore, 'the DNS target kept counting, not reset');
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(a.accepted(), acceptedByA, 'the old peer is not probed any more');
});

test('reload that enables then disables a sink: it starts and stops, its families come and go, the source is untouched', async () => {
  const server = await GoldmaneTestServer.start();
  cleanup.push(() => server.kill());
  const dir = tempDir('reload-sink');
  const out = join(dir, 'flows.jsonl');
  const goldmaneOnly = `goldmane:\n  address: ${server.address}\n  reconnect: { initial: 50ms, max: 200ms }\n`;
  const h = await harness(goldmaneOnly);
  const stream = await server.nextStream();
  for (const message of flows(0, 50)) stream.write(message);
  await eventually(async () => sampleValue(await h.scrape(), 'flowlens_flow_records_total', { source: 'goldmane' }) === 50, () => 'first flows');
  assert.doesNotMatch(await h.scrape(), /flowlens_jsonl_records_total/);

  h.write(`${goldmaneOnly}jsonl:\n  path: ${out}\n`);
  const enabled = await h.reloader.trigger('SIGHUP');
  assert.ok(enabled.ok, JSON.stringify(enabled));
  assert.deepEqual(enabled.result.started, ['jsonl']);
  for (const message of flows(50, 70)) stream.write(message);
  await eventually(() => lines(out).length === 70, () => `${lines(out).length} lines`);
  assert.equal(sampleValue(await h.scrape(), 'flowlens_jsonl_records_total'), 70);
  assert.equal(sampleValue(await h.scrape(), 'flowlens_component_up', { component: 'jsonl' }), 1);

  h.write(goldmaneOnly);
  const disabled = await h.reloader.trigger('SIGHUP');
  assert.ok(disabled.ok, JSON.stringify(disabled));
  assert.deepEqual(disabled.result.stopped, ['jsonl']);
  for (const message of flows(120, 30)) stream.write(message);
  await eventually(async () => sampleValue(await h.scrape(), 'flowlens_flow_records_total', { source: 'goldmane' }) === 150, () => 'last flows');
  const text = await h.scrape();
  assert.equal(lines(out).length, 70, 'nothing written after the sink was disabled');
  assert.doesNotMatch(text, /flowlens_jsonl_/, 'the disabled sink\'s families are gone');
  assert.equal(sampleValue(text, 'flowlens_component_up', { component: 'jsonl' }), undefined);
  assert.equal(sum(text, 'calico_flow_allow'), 150);
  assert.equal(server.requests.length, 1);
});

test('an invalid configuration is refused whole: one error line, the old one keeps running, reload_successful 0 until a good one', async () => {
  const good = 'metrics:\n  maxSeriesPerMetric: 100\nlog:\n  level: info\n';
  const h = await harness(good);
  const hashBefore = /flowlens_config_info\{hash="([0-9a-f]{64})"\} 1/.exec(await h.scrape())?.[1];
  assert.ok(hashBefore);
  for (const bad of ['metrics:\n  maxSeriesPerMetric: -1\n', 'metrics: [unclosed\n', 'metricz: {}\n', 'metrics:\n  families:\n    calico_flow_alow:\n      maxSeries: 10\n']) {
    h.write(bad);
    const before = h.logs.lines.length;
    const outcome = await h.reloader.trigger('SIGHUP');
    assert.equal(outcome.ok, false, bad);
    const logged = h.logs.lines.slice(before);
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.equal(logged[0]!.level, 'error');
    assert.match(String(logged[0]!.msg), /^configuration reload refused, the running configuration stays: .+/);
    const text = await h.scrape();
    assert.equal(sampleValue(text, 'flowlens_config_last_reload_successful'), 0);
    assert.match(text, new RegExp(`flowlens_config_info\\{hash="${hashBefore}"\\} 1`));
    assert.equal(h.agent.configuration.metrics.maxSeriesPerMetric, 100);
  }
  h.write(good.replace('100', '200'));
  const fixed = await h.reloader.trigger('SIGHUP');
  assert.ok(fixed.ok);
  const text = await h.scrape();
  assert.equal(sampleValue(text, 'flowlens_config_last_reload_successful'), 1);
  assert.doesNotMatch(text, new RegExp(`flowlens_config_info\\{hash="${hashBefore}"\\}`));
  assert.equal(h.agent.metrics.budget.maxSeries, 200);
});

test('reload of log.level reaches the loggers components already hold', async () => {
  let held: Logger | undefined;
  const witness = defineComponent({
    name: 'witness',
    kind: 'source',
    description: 'holds its logger',
    schema: z.strictObject({}).prefault({}),
    create: (_section, context) => {
      held = context.logger;
      return { name: 'witness', start: async () => {}, status: () => ({ ready: true, up: true }), stop: async () => {} };
    },
  });
  const h = await harness('enable: [witness]\nlog:\n  level: info\n', [witness]);
  held!.debug('before');
  h.write('enable: [witness]\nlog:\n  level: debug\n');
  const outcome = await h.reloader.trigger('SIGHUP');
  assert.ok(outcome.ok);
  assert.deepEqual(outcome.result.unchanged, ['witness']);
  held!.debug('after');
  const messages = h.logs.lines.filter((line) => line.component === 'witness').map((line) => line.msg);
  assert.deepEqual(messages, ['after']);
  assert.equal(h.root.level, 'debug');
});

test('server.reload.watch: a changed file is applied without a signal; a deleted file is refused and the agent keeps running', async () => {
  const config = (series: number): string => `server:\n  reload: { watch: true, watchInterval: 100ms }\nmetrics:\n  maxSeriesPerMetric: ${series}\n`;
  const h = await harness(config(100));
  h.write(config(250));
  await eventually(() => h.agent.metrics.budget.maxSeries === 250, () => `budget ${h.agent.metrics.budget.maxSeries}`);
  assert.equal(sampleValue(await h.scrape(), 'flowlens_config_last_reload_successful'), 1);
  h.write('metrics: {maxSeriesPerMetric: 0}\n');
  await eventually(async () => sampleValue(await h.scrape(), 'flowlens_config_last_reload_successful') === 0, () => 'refused');
  assert.equal(h.agent.metrics.budget.maxSeries, 250);
  // Turning the watch off by reload stops it.
  h.write(config(300).replace('watch: true', 'watch: false'));
  await eventually(() => h.agent.metrics.budget.maxSeries === 300, () => `budget ${h.agent.metrics.budget.maxSeries}`);
  h.write(config(400).replace('watch: true', 'watch: false'));
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(h.agent.metrics.budget.maxSeries, 300, 'no longer watched');
});

test('flowlens run: SIGHUP and POST /-/reload (behind basic auth) re-read the file; a bad file is refused and the agent keeps serving', async () => {
  const dir = tempDir('reload-cli');
  const file = join(dir, 'flowlens.yaml');
  const password = join(dir, 'password');
  writeFileSync(password, 's3cret\n');
  const config = (series: number): string =>
    `server:\n  listen: 127.0.0.1:0\n  basicAuth: { username: prom, passwordFile: ${password} }\n  reload: { http: true }\nmetrics:\n  maxSeriesPerMetric: ${series}\n`;
  writeFileSync(file, config(100));
  const agent = await startAgentProcess(['--config', file]);
  cleanup.push(() => agent.kill());
  const auth = { authorization: basic('prom', 's3cret') };
  const denied = await get(`${agent.url}/-/reload`, { method: 'POST' });
  assert.equal(denied.status, 401);
  assert.equal((await get(`${agent.url}/-/reload`, { headers: auth })).status, 405, 'GET does not reload');

  writeFileSync(file, config(200));
  const reloaded = await get(`${agent.url}/-/reload`, { method: 'POST', headers: auth });
  assert.equal(reloaded.status, 200, reloaded.text);
  assert.equal(JSON.parse(reloaded.text).status, 'reloaded');

  writeFileSync(file, 'metrics:\n  maxSeriesPerMetric: nope\n');
  const refused = await get(`${agent.url}/-/reload`, { method: 'POST', headers: auth });
  assert.equal(refused.status, 400);
  assert.match(JSON.parse(refused.text).error, /metrics\.maxSeriesPerMetric/);

  writeFileSync(file, config(300));
  agent.kill('SIGHUP');
  await eventually(() => agent.logs.filter((line) => line.includes('"configuration reloaded"')).length === 2, () => agent.logs.join('\n'));
  const metrics = (await get(`${agent.url}/metrics`, { headers: auth })).text;
  assert.equal(sampleValue(metrics, 'flowlens_config_last_reload_successful'), 1);
  assert.equal(agent.logs.filter((line) => line.includes('configuration reload refused')).length, 1);
  assert.equal(agent.child.exitCode, null, 'still running');
});
