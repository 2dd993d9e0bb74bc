import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pino from 'pino';
import { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { HttpServer } from '../../src/server/http-server.js';
import { startAgent, type AgentProcess } from '../support/cli-process.js';
import { get } from '../support/http.js';
import { promtoolCheck } from '../support/promtool.js';
import { toolSkip } from '../support/tools.js';

// docs/contracts.md section 3: promtool reports no errors, and no lint problem on a
// flowlens_ family (seed names without _total and prom-client's Node.js
// metrics may draw lint warnings).

const skip = toolSkip('promtool');
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup) await step();
});

function assertCompliant(exposition: string, allowedLint: RegExp): void {
  const { status, problems } = promtoolCheck(exposition);
  assert.ok(status === 0 || status === 3, `promtool exit ${status}: ${problems.join('; ')}`);
  for (const problem of problems) {
    assert.doesNotMatch(problem, /error/i);
    assert.doesNotMatch(problem, /^flowlens_/, `lint problem on a flowlens family: ${problem}`);
    assert.match(problem, allowedLint, `unexpected lint: ${problem}`);
  }
}

test('the running agent\'s /metrics passes promtool check metrics', { skip }, async () => {
  const agent: AgentProcess = await startAgent(['--listen', '127.0.0.1:0']);
  cleanup.push(() => agent.kill());
  await get(`${agent.url}/health`);
  await get(`${agent.url}/missing`);
  await get(`${agent.url}/ready`);
  const exposition = (await get(`${agent.url}/metrics`)).text;
  assert.match(exposition, /^process_cpu_seconds_total /m, 'process metrics present');
  assert.match(exposition, /^flowlens_http_request_duration_seconds_bucket\{/m);
  assertCompliant(exposition, /^nodejs_\w+ /);
});

test('every family kind, escaped label values and an overflow series pass promtool', { skip }, async () => {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 3, seriesTtlMs: 0, version: '0.0.0-test' });
  const allow = metrics.counter({
    type: 'counter',
    name: 'calico_flow_allow',
    help: 'Seed-compatible counter.',
    labels: { reporter: 'test', protocol: 'test', src_namespace: 'test', src_pod: 'test', src_port: 'test', dst_namespace: 'test', dst_object: 'test', dst_port: 'test' },
  });
  const names = ['web-*', 'quote"d', 'back\\slash', 'new\nline', 'ünïcode', 'plain'];
  for (const [index, pod] of names.entries()) {
    allow.inc({ reporter: 'src', protocol: 'tcp', src_namespace: 'ns', src_pod: pod, src_port: '0', dst_namespace: 'ns2', dst_object: 'db-*', dst_port: 5432 }, index + 1);
  }
  metrics.gauge({ type: 'gauge', name: 'flowlens_queue_depth', help: 'Queue depth.', labels: { queue: 'test' } }).set({ queue: 'otlp' }, 12);
  metrics.counter({ type: 'counter', name: 'flowlens_records_total', help: 'Records.', labels: { source: 'test' } }).inc({ source: 'goldmane' }, 5);
  const latency = metrics.histogram({ type: 'histogram', name: 'flowlens_probe_duration_seconds', help: 'Latency.', labels: { probe: 'test' }, buckets: [0.00025, 0.001, 0.5, 8] });
  for (const value of [0.0001, 0.0007, 0.3, 9]) latency.observe({ probe: 'tcp' }, value);
  const server = new HttpServer({ listen: '127.0.0.1:0', metrics, readiness: () => ({ ready: true, body: {} }), logger: pino({ level: 'silent' }) });
  await server.start();
  cleanup.push(() => server.stop());

  const exposition = (await get(`${server.url}/metrics`)).text;
  assert.match(exposition, /^calico_flow_allow\{reporter="__overflow__",.*\} 15$/m, 'three label sets folded: 4 + 5 + 6');
  assert.match(exposition, /^flowlens_metric_series_rejected_total\{metric="calico_flow_allow"\} 3$/m);
  assert.match(exposition, /src_pod="quote\\"d"/);
  assertCompliant(exposition, /^(nodejs_\w+|calico_flow_allow) /);
});
