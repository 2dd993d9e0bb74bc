import pino from 'pino';
import { FlowBus } from '../src/flow/flow-bus.js';
import { MetricsPipeline } from '../src/metrics/pipeline.js';
import { FlowMetrics } from '../src/sinks/prometheus/flow-metrics.js';
import { decodeFlowResult, encodeFlowResult, goldmane, isDecodeFailure } from '../src/sources/goldmane/codec.js';
import { goldmaneSchema } from '../src/sources/goldmane/config.js';
import { GoldmaneSource } from '../src/sources/goldmane/goldmane-source.js';
import { decodeFlowReport } from '../src/sources/goldmane/report-decoder.js';
import { benchKey, KEYS } from './flows.js';
import { gc, median, report } from './report.js';

// One million Goldmane FlowResults, encoded once, then (a) only decoded, with
// the protobufjs decoder generated from proto/goldmane.proto, and (b) decoded
// and counted the way the agent does it: the stream decoder (flow keys decoded
// once per distinct key), the goldmane source (mapping, dedupe, queue) and the
// Prometheus flow metrics sink, on one core, in the same run.

const FLOWS = 1_000_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);


// 250 intervals of 15 s ending before now (reports from the future are skipped as impossible).
const start = Math.floor(Date.now() / 1_000) - 4_000;
const keys = Array.from({ length: KEYS }, (_, index) => benchKey(index));
// One contiguous buffer and an offset table, not a million live Buffer objects
// (which would inflate every garbage collection): each message is taken as a
// view, as a network read hands it over.
const encoded: Buffer[] = new Array(FLOWS);
for (let i = 0; i < FLOWS; i++) {
  const interval = Math.floor(i / KEYS);
  encoded[i] = encodeFlowResult({
    id: (i % KEYS) + 1,
    flow: {
      Key: keys[i % KEYS],
      startTime: start + interval * 15,
      endTime: start + interval * 15 + 15,
      sourceLabels: ['app=frontend', 'team=a', 'tier=web', 'version=v2'],
      destLabels: ['app=backend', 'team=b', 'tier=api'],
      packetsIn: 10 + (i % 5),
      packetsOut: 12,
      bytesIn: 1_400,
      bytesOut: 9_000,
      numConnectionsStarted: i % 3,
      numConnectionsCompleted: i % 3,
      numConnectionsLive: 1,
    },
  });
}
const offsets = new Uint32Array(FLOWS + 1);
for (let i = 0; i < FLOWS; i++) offsets[i + 1] = (offsets[i] as number) + (encoded[i] as Buffer).length;
const wire = Buffer.concat(encoded);
encoded.length = 0;
const bytes = wire.length;
const message = (index: number): Buffer => wire.subarray(offsets[index] as number, offsets[index + 1] as number);

function decodeOnly(): number {
  const begin = performance.now();
  let connections = 0;
  for (let i = 0; i < FLOWS; i++) {
    const decoded = decodeFlowResult(message(i));
    if (!isDecodeFailure(decoded)) connections += decoded.flow?.numConnectionsStarted ?? 0;
  }
  if (connections === 0) throw new Error('nothing decoded');
  return performance.now() - begin;
}

async function endToEnd(): Promise<{ ms: number; counted: number }> {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100_000, seriesTtlMs: 600_000, version: 'bench', processMetrics: false });
  const flows = new FlowBus(metrics);
  flows.subscribe(new FlowMetrics(metrics));
  const config = goldmaneSchema.parse({ address: '127.0.0.1:1', queueSize: 100_000 });
  const source = new GoldmaneSource({ config, logger: pino({ level: 'silent' }), metrics, flows });
  const begin = performance.now();
  for (let i = 0; i < FLOWS; i++) {
    source.ingest(decodeFlowReport(message(i)));
    // A gRPC read delivers a few hundred messages; the queue drains between reads.
    if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
  }
  while (source.queued > 0) await new Promise((resolve) => setImmediate(resolve));
  const ms = performance.now() - begin;
  const text = await metrics.render('text');
  const counted = Number(/^flowlens_flow_records_total\{source="goldmane"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  const dropped = /^flowlens_flow_queue_dropped_total\{.*\} (\d+)$/m.exec(text);
  if (dropped) throw new Error(`queue dropped records: ${dropped[1]}`);
  return { ms, counted };
}

const decodeTimes: number[] = [];
const endToEndTimes: number[] = [];
let counted = 0;
for (let round = 0; round < ROUNDS; round++) {
  gc();
  decodeTimes.push(decodeOnly());
  gc();
  const result = await endToEnd();
  endToEndTimes.push(result.ms);
  counted = result.counted;
}
if (counted !== FLOWS) throw new Error(`counted ${counted} of ${FLOWS}`);
const decodeRate = FLOWS / (median(decodeTimes) / 1_000);
const endToEndRate = FLOWS / (median(endToEndTimes) / 1_000);
report({
  benchmark: 'goldmane_stream',
  flows: FLOWS,
  keys: KEYS,
  mean_message_bytes: bytes / FLOWS,
  decode_only_flows_per_s: decodeRate,
  end_to_end_flows_per_s: endToEndRate,
  ratio: endToEndRate / decodeRate,
  goal_flows_per_s: 200_000,
  pass: endToEndRate >= 200_000,
});
