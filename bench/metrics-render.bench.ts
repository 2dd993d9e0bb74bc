import promClient from 'prom-client';
import { MetricsPipeline } from '../src/metrics/pipeline.js';
import type { Labels } from '../src/metrics/series-budget.js';
import { SERIES_LABELS, seriesLabels } from './flows.js';
import { gc, median, report } from './report.js';

// /metrics with 100,000 series: flowlens' series-budget layer against the same
// series in plain prom-client, measured in one run (interleaved), so the ratio
// holds on a noisy shared machine. Also the per-update cost and heap per series.

const SERIES = 100_000;
const ROUNDS = 7;
const LABELS = SERIES_LABELS;

const labelSets = Array.from({ length: SERIES }, (_, index) => seriesLabels(index));

function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

const heapBeforePlain = heapUsed();
const plainRegistry = new promClient.Registry();
const plain = new promClient.Counter({ name: 'calico_flow_allow', help: 'Allowed flows.', labelNames: LABELS, registers: [plainRegistry] });
// prom-client keeps the caller's labels object; give it its own, as a source creating labels per flow would.
for (const labels of labelSets) plain.inc({ ...labels }, 3);
const plainHeap = heapUsed() - heapBeforePlain;

const heapBeforeBudget = heapUsed();
const pipeline = new MetricsPipeline({ maxSeriesPerMetric: SERIES, seriesTtlMs: 600_000, version: 'bench', processMetrics: false });
const budgeted = pipeline.counter({ type: 'counter', name: 'calico_flow_allow', help: 'Allowed flows.', labels: Object.fromEntries(LABELS.map((label) => [label, 'bench'])) });
for (const labels of labelSets) budgeted.inc(labels as Labels, 3);
const budgetHeap = heapUsed() - heapBeforeBudget;

// Same output size check: both expose every series.
const plainText = await plainRegistry.metrics();
const budgetText = await pipeline.render('text');
const plainLines = plainText.split('\n').filter((line) => line.startsWith('calico_flow_allow{')).length;
const budgetLines = budgetText.split('\n').filter((line) => line.startsWith('calico_flow_allow{')).length;
if (plainLines !== SERIES || budgetLines !== SERIES) throw new Error(`series mismatch: ${plainLines} vs ${budgetLines}`);

const plainTimes: number[] = [];
const budgetTimes: number[] = [];
const openMetricsTimes: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  gc();
  let start = performance.now();
  await plainRegistry.metrics();
  plainTimes.push(performance.now() - start);
  gc();
  start = performance.now();
  await pipeline.render('text');
  budgetTimes.push(performance.now() - start);
  gc();
  start = performance.now();
  await pipeline.render('openmetrics');
  openMetricsTimes.push(performance.now() - start);
}
const plainMs = median(plainTimes);
const budgetMs = median(budgetTimes);
report({
  benchmark: 'metrics_render',
  series: SERIES,
  labels: LABELS.length,
  rounds: ROUNDS,
  plain_prom_client_ms: plainMs,
  flowlens_text_ms: budgetMs,
  flowlens_openmetrics_ms: median(openMetricsTimes),
  ratio: budgetMs / plainMs,
  goal_ms: 250,
  goal_ratio: 1.2,
  pass: budgetMs <= 250 && budgetMs / plainMs <= 1.2,
});

// Updates to existing series: the hot path of every source.
const UPDATES = 1_000_000;
const updateTimes = { plain: [] as number[], budget: [] as number[] };
for (let round = 0; round < 3; round++) {
  let start = performance.now();
  for (let i = 0; i < UPDATES; i++) plain.inc(labelSets[i % SERIES] as Record<string, string>, 1);
  updateTimes.plain.push(performance.now() - start);
  start = performance.now();
  for (let i = 0; i < UPDATES; i++) budgeted.inc(labelSets[i % SERIES] as Labels, 1);
  updateTimes.budget.push(performance.now() - start);
}
const plainNs = (median(updateTimes.plain) * 1e6) / UPDATES;
const budgetNs = (median(updateTimes.budget) * 1e6) / UPDATES;
report({
  benchmark: 'metrics_update',
  series: SERIES,
  updates: UPDATES,
  plain_prom_client_ns_per_update: plainNs,
  flowlens_ns_per_update: budgetNs,
  ratio: budgetNs / plainNs,
});

report({
  benchmark: 'metrics_heap',
  series: SERIES,
  plain_prom_client_bytes_per_series: plainHeap / SERIES,
  flowlens_bytes_per_series: budgetHeap / SERIES,
  ratio: budgetHeap / plainHeap,
});
