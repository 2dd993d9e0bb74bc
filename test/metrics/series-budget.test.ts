import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OVERFLOW_VALUE, REJECTED_METRIC, SeriesBudget } from '../../src/metrics/series-budget.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const rejected = (budget: SeriesBudget, metric: string): number =>
  budget.get(REJECTED_METRIC)?.snapshot().find((sample) => sample.labels.metric === metric)?.value ?? 0;

test('label sets within the budget are separate series', () => {
  const budget = new SeriesBudget({ maxSeries: 3, ttlMs: 0 });
  const flows = budget.counter({ type: 'counter', name: 'flows_total', help: 'h', labels: { ns: 'test', pod: 'test' } });
  flows.inc({ ns: 'a', pod: 'x' });
  flows.inc({ ns: 'a', pod: 'x' }, 2);
  flows.inc({ ns: 'a', pod: 'y' }, 5);
  flows.inc({ pod: 'z', ns: 'b' }, 1);
  assert.deepEqual(
    flows.snapshot().map(({ labels, value }) => `${labels.ns}/${labels.pod}=${value}`),
    ['a/x=3', 'a/y=5', 'b/z=1'],
  );
  assert.equal(rejected(budget, 'flows_total'), 0);
});

test('beyond the budget new label sets fold into one overflow series and are counted', () => {
  const budget = new SeriesBudget({ maxSeries: 2, ttlMs: 0 });
  const flows = budget.counter({ type: 'counter', name: 'flows_total', help: 'h', labels: { ns: 'test', pod: 'test' } });
  flows.inc({ ns: 'a', pod: '1' }, 10);
  flows.inc({ ns: 'a', pod: '2' }, 20);
  flows.inc({ ns: 'a', pod: '3' }, 30);
  flows.inc({ ns: 'a', pod: '4' }, 40);
  flows.inc({ ns: 'a', pod: '3' }, 1);
  flows.inc({ ns: 'a', pod: '1' }, 1);
  const samples = flows.snapshot();
  assert.equal(samples.length, 3, 'two real series and one overflow series');
  const overflow = samples.find((sample) => sample.labels.ns === OVERFLOW_VALUE);
  assert.deepEqual(overflow?.labels, { ns: OVERFLOW_VALUE, pod: OVERFLOW_VALUE });
  assert.equal(overflow?.value, 71, 'folded updates keep the family total right');
  assert.equal(samples.reduce((sum, sample) => sum + sample.value, 0), 102);
  assert.equal(rejected(budget, 'flows_total'), 3, 'every folded update counts');
  assert.equal(flows.size, 3);
});

test('histograms and gauges fold the same way', () => {
  const budget = new SeriesBudget({ maxSeries: 1, ttlMs: 0 });
  const latency = budget.histogram({ type: 'histogram', name: 'latency_seconds', help: 'h', labels: { host: 'test' }, buckets: [0.1, 1] });
  latency.observe({ host: 'a' }, 0.05);
  latency.observe({ host: 'b' }, 0.5);
  latency.observe({ host: 'c' }, 5);
  assert.deepEqual(latency.get({ host: 'a' }), { buckets: [1, 1, 1], sum: 0.05, count: 1 });
  assert.deepEqual(latency.get({ host: OVERFLOW_VALUE }), { buckets: [0, 1, 2], sum: 5.5, count: 2 });
  assert.equal(rejected(budget, 'latency_seconds'), 2);
  // A budget of its own: with maxSeries 1 the rejection counter holds one `metric` series.
  const gauges = new SeriesBudget({ maxSeries: 1, ttlMs: 0 });
  const depth = gauges.gauge({ type: 'gauge', name: 'depth', help: 'h', labels: { queue: 'test' } });
  depth.set({ queue: 'a' }, 3);
  depth.inc({ queue: 'b' }, 2);
  depth.dec({ queue: 'c' }, 1);
  assert.deepEqual(depth.snapshot().map((sample) => sample.value), [3, 1]);
  assert.equal(rejected(gauges, 'depth'), 2);
});

test('the rejection counter is itself under the budget without recursing', () => {
  const budget = new SeriesBudget({ maxSeries: 1, ttlMs: 0 });
  const a = budget.counter({ type: 'counter', name: 'a_total', help: 'h', labels: { x: 'test' } });
  const b = budget.counter({ type: 'counter', name: 'b_total', help: 'h', labels: { x: 'test' } });
  a.inc({ x: '1' });
  a.inc({ x: '2' });
  b.inc({ x: '1' });
  b.inc({ x: '2' });
  const counts = budget.get(REJECTED_METRIC)?.snapshot() ?? [];
  assert.deepEqual(counts.map((sample) => [sample.labels.metric, sample.value]), [
    ['a_total', 1],
    [OVERFLOW_VALUE, 1],
  ]);
});

test('series not updated within the TTL are removed, and free budget for new ones', () => {
  const time = clock();
  const budget = new SeriesBudget({ maxSeries: 2, ttlMs: 60_000, now: time.now });
  const flows = budget.counter({ type: 'counter', name: 'flows_total', help: 'h', labels: { pod: 'test' } });
  const info = budget.gauge({ type: 'gauge', name: 'info', help: 'h', labels: { v: 'test' }, expires: false });
  info.set({ v: '1' }, 1);
  flows.inc({ pod: 'old' });
  time.advance(30_000);
  flows.inc({ pod: 'fresh' });
  time.advance(40_000);
  assert.equal(budget.sweep(), 1, 'old is 70 s stale, fresh 40 s');
  assert.deepEqual(flows.snapshot().map((sample) => sample.labels.pod), ['fresh']);
  assert.equal(info.size, 1, 'non-expiring families keep their series');
  flows.inc({ pod: 'new' });
  time.advance(59_000);
  flows.inc({ pod: 'fresh' });
  time.advance(2_000);
  // Full (fresh + new): admitting another label set first sweeps out "new" (61 s stale).
  flows.inc({ pod: 'newer' });
  assert.deepEqual(flows.snapshot().map((sample) => sample.labels.pod).sort(), ['fresh', 'newer']);
  assert.equal(rejected(budget, 'flows_total'), 0);
});

test('a TTL of zero keeps series forever', () => {
  const time = clock();
  const budget = new SeriesBudget({ maxSeries: 10, ttlMs: 0, now: time.now });
  const flows = budget.counter({ type: 'counter', name: 'flows_total', help: 'h', labels: { pod: 'test' } });
  flows.inc({ pod: 'a' });
  time.advance(365 * 86_400_000);
  assert.equal(budget.sweep(), 0);
  assert.equal(flows.size, 1);
});

test('series can be removed by labels or by predicate', () => {
  const budget = new SeriesBudget({ maxSeries: 10, ttlMs: 0 });
  const flows = budget.counter({ type: 'counter', name: 'flows_total', help: 'h', labels: { ns: 'test', pod: 'test' } });
  for (const pod of ['a', 'b', 'c']) flows.inc({ ns: 'x', pod });
  flows.inc({ ns: 'y', pod: 'a' });
  assert.equal(flows.remove({ ns: 'x', pod: 'b' }), true);
  assert.equal(flows.remove({ ns: 'x', pod: 'b' }), false);
  assert.equal(flows.removeWhere((labels) => labels.pod === 'a'), 2);
  assert.deepEqual(flows.snapshot().map((sample) => sample.labels), [{ ns: 'x', pod: 'c' }]);
});

test('label values are normalized and keys cannot collide', () => {
  const budget = new SeriesBudget({ maxSeries: 10, ttlMs: 0 });
  const family = budget.counter({ type: 'counter', name: 'c_total', help: 'h', labels: { a: 'test', b: 'test' } });
  family.inc({ a: 'x\u0000', b: 'y' });
  family.inc({ a: 'x', b: '\u0000y' });
  family.inc({ a: 8080, b: undefined });
  family.inc({ a: '8080', b: '' });
  assert.deepEqual(family.snapshot().map(({ labels, value }) => [labels.a, labels.b, value]), [
    ['x\uFFFD', 'y', 1],
    ['x', '\uFFFDy', 1],
    ['8080', '', 2],
  ]);
});

test('programming errors are loud', () => {
  const budget = new SeriesBudget({ maxSeries: 10, ttlMs: 0 });
  const family = budget.counter({ type: 'counter', name: 'c_total', help: 'h', labels: { a: 'test' } });
  assert.throws(() => family.inc({ a: 'x', nope: 'y' }), /has no label "nope"/);
  assert.throws(() => family.inc({ a: 'x' }, -1), /only go up/);
  assert.throws(() => budget.counter({ type: 'counter', name: 'c_total', help: 'h' }), /already registered/);
  assert.throws(() => budget.counter({ type: 'counter', name: 'bad-name', help: 'h' }), /invalid metric name/);
  assert.throws(() => budget.counter({ type: 'counter', name: 'x', help: 'h', labels: { __reserved: 'test' } }), /invalid label name/);
  assert.throws(() => budget.histogram({ type: 'histogram', name: 'h', help: 'h', buckets: [1, 1] }), /ascend/);
  assert.throws(() => new SeriesBudget({ maxSeries: 0, ttlMs: 0 }), /at least 1/);
});
