import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FlowBus } from '../../../src/flow/flow-bus.js';
import type { FlowRecord } from '../../../src/flow/flow-record.js';
import { MetricsPipeline } from '../../../src/metrics/pipeline.js';
import { Backoff } from '../../../src/retry/backoff.js';
import { decodeFlowResult, encodeFlowResult, goldmane, isDecodeFailure } from '../../../src/sources/goldmane/codec.js';
import { flowKeyId, keyParts, toFlowRecord } from '../../../src/sources/goldmane/flow-mapping.js';
import { decodeFlowReport, decodeLabels } from '../../../src/sources/goldmane/report-decoder.js';
import { goldmaneSchema } from '../../../src/sources/goldmane/config.js';
import { GoldmaneSource } from '../../../src/sources/goldmane/goldmane-source.js';
import pino from 'pino';
import protobuf from 'protobufjs/minimal.js';
import { IntervalDedupe } from '../../../src/sources/goldmane/interval-dedupe.js';
import { MAX_BACKFILL_SECONDS, planResume } from '../../../src/sources/goldmane/resume.js';
import { DNS_DENIED, FROM_THE_FUTURE, PASSED, WEB_TO_DB, report, withUnknownFields } from './flows.js';
import { tempDir } from '../../support/temp.js';

test('resume: now on first connect, the last end_time after, clamped into Goldmane\'s hour', () => {
  assert.deepEqual(planResume(undefined, 1_000_000), { startTimeGte: 0, gapSeconds: 0 });
  assert.deepEqual(planResume(999_990, 1_000_000), { startTimeGte: 999_990, gapSeconds: 0 });
  const now = 2_000_000;
  assert.deepEqual(planResume(now - MAX_BACKFILL_SECONDS, now), { startTimeGte: now - MAX_BACKFILL_SECONDS, gapSeconds: 0 });
  assert.deepEqual(planResume(now - 7_200, now), { startTimeGte: now - MAX_BACKFILL_SECONDS, gapSeconds: 7_200 - MAX_BACKFILL_SECONDS });
  assert.ok(MAX_BACKFILL_SECONDS < 3_600);
});

test('dedupe: a (key, start) pair once; keys whose newest bucket left the window are forgotten; at most maxKeys, oldest first', () => {
  const dedupe = new IntervalDedupe(4, 3); // 60 s
  assert.equal(dedupe.seen('a', 0), false);
  assert.equal(dedupe.seen('a', 0), true);
  assert.equal(dedupe.seen('a', 15), false, 'the next interval of the same key is new data');
  assert.equal(dedupe.seen('a', 0), true, 'an earlier bucket of a key is still remembered');
  assert.equal(dedupe.seen('b', 0), false);
  assert.equal(dedupe.size, 2, 'one entry per key, whatever the number of its buckets');
  dedupe.seen('c', 90);
  assert.equal(dedupe.size, 1, 'keys whose newest bucket is more than 60 s behind the newest are dropped');
  assert.equal(dedupe.seen('c', 75), false);
  assert.equal(dedupe.seen('c', 75), true);
  assert.equal(dedupe.seen('c', 90 - 15 * 31), false);
  assert.equal(dedupe.seen('c', 90 - 15 * 31), true, 'a bucket 31 behind its newest is remembered once seen');
  for (const key of ['d', 'e', 'f']) dedupe.seen(key, 90);
  assert.equal(dedupe.size, 3);
  assert.equal(dedupe.evictions.limit, 1, 'the oldest key made room');
  assert.equal(dedupe.seen('c', 90), false, 'c was the oldest');
  // Every key twice, a thousand keys: never more than maxKeys remembered.
  const bounded = new IntervalDedupe(20, 100);
  for (let start = 0; start < 15 * 50; start += 15) for (let key = 0; key < 1_000; key++) bounded.seen(`k${key}`, start);
  assert.ok(bounded.size <= 100 && bounded.size >= 98, `at most maxKeys, less only by a 1/64 batch: ${bounded.size}`);
});

test('backoff doubles with jitter up to the cap and resets', () => {
  const low = new Backoff(100, 1_000, () => 0);
  assert.deepEqual([1, 2, 3, 4, 5].map(() => low.next()), [50, 100, 200, 400, 500]);
  const high = new Backoff(100, 1_000, () => 0.999_999);
  const delays = [1, 2, 3, 4, 5, 6].map(() => Math.round(high.next()));
  assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000]);
  high.reset();
  assert.equal(Math.round(high.next()), 100);
  const huge = new Backoff(5_000, 60_000);
  for (let i = 0; i < 100; i++) assert.ok(huge.next() <= 60_000);
});

test('the flow queue never blocks: when full it drops the oldest and counts them; a failing consumer is reported', async () => {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100, seriesTtlMs: 0, version: 't', processMetrics: false });
  const errors: unknown[] = [];
  const bus = new FlowBus(metrics, (error) => errors.push(error));
  const seen: string[] = [];
  bus.subscribe({
    consume: () => {
      throw new Error('a broken sink');
    },
  });
  bus.subscribe({ consume: (records) => seen.push(...records.map((record) => record.id)) });
  const queue = bus.queue('test', 3);
  for (const id of ['1', '2', '3', '4', '5']) queue.push({ id } as FlowRecord);
  assert.equal(queue.size, 3);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, ['3', '4', '5'], 'a throwing consumer does not keep the batch from the others');
  assert.equal(errors.length, 1);
  const text = await metrics.render('text');
  assert.match(text, /^flowlens_flow_queue_dropped_total\{source="test",reason="queue_full"\} 2$/m);
  assert.match(text, /^flowlens_flow_records_total\{source="test"\} 3$/m);
  queue.push({ id: '6' } as FlowRecord);
  queue.discard('shutdown');
  assert.match(await metrics.render('text'), /^flowlens_flow_queue_dropped_total\{source="test",reason="shutdown"\} 1$/m);
});

test('mapping: enum names, unknown numbers, interval in milliseconds, identity per key and interval', () => {
  const result = report(1, WEB_TO_DB, 0, { connections: 2 });
  const flow = result.flow!;
  const record = toFlowRecord(flow, keyParts(flow.Key!));
  assert.equal(record.action, 'allow');
  assert.equal(record.reporter, 'src');
  assert.equal(record.src.type, 'workload');
  assert.equal(record.dst.port, 5432);
  assert.equal(record.endTime - record.startTime, 15_000);
  assert.equal(record.policies?.enforced[0]?.kind, 'CalicoNetworkPolicy');
  const future = report(2, FROM_THE_FUTURE, 0).flow!;
  const odd = toFlowRecord(future, keyParts(future.Key!));
  assert.deepEqual([odd.action, odd.reporter, odd.src.type, odd.policies?.enforced[0]?.kind], ['unknown', 'unknown', 'unknown', 'Kind99']);
  const later = report(1, WEB_TO_DB, 1).flow!;
  assert.equal(flowKeyId(later.Key!), flowKeyId(flow.Key!), 'same key, same identity');
  assert.notEqual(toFlowRecord(later, keyParts(later.Key!)).id, record.id, 'another interval, another record');
  const otherPolicy = { ...WEB_TO_DB, policies: { enforcedPolicies: [] } };
  assert.notEqual(flowKeyId(otherPolicy), flowKeyId(WEB_TO_DB), 'the policy trace is part of the key');
});

test('decoding never throws: random and truncated bytes come back as counted failures', () => {
  const valid = encodeFlowResult(report(1, WEB_TO_DB, 0, { connections: 2 }));
  const decoded = decodeFlowResult(valid);
  assert.ok(!isDecodeFailure(decoded));
  assert.equal(decoded.flow?.numConnectionsStarted, 2);
  let state = 12_345;
  const random = (): number => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let failures = 0;
  for (let i = 0; i < 20_000; i++) {
    const bytes = i % 2 === 0 ? valid.subarray(0, Math.floor(random() * valid.length)) : Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
    const message = decodeFlowResult(bytes);
    if (isDecodeFailure(message)) failures++;
    else assert.equal(typeof message, 'object');
  }
  assert.ok(failures > 0);
});

test('the generated wire code is what npm run proto produces from proto/goldmane.proto', () => {
  const out = tempDir('proto');
  const script = fileURLToPath(new URL('../../../scripts/generate-proto.js', import.meta.url));
  execFileSync(process.execPath, [script, out], { stdio: 'ignore', timeout: 60_000 });
  const committed = new URL('../../../../src/sources/goldmane/generated/', import.meta.url);
  for (const file of ['goldmane.js', 'goldmane.d.ts']) {
    assert.equal(readFileSync(join(out, file), 'utf8'), readFileSync(new URL(file, committed), 'utf8'), `${file} differs: run npm run proto`);
  }
});

test('the stream decoder agrees with the generated decoder, skips unknown fields and never throws', () => {
  const samples = [
    encodeFlowResult(report(1, WEB_TO_DB, 0, { connections: 2, packetsIn: 3, packetsOut: 4, bytesIn: 5, bytesOut: 6 })),
    encodeFlowResult(report(2, DNS_DENIED, 1, { connections: 2 ** 40 })),
    encodeFlowResult(report(3, PASSED, 2)),
    withUnknownFields(report(4, FROM_THE_FUTURE, 3, { connections: 1 })),
    encodeFlowResult({ id: 5 }),
  ];
  for (const bytes of samples) {
    const full = decodeFlowResult(bytes);
    const fast = decodeFlowReport(bytes);
    assert.ok(!isDecodeFailure(full) && !isDecodeFailure(fast));
    const flow = full.flow;
    assert.equal(fast.hasFlow, flow !== undefined && flow !== null);
    assert.equal(fast.id, full.id ?? 0);
    if (!flow) continue;
    for (const field of ['startTime', 'endTime', 'packetsIn', 'packetsOut', 'bytesIn', 'bytesOut', 'numConnectionsStarted', 'numConnectionsCompleted', 'numConnectionsLive'] as const) {
      assert.equal(fast[field], flow[field] ?? 0, field);
    }
    assert.deepEqual(decodeLabels(fast.labels), { source: flow.sourceLabels ?? [], dest: flow.destLabels ?? [] });
    assert.ok(fast.key);
    assert.equal(flowKeyId(goldmaneKey(fast.key)), flowKeyId(flow.Key!), 'the key bytes decode to the same key');
  }
  let state = 99;
  const random = (): number => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 20_000; i++) {
    const base = samples[i % samples.length] as Buffer;
    const bytes = i % 3 === 0 ? base.subarray(0, Math.floor(random() * base.length)) : Buffer.from(Array.from({ length: Math.floor(random() * 80) }, () => Math.floor(random() * 256)));
    const message = decodeFlowReport(bytes);
    assert.equal(typeof message, 'object');
  }
});

test('each record carries its own report\'s labels, also when they change or arrive interleaved', async () => {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100, seriesTtlMs: 0, version: 'test', processMetrics: false });
  const flows = new FlowBus(metrics);
  const records: FlowRecord[] = [];
  flows.subscribe({ consume: (batch) => void records.push(...batch) });
  const config = goldmaneSchema.parse({ address: '127.0.0.1:1' });
  const source = new GoldmaneSource({ config, logger: pino({ level: 'silent' }), metrics, flows });
  const withLabels = (interval: number, source: string[], dest: string[]): Buffer => {
    const result = report(1, WEB_TO_DB, interval);
    return encodeFlowResult({ ...result, flow: { ...result.flow, sourceLabels: source, destLabels: dest } });
  };
  // Labels between other fields: legal protobuf, though Go never writes it.
  const interleaved = (interval: number): Buffer => {
    const result = report(1, WEB_TO_DB, interval);
    const flow = protobuf.Writer.create();
    flow.uint32((1 << 3) | 2).bytes(goldmane.FlowKey.encode(WEB_TO_DB).finish());
    flow.uint32((4 << 3) | 2).string('x=1');
    flow.uint32((2 << 3) | 0).int64(result.flow!.startTime!);
    flow.uint32((3 << 3) | 0).int64(result.flow!.endTime!);
    flow.uint32((4 << 3) | 2).string('y=2');
    flow.uint32((6 << 3) | 0).int64(interval);
    flow.uint32((5 << 3) | 2).string('z=3');
    const outer = protobuf.Writer.create();
    outer.uint32((2 << 3) | 2).bytes(flow.finish());
    return Buffer.from(outer.finish());
  };
  const messages = [
    withLabels(0, ['app=web'], ['app=db']),
    withLabels(1, ['app=web'], ['app=db']),
    withLabels(2, ['app=web', 'version=2'], ['app=db']),
    interleaved(3),
    interleaved(4),
    withLabels(5, [], []),
    withLabels(6, ['app=web'], ['app=db']),
  ];
  for (const bytes of messages) source.ingest(decodeFlowReport(bytes));
  for (let i = 0; i < 100 && records.length < messages.length; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    records.map((record) => [record.src.labels, record.dst.labels]),
    [
      [['app=web'], ['app=db']],
      [['app=web'], ['app=db']],
      [['app=web', 'version=2'], ['app=db']],
      [['x=1', 'y=2'], ['z=3']],
      [['x=1', 'y=2'], ['z=3']],
      [[], []],
      [['app=web'], ['app=db']],
    ],
  );
  assert.deepEqual(records.map((record) => record.packetsIn), [0, 0, 0, 3, 4, 0, 0]);
});

function goldmaneKey(bytes: Uint8Array) {
  return goldmane.FlowKey.decode(bytes);
}
