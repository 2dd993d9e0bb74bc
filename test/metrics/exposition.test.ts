import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { escapeLabelValue, familyHeader, formatValue, negotiateFormat } from '../../src/metrics/exposition.js';
import { SeriesBudget } from '../../src/metrics/series-budget.js';

const golden = (name: string): string =>
  readFileSync(new URL(`../../../test/fixtures/metrics/${name}`, import.meta.url), 'utf8');

function sampleBudget(): SeriesBudget {
  const budget = new SeriesBudget({ maxSeries: 2, ttlMs: 0 });
  const allow = budget.counter({ type: 'counter', name: 'calico_flow_allow', help: 'Seed counter without _total.', labels: { reporter: 'test', src_pod: 'test' } });
  allow.inc({ reporter: 'src', src_pod: 'web-*' }, 3);
  allow.inc({ reporter: 'dst', src_pod: 'quote"back\\slash\nnewline' }, 1);
  allow.inc({ reporter: 'src', src_pod: 'third' }, 2);
  const total = budget.counter({ type: 'counter', name: 'flowlens_things_total', help: 'A help with a \\ backslash\nand newline.' });
  total.inc(undefined, 7);
  const gauge = budget.gauge({ type: 'gauge', name: 'flowlens_queue_depth', help: 'Depth.', labels: { queue: 'test' } });
  gauge.set({ queue: 'ünïcödé' }, 0.5);
  const histogram = budget.histogram({ type: 'histogram', name: 'dns_latency_seconds', help: 'Latency.', labels: { host: 'test' }, buckets: [0.001, 0.002] });
  histogram.observe({ host: 'a.' }, 0.0015);
  histogram.observe({ host: 'a.' }, 3);
  return budget;
}

test('text format 0.0.4 matches the golden exposition', () => {
  assert.equal(sampleBudget().render('text'), golden('budget.prom'));
});

test('OpenMetrics keeps seed counter sample names and strips _total from family names', () => {
  assert.equal(sampleBudget().render('openmetrics'), golden('budget.om'));
  assert.equal(familyHeader('calico_flow_deny', 'h', 'counter', 'openmetrics'), '# HELP calico_flow_deny h\n# TYPE calico_flow_deny unknown\n');
  assert.equal(familyHeader('x_total', 'say "hi"', 'counter', 'openmetrics'), '# HELP x say \\"hi\\"\n# TYPE x counter\n');
  assert.equal(familyHeader('x_total', 'say "hi"', 'counter', 'text'), '# HELP x_total say "hi"\n# TYPE x_total counter\n');
});

test('escaping and number formatting', () => {
  assert.equal(escapeLabelValue('plain'), 'plain');
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  assert.equal(formatValue(1), '1');
  assert.equal(formatValue(0.25), '0.25');
  assert.equal(formatValue(Number.POSITIVE_INFINITY), '+Inf');
  assert.equal(formatValue(Number.NEGATIVE_INFINITY), '-Inf');
  assert.equal(formatValue(Number.NaN), 'NaN');
  assert.equal(formatValue(1e21), '1e+21');
});

test('content negotiation follows Accept and its q-values', () => {
  assert.equal(negotiateFormat(undefined), 'text');
  assert.equal(negotiateFormat('*/*'), 'text');
  assert.equal(negotiateFormat('text/plain;version=0.0.4'), 'text');
  // What Prometheus 2.x sends by default.
  assert.equal(
    negotiateFormat('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'),
    'openmetrics',
  );
  assert.equal(negotiateFormat('application/openmetrics-text;q=0.2,text/plain;q=0.9'), 'text');
  assert.equal(negotiateFormat('application/openmetrics-text;q=0'), 'text');
});
