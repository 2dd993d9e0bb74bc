import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtobufLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { FlowBus } from '../src/flow/flow-bus.js';
import type { FlowRecord } from '../src/flow/flow-record.js';
import { MetricsPipeline } from '../src/metrics/pipeline.js';
import { otlpSchema } from '../src/sinks/otlp/config.js';
import { OtlpSink } from '../src/sinks/otlp/otlp-sink.js';
import { keyParts, toFlowRecord } from '../src/sources/goldmane/flow-mapping.js';
import { benchKey, KEYS } from './flows.js';
import { gc, median, report } from './report.js';

// Flow records to acknowledged OTLP/HTTP requests, protobuf and JSON, against
// a local receiver in a worker thread (it reads each request and answers 200,
// as a collector would). Two passes per round over the same records:
//
// - exporter floor (baseline): the SDK's OTLP exporter alone, sending
//   already-built SDK log records in batches of 512, one request at a time;
// - flowlens: the otlp sink from FlowRecord on: the queue, the seed-model body
//   and attributes, SDK log records, the same exporter, acknowledgements.
//
// ratio = flowlens / floor: how much of the exporter's own speed is left
// after everything flowlens adds.

const RECORDS = Number(process.env.BENCH_OTLP_RECORDS ?? 100_000);
const BATCH = Number(process.env.BENCH_OTLP_BATCH ?? 512);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const RECEIVER = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const server = http.createServer((request, response) => {
  request.on('data', () => {});
  request.on('end', () => {
    const json = (request.headers['content-type'] || '').startsWith('application/json');
    response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    response.end(json ? '{}' : undefined);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

function flowRecords(): FlowRecord[] {
  const start = Math.floor(Date.now() / 1_000 / 15) * 15 - 3_000;
  const records: FlowRecord[] = [];
  // As the Goldmane source does: a key's label arrays are shared while its labels do not change.
  const labels = Array.from({ length: KEYS }, (_, index) => ({ source: ['app=frontend', `team=${index % 25}`], dest: ['app=backend'] }));
  // And a key's parts are decoded once, then shared by all its records.
  const parts = new Map<number, ReturnType<typeof keyParts>>();
  for (let i = 0; i < RECORDS; i++) {
    const index = i % KEYS;
    const key = benchKey(index);
    const interval = Math.floor(i / KEYS);
    records.push(
      toFlowRecord(
        {
          startTime: start + interval * 15,
          endTime: start + interval * 15 + 15,
          sourceLabels: labels[index]!.source,
          destLabels: labels[index]!.dest,
          packetsIn: 10,
          packetsOut: 12,
          bytesIn: 1_400,
          bytesOut: 9_000,
          numConnectionsStarted: i % 3,
          numConnectionsCompleted: i % 3,
          numConnectionsLive: 1,
        },
        parts.get(index) ?? parts.set(index, keyParts(key)).get(index)!,
      ),
    );
  }
  return records;
}

type Protocol = 'http/protobuf' | 'http/json';

function sinkConfig(port: number, protocol: Protocol) {
  return otlpSchema.parse({ endpoint: `http://127.0.0.1:${port}`, protocol, queueSize: RECORDS, batchSize: BATCH, batchDelay: '1s', retry: { initial: '100ms' } });
}

function newSink(port: number, protocol: Protocol): { sink: OtlpSink; metrics: MetricsPipeline } {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 1_000, seriesTtlMs: 0, version: 'bench', processMetrics: false });
  const sink = new OtlpSink({ config: sinkConfig(port, protocol), logger: pino({ level: 'silent' }), metrics, flows: new FlowBus(metrics) });
  return { sink, metrics };
}

/** The SDK log records flowlens makes of the flow records (for the floor pass, built outside its timing). */
function sdkRecords(port: number, protocol: Protocol, records: readonly FlowRecord[]): ReadableLogRecord[] {
  const { sink } = newSink(port, protocol);
  const build = (sink as unknown as { build: (batch: readonly FlowRecord[]) => ReadableLogRecord[] }).build.bind(sink);
  const logs: ReadableLogRecord[] = [];
  for (let i = 0; i < records.length; i += BATCH) logs.push(...build(records.slice(i, i + BATCH)));
  return logs;
}

/** flowlens: records handed over in bus-sized batches until the receiver acknowledged all of them. */
async function throughSink(port: number, protocol: Protocol, records: readonly FlowRecord[]): Promise<number> {
  const { sink, metrics } = newSink(port, protocol);
  await sink.start();
  const begin = performance.now();
  for (let i = 0; i < records.length; i += 1_024) {
    sink.consume(records.slice(i, i + 1_024));
    if (i % 8_192 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await sink.stop(AbortSignal.timeout(600_000));
  const ms = performance.now() - begin;
  const text = await metrics.render('text');
  const acked = Number(/^flowlens_otlp_exported_total (\d+)/m.exec(text)?.[1] ?? 0);
  if (acked !== records.length) throw new Error(`${protocol}: ${acked} of ${records.length} acknowledged`);
  return ms;
}

/** The floor: the SDK exporter alone over prebuilt log records, one request at a time. */
async function exporterOnly(port: number, protocol: Protocol, logs: readonly ReadableLogRecord[]): Promise<number> {
  const config = { url: `http://127.0.0.1:${port}/v1/logs`, concurrencyLimit: 2 };
  const exporter = protocol === 'http/json' ? new JsonLogExporter(config) : new ProtobufLogExporter(config);
  const begin = performance.now();
  for (let i = 0; i < logs.length; i += BATCH) {
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(logs.slice(i, i + BATCH), resolve));
    if (result.code !== 0) throw new Error(`${protocol}: the exporter failed: ${result.error?.message}`);
  }
  const ms = performance.now() - begin;
  await exporter.shutdown();
  return ms;
}

const worker = new Worker(RECEIVER, { eval: true });
const port = await new Promise<number>((resolve) => worker.once('message', resolve));
const records = flowRecords();
for (const protocol of ['http/protobuf', 'http/json'] as const) {
  const sinkTimes: number[] = [];
  const floorTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let logs: ReadableLogRecord[] | undefined = sdkRecords(port, protocol, records);
    gc();
    floorTimes.push(await exporterOnly(port, protocol, logs));
    logs = undefined;
    gc();
    sinkTimes.push(await throughSink(port, protocol, records));
  }
  const sinkRate = records.length / (median(sinkTimes) / 1_000);
  const floorRate = records.length / (median(floorTimes) / 1_000);
  report({
    benchmark: 'otlp_export',
    protocol,
    records: records.length,
    batch: BATCH,
    exporter_floor_records_per_s: floorRate,
    flowlens_records_per_s: sinkRate,
    ratio: sinkRate / floorRate,
    goal_records_per_s: 50_000,
    pass: sinkRate >= 50_000,
  });
}
await worker.terminate();
