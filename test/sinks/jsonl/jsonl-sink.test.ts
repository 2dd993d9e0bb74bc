import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../../src/agent.js';
import { componentDefinitions } from '../../../src/registry.js';
import { loadConfig } from '../../../src/config/load.js';
import { MetricsPipeline } from '../../../src/metrics/pipeline.js';
import { JsonlSink } from '../../../src/sinks/jsonl/jsonl-sink.js';
import { jsonlSchema } from '../../../src/sinks/jsonl/config.js';
import { startAgent as startAgentProcess } from '../../support/cli-process.js';
import { bucket, GoldmaneTestServer } from '../../support/goldmane-server.js';
import { eventually } from '../../support/metrics-text.js';
import { OtlpReceiver } from '../../support/otlp-receiver.js';
import { EXPECTED_BODY, streamThreeBuckets } from '../flow-log-golden.js';
import { WEB_TO_DB, report } from '../../sources/goldmane/flows.js';
import { tempDir } from '../../support/temp.js';

const logger = pino({ level: 'silent' });
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function goldmanePeer(): Promise<GoldmaneTestServer> {
  const server = await GoldmaneTestServer.start();
  cleanup.push(() => server.kill());
  return server;
}

const startsOf = (lines: readonly string[]): string[] => lines.map((line) => (JSON.parse(line) as { startTime: string }).startTime);

test('jsonl to a file: one line per flow key and interval, the same body as the OTLP records', async () => {
  const goldmane = await goldmanePeer();
  const path = join(tempDir('jsonl'), 'flows.jsonl');
  const loaded = loadConfig({
    env: { GOLDMANE_ADDR: goldmane.address },
    flags: { listen: '127.0.0.1:0', set: [`jsonl.path=${path}`] },
    definitions: componentDefinitions,
  });
  assert.deepEqual(loaded.enabled.map((definition) => definition.name), ['goldmane', 'jsonl']);
  const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger, version: 'test' });
  await agent.start();
  cleanup.push(() => agent.stop(2_000));
  streamThreeBuckets(await goldmane.nextStream());
  const lines = (): string[] => readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
  await eventually(() => lines().length >= 4, () => `${lines().length} lines`);
  await agent.stop(2_000);
  assert.equal(lines().length, 4, 'the re-sent report is not written twice');
  assert.equal(lines()[0], JSON.stringify(EXPECTED_BODY));
  assert.deepEqual(startsOf(lines()), [0, 0, 1, 2].map((i) => String(bucket(i).startTime)));
});

test('jsonl never blocks the pipeline: a reader that does not keep up costs counted lines, not memory', async () => {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100, seriesTtlMs: 0, version: 'test', processMetrics: false });
  const stalled = new PassThrough({ highWaterMark: 1 });
  const sink = new JsonlSink({ config: jsonlSchema.parse({ maxBufferBytes: 2_048 }), logger, metrics, stdout: stalled });
  await sink.start();
  const record = {
    source: 'goldmane', startTime: 0, endTime: 15_000, proto: 'tcp', reporter: 'src', action: 'allow', key: 'k', id: 'k@0',
    src: { name: 'a', namespace: 'n', type: 'workload', labels: [] }, dst: { name: 'b', namespace: 'n', type: 'workload', labels: [], port: 80 },
    packetsIn: 1, packetsOut: 1, bytesIn: 1, bytesOut: 1, connectionsStarted: 1, connectionsCompleted: 0, connectionsLive: 0,
  } as const;
  for (let i = 0; i < 100; i++) sink.consume([record]);
  const text = await metrics.render('text');
  const written = Number(/^flowlens_jsonl_records_total (\d+)$/m.exec(text)?.[1]);
  const dropped = Number(/^flowlens_jsonl_dropped_total\{reason="backpressure"\} (\d+)$/m.exec(text)?.[1]);
  assert.ok(written > 0 && dropped > 0 && written + dropped === 100, `written ${written}, dropped ${dropped}`);
  assert.ok(stalled.writableLength < 2_048 + 1_024, 'the buffer stays near its bound');
  await sink.stop(AbortSignal.timeout(100));
});

test("the agent as a process: calico-flow-logs-otlphttp-exporter's variables, flow logs on stdout (jsonl) and OTLP, flushed on SIGTERM", async () => {
  const goldmane = await goldmanePeer();
  const receiver = new OtlpReceiver();
  await receiver.start();
  cleanup.push(() => receiver.stop());
  const agent = await startAgentProcess(['--listen', '127.0.0.1:0'], {
    GOLDMANE_HOST: goldmane.address,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BLRP_SCHEDULE_DELAY: '60000',
    FLOWLENS_ENABLE: 'jsonl',
    RECONNECT_WAIT_TIME_IN_MILLISECONDS: '100',
  });
  cleanup.push(() => agent.kill());
  const stream = await goldmane.nextStream();
  for (let i = 0; i < 5; i++) stream.write(report(1, WEB_TO_DB, i));
  await eventually(() => agent.stdout.length >= 5, () => `${agent.stdout.length} lines on stdout`);
  assert.equal(receiver.logs.length, 0, 'OTLP batches wait for the schedule delay');
  agent.kill('SIGTERM');
  assert.equal(await agent.exited, 0);
  assert.equal(receiver.logs.length, 5, 'SIGTERM flushed the OTLP queue before exit');
  assert.deepEqual(startsOf(agent.stdout.filter((line) => line !== '')), [0, 1, 2, 3, 4].map((i) => String(bucket(i).startTime)));
  assert.ok(agent.stdout.every((line) => line === '' || 'Key' in JSON.parse(line)), 'stdout carries flow logs only');
});
