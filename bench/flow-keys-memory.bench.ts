import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { FlowBus } from '../src/flow/flow-bus.js';
import { MetricsPipeline } from '../src/metrics/pipeline.js';
import { FlowMetrics } from '../src/sinks/prometheus/flow-metrics.js';
import { encodeFlowResult } from '../src/sources/goldmane/codec.js';
import { goldmaneSchema } from '../src/sources/goldmane/config.js';
import { GoldmaneSource } from '../src/sources/goldmane/goldmane-source.js';
import { decodeFlowReport } from '../src/sources/goldmane/report-decoder.js';
import { benchKey } from './flows.js';
import { gc, report } from './report.js';

// Memory per active Goldmane flow key, everything included: N distinct flow
// keys reported every 15 s (as Goldmane does) through the real goldmane source
// (decoding, known keys, dedupe, queue) and the Prometheus flow metrics under
// the default series budget, in a child process with the deployment's heap
// (--max-old-space-size=384), yielding every 256 messages as a network read
// would. Heap and RSS after the 8th interval, heap minus what
// the process held before the first report (the encoded messages themselves
// included there). Then churn: 5,000 new keys every interval for an hour (240
// intervals). Churn holds more than 5,000 steady keys (the keys of the last
// minutes: dedupe window, series TTL, the budget's full families), but it
// must not grow with time: the heap after an hour is the heap after 10 minutes.

const HEAP_MB = 384;
const INTERVALS = 8;
const CHURN_KEYS = 5_000;
const CHURN_INTERVALS = Number(process.env.BENCH_CHURN_INTERVALS ?? 240);

interface Measured {
  readonly keys: number;
  readonly heapMb: number;
  readonly rssMb: number;
  readonly bytesPerKey: number;
  /** Churn: the heap after 10 minutes (40 intervals), to compare with the end. */
  readonly heapMbAt10Min?: number;
}

async function child(mode: 'steady' | 'churn', keys: number): Promise<void> {
  let nowMs = Date.UTC(2026, 10, 30, 12, 0, 0);
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 10_000, seriesTtlMs: 600_000, version: 'bench', processMetrics: false });
  const flows = new FlowBus(metrics);
  flows.subscribe(new FlowMetrics(metrics));
  const source = new GoldmaneSource({ config: goldmaneSchema.parse({}), logger: pino({ level: 'silent' }), metrics, flows, now: () => nowMs });
  const drained = async (): Promise<void> => {
    while (source.queued > 0) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  };
  const encode = (key: number, start: number): Buffer =>
    encodeFlowResult({
      id: key + 1,
      flow: {
        Key: benchKey(key),
        startTime: start,
        endTime: start + 15,
        sourceLabels: ['app=frontend', 'team=a'],
        destLabels: ['app=backend'],
        packetsIn: 10,
        packetsOut: 12,
        bytesIn: 1_400,
        bytesOut: 9_000,
        numConnectionsStarted: 1,
        numConnectionsCompleted: 1,
        numConnectionsLive: 0,
      },
    });
  const feed = async (first: number, count: number): Promise<void> => {
    const start = Math.floor(nowMs / 15_000) * 15 - 30;
    for (let key = first; key < first + count; key++) {
      source.ingest(decodeFlowReport(encode(key, start)));
      // A network read hands over a few hundred messages at a time.
      if ((key - first) % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
    }
    await drained();
    nowMs += 15_000;
  };
  gc();
  const before = process.memoryUsage();
  let heapAt10Min: number | undefined;
  if (mode === 'steady') {
    for (let interval = 0; interval < INTERVALS; interval++) await feed(0, keys);
  } else {
    for (let interval = 0; interval < CHURN_INTERVALS; interval++) {
      await feed(interval * keys, keys);
      if (interval + 1 === 40) {
        await metrics.render('text');
        gc();
        heapAt10Min = (process.memoryUsage().heapUsed - before.heapUsed) / 1_048_576;
      }
    }
  }
  await metrics.render('text'); // a scrape sweeps expired series
  gc();
  const after = process.memoryUsage();
  const heap = after.heapUsed - before.heapUsed;
  const measured: Measured = { keys, heapMb: heap / 1_048_576, rssMb: after.rss / 1_048_576, bytesPerKey: heap / keys, ...(heapAt10Min === undefined ? {} : { heapMbAt10Min: heapAt10Min }) };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

function run(mode: 'steady' | 'churn', keys: number): Measured | undefined {
  const result = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--expose-gc', fileURLToPath(import.meta.url), mode, String(keys)], { encoding: 'utf8', timeout: 600_000 });
  const line = result.stdout.trim().split('\n').pop();
  if (result.status !== 0 || line === undefined || !line.startsWith('{')) {
    report({ benchmark: 'flow_keys_memory', mode, keys, failed: true, exit: result.status ?? -1, signal: result.signal ?? '', stderr: result.stderr.trim().split('\n').slice(-2).join(' | ') });
    return undefined;
  }
  return JSON.parse(line) as Measured;
}

const [mode, keys] = process.argv.slice(2);
if (mode === 'steady' || mode === 'churn') {
  await child(mode, Number(keys));
} else {
  for (const count of [10_000, 50_000, 100_000]) {
    const measured = run('steady', count);
    if (measured === undefined) continue;
    report({ benchmark: 'flow_keys_memory', mode: 'steady', keys: count, heap_max_mb: HEAP_MB, heap_mb: measured.heapMb, bytes_per_key: measured.bytesPerKey, rss_mb: measured.rssMb, goal_bytes_per_key_at_100k: 2_048, goal_heap_mb: 200, goal_rss_mb: 384, pass: measured.heapMb <= 200 && measured.rssMb <= 384 && (count < 100_000 || measured.bytesPerKey <= 2_048) });
  }
  const steady = run('steady', CHURN_KEYS);
  const churn = run('churn', CHURN_KEYS);
  if (steady !== undefined && churn !== undefined) {
    report({ benchmark: 'flow_keys_memory', mode: 'churn', new_keys_per_interval: CHURN_KEYS, intervals: CHURN_INTERVALS, distinct_keys: CHURN_KEYS * CHURN_INTERVALS, steady_heap_mb: steady.heapMb, churn_heap_mb_at_10_min: churn.heapMbAt10Min ?? -1, churn_heap_mb: churn.heapMb, growth_after_10_min: churn.heapMb / (churn.heapMbAt10Min ?? churn.heapMb), ratio: churn.heapMb / steady.heapMb, rss_mb: churn.rssMb });
  }
}
