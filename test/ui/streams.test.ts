import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { after, test } from 'node:test';
import type { FlowRecord } from '../../src/flow/flow-record.js';
import { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { uiSchema } from '../../src/ui/config.js';
import { parseFilter } from '../../src/ui/flow-filter.js';
import { FlowStreams } from '../../src/ui/flow-streams.js';
import { eventually, sampleValue } from '../support/metrics-text.js';
import { SseClient } from './sse.js';

// Flow streams under load, over real HTTP: folding and the per-stream rate,
// and a client that stops reading is dropped instead of holding memory.

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

function flow(key: string, startTime: number, labels: readonly string[] = []): FlowRecord {
  return {
    source: 'goldmane', startTime, endTime: startTime + 15_000, proto: 'tcp', reporter: 'src', action: 'allow', key, id: `${key}@${startTime}`,
    src: { name: 'web-*', namespace: 'shop', type: 'workload', labels }, dst: { name: 'db-*', namespace: 'data', type: 'workload', labels: [], port: 5432 },
    packetsIn: 1, packetsOut: 2, bytesIn: 10, bytesOut: 20, connectionsStarted: 1, connectionsCompleted: 0, connectionsLive: 0,
  };
}

async function serve(streams: FlowStreams): Promise<string> {
  const server = createServer((request, response) => streams.serve(request, response, parseFilter(new URL(request.url ?? '/', 'http://x').searchParams)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    streams.close();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const metricsPipeline = (): MetricsPipeline => new MetricsPipeline({ maxSeriesPerMetric: 100, seriesTtlMs: 0, version: 'test', processMetrics: false });

test('records of one key and interval fold into one row; over the rate, rows are skipped and the client is told', async () => {
  const metrics = metricsPipeline();
  const streams = new FlowStreams(uiSchema.parse({ maxRowsPerSecond: 50 }), metrics);
  const url = await serve(streams);
  const client = await SseClient.open(`${url}/`);
  cleanup.push(() => client.close());
  await eventually(() => streams.size === 1, () => 'not connected');
  // 100 reports of one key and interval: one row, 99 folded.
  streams.consume(Array.from({ length: 100 }, () => flow('k', 0)));
  await eventually(() => client.flows().length === 1 && client.stats()?.folded === 99, () => JSON.stringify(client.events.slice(-2)));
  assert.equal(client.flows()[0]!.packetsOut, '200', 'counts of folded records add up');
  // 1,000 different keys at once: 10 rows a flush (50/s), the newest ones; the rest skipped and counted.
  streams.consume(Array.from({ length: 1_000 }, (_, i) => flow(`key-${i}`, 0)));
  await eventually(() => (client.stats()?.skipped ?? 0) === 990, () => JSON.stringify(client.stats()));
  const rows = client.flows().slice(1);
  assert.equal(rows.length, 10);
  const text = await metrics.render('text');
  assert.equal(sampleValue(text, 'flowlens_ui_stream_rows_total', { outcome: 'skipped' }), 990);
  assert.equal(sampleValue(text, 'flowlens_ui_stream_rows_total', { outcome: 'folded' }), 99);
});

test('a client that stops reading is dropped once its unsent bytes pass ui.maxBufferBytes; the others keep streaming', async () => {
  const metrics = metricsPipeline();
  const streams = new FlowStreams(uiSchema.parse({ maxRowsPerSecond: 5_000, maxBufferBytes: 16 * 1024 }), metrics);
  const url = new URL(await serve(streams));
  // A client that sends its request and never reads the answer.
  const stalled = connect(Number(url.port), url.hostname);
  cleanup.push(() => stalled.destroy());
  stalled.write(`GET /?namespace=shop HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`);
  stalled.pause();
  const reader = await SseClient.open(`${url.origin}/?workload=late-*`);
  cleanup.push(() => reader.close());
  await eventually(() => streams.size === 2, () => `${streams.size} streams`);
  const labels = Array.from({ length: 20 }, (_, i) => `label-${i}=${'x'.repeat(80)}`);
  let round = 0;
  const started = Date.now();
  while (sampleValue(await metrics.render('text'), 'flowlens_ui_streams_dropped_total', { reason: 'slow' }) !== 1) {
    assert.ok(Date.now() - started < 20_000, 'the stalled client was not dropped within 20 s');
    streams.consume(Array.from({ length: 2_000 }, (_, i) => flow(`k-${round}-${i}`, 0, labels)));
    round++;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(streams.size, 1, 'the reading client stays');
  const late = flow('late', 0);
  streams.consume([{ ...late, src: { ...late.src, name: 'late-*' } }]);
  await eventually(() => reader.flows().length === 1, () => 'the reading client got nothing');
});

test("pod-set names stand for their workload: a Deployment's hash, a CronJob's minutes, a DaemonSet's name", async () => {
  const { podSetWorkload } = await import('../../src/ui/flow-filter.js');
  assert.equal(podSetWorkload('frontend-7d4f8b9c6d-*'), 'frontend');
  assert.equal(podSetWorkload('coredns-5dd5756b68-*'), 'coredns');
  assert.equal(podSetWorkload('report-28391040-*'), 'report');
  assert.equal(podSetWorkload('calico-node-*'), 'calico-node', 'a DaemonSet: no hash to strip (vowels)');
  assert.equal(podSetWorkload('node-exporter-*'), 'node-exporter');
  assert.equal(podSetWorkload('web-0'), 'web-0', 'not a pod set');
});
