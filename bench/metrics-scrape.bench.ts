import { spawnSync } from 'node:child_process';
import { request, type IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { MetricsPipeline } from '../src/metrics/pipeline.js';
import type { Labels } from '../src/metrics/series-budget.js';
import { HttpServer } from '../src/server/http-server.js';
import { SERIES_LABELS, seriesLabels } from './flows.js';
import { gc, report } from './report.js';

// Memory of concurrent scrapes of a large /metrics (200,000 series, about
// 30 MB of text) over real HTTP on loopback: peak RSS and peak heap (+ external
// buffers) above the idle agent for one scrape, then for 50 concurrent ones
// (plain and gzip, as Prometheus asks). Each case runs in a fresh process so
// the peaks do not mix. The ratio 50-vs-1 is what matters: the bodies of a
// burst are shared, so it should stay near 1, not near 50.

const SERIES = 200_000;
const CONCURRENT = 50;

interface CaseResult {
  readonly scrapes: number;
  readonly gzip: boolean;
  readonly bodyBytes: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly ms: number;
}

async function runCase(scrapes: number, gzip: boolean): Promise<CaseResult> {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: SERIES, seriesTtlMs: 600_000, version: 'bench', processMetrics: false });
  const flows = metrics.counter({ type: 'counter', name: 'calico_flow_allow', help: 'Allowed flows.', labels: Object.fromEntries(SERIES_LABELS.map((label) => [label, 'bench'])) });
  for (let index = 0; index < SERIES; index++) flows.inc(seriesLabels(index) as Labels, 3);
  const server = new HttpServer({ listen: '127.0.0.1:0', metrics, readiness: () => ({ ready: true, body: {} }), logger: pino({ level: 'silent' }) });
  await server.start();
  const { port } = new URL(server.url);
  gc();
  const idle = process.memoryUsage();
  const idleHeap = idle.heapUsed + idle.external;
  let peakHeap = idleHeap;
  const sample = (): void => {
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, now.heapUsed + now.external);
  };
  const sampler = setInterval(sample, 2);
  const started = performance.now();
  const bodies = await Promise.all(
    Array.from({ length: scrapes }, () => scrape(Number(port), gzip).finally(sample)),
  );
  const ms = performance.now() - started;
  clearInterval(sampler);
  await server.stop();
  // The agent's own request metrics change between renders; the flow series do not.
  const smallest = Math.min(...bodies);
  if (Math.max(...bodies) > smallest * 1.01) throw new Error(`scrapes disagree on the body size: ${bodies.join(', ')}`);
  return {
    scrapes,
    gzip,
    bodyBytes: smallest,
    // maxRSS is the process' high-water mark (KiB); minus the idle RSS.
    peakRssMb: (process.resourceUsage().maxRSS * 1024 - idle.rss) / 1e6,
    peakHeapMb: (peakHeap - idleHeap) / 1e6,
    ms,
  };
}

/** GETs /metrics with a fresh connection; resolves to the body's size on the wire. */
function scrape(port: number, gzip: boolean): Promise<number> {
  const headers: IncomingHttpHeaders = gzip ? { 'accept-encoding': 'gzip' } : {};
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', headers, agent: false }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => (response.statusCode === 200 ? resolve(bytes) : reject(new Error(`status ${response.statusCode}`))));
      response.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error('scrape timed out')));
    req.on('error', reject);
    req.end();
  });
}

const child = process.argv[2];
if (child !== undefined) {
  const [scrapes, gzip] = child.split(':');
  process.stdout.write(`${JSON.stringify(await runCase(Number(scrapes), gzip === 'gzip'))}\n`);
} else {
  const run = (scrapes: number, gzip: boolean): CaseResult => {
    const result = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), `${scrapes}:${gzip ? 'gzip' : 'plain'}`], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.status !== 0) throw new Error(`bench case ${scrapes} ${gzip} failed: ${result.stderr || result.error?.message}`);
    return JSON.parse(result.stdout) as CaseResult;
  };
  for (const gzip of [false, true]) {
    const one = run(1, gzip);
    const many = run(CONCURRENT, gzip);
    report({
      benchmark: 'metrics_concurrent_scrapes',
      series: SERIES,
      gzip,
      body_bytes: one.bodyBytes,
      concurrent: CONCURRENT,
      one_scrape_peak_rss_mb: one.peakRssMb,
      concurrent_peak_rss_mb: many.peakRssMb,
      one_scrape_peak_heap_mb: one.peakHeapMb,
      concurrent_peak_heap_mb: many.peakHeapMb,
      one_scrape_ms: one.ms,
      concurrent_ms: many.ms,
      rss_ratio: many.peakRssMb / Math.max(one.peakRssMb, 1),
      goal_rss_ratio: 2,
      pass: many.peakRssMb / Math.max(one.peakRssMb, 1) <= 2,
    });
  }
}
