import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import type { FlowRecord } from '../../src/flow/flow-record.js';
import { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { readCheckpoint } from '../../src/sinks/delivery/checkpoint.js';
import { Delivery, type DeliverySettings, type SendOutcome } from '../../src/sinks/delivery/delivery.js';
import { DeliveryMetrics, deliverySpecs } from '../../src/sinks/delivery/metrics.js';
import { addressFlow } from '../support/address-flow-source.js';
import { eventually, sampleValue } from '../support/metrics-text.js';
import { tempDir } from '../support/temp.js';

// The shared delivery under a sink other than OTLP: records POSTed as JSON
// lines to a real HTTP server that answers 429 with Retry-After, 400 and 200.
// Families are named after the sink's own prefix.

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

interface Received {
  readonly at: number;
  readonly lines: string[];
}

async function receiver(answer: (request: number, lines: string[]) => { status: number; headers?: Record<string, string> }): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  let requests = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter((line) => line !== '');
      const { status, headers } = answer(++requests, lines);
      if (status === 200) received.push({ at: Date.now(), lines });
      response.writeHead(status, headers ?? {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`, received };
}

function httpSend(url: string): (records: readonly FlowRecord[]) => Promise<SendOutcome> {
  return async (records) => {
    try {
      const response = await fetch(url, { method: 'POST', body: records.map((record) => record.id).join('\n') });
      if (response.ok) return { ok: true };
      const retryAfter = response.headers.get('retry-after');
      return {
        ok: false,
        permanent: response.status >= 400 && response.status < 500 && response.status !== 429,
        reason: `http_${response.status}`,
        detail: `HTTP ${response.status}`,
        ...(retryAfter !== null ? { retryAfterMs: Number(retryAfter) * 1_000 } : {}),
      };
    } catch (error) {
      return { ok: false, permanent: false, reason: 'network', detail: (error as Error).message };
    }
  };
}

const records = (from: number, count: number): FlowRecord[] =>
  Array.from({ length: count }, (_, index) => ({ ...addressFlow({ ip: '10.0.0.1' }, { ip: '10.0.0.2' }), id: `r${from + index}`, startTime: 1_700_000_000_000 + (from + index) * 1_000 }));

/** A delivery posting to `url`, its families in a pipeline of their own; `settings` override the test defaults. */
function deliveryTo(url: string, settings: Partial<DeliverySettings>): { delivery: Delivery; metrics: MetricsPipeline } {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100, seriesTtlMs: 0, version: 'test', processMetrics: false });
  const delivery = new Delivery({
    queueSize: 100,
    batchSize: 4,
    batchDelayMs: 10,
    concurrency: 1,
    retry: { initial: 10, max: 20 },
    ...settings,
    send: httpSend(url),
    metrics: new DeliveryMetrics(metrics, deliverySpecs('flowlens_test_sink', 'test', 'the test receiver')),
    logger: pino({ level: 'silent' }),
    target: url,
  });
  delivery.start();
  return { delivery, metrics };
}

test('shared delivery: batches, Retry-After, a rejected batch dropped and counted, the rest delivered once, checkpoint written', async () => {
  const peer = await receiver((request, lines) => {
    if (request === 1) return { status: 429, headers: { 'retry-after': '1' } };
    if (lines.includes('r5')) return { status: 400 };
    return { status: 200 };
  });
  const checkpointFile = join(tempDir('delivery'), 'checkpoint.json');
  const { delivery, metrics } = deliveryTo(peer.url, { checkpointFile });
  const started = Date.now();
  delivery.push(records(0, 12));
  await eventually(() => peer.received.flatMap((request) => request.lines).length === 8, () => `${peer.received.length} batches`);
  await delivery.stop(AbortSignal.timeout(2_000));
  const text = await metrics.render('text');
  // The first batch waited for the receiver's Retry-After (1 s), not the 10 ms backoff.
  assert.ok(peer.received[0]!.at - started >= 950, `${peer.received[0]!.at - started} ms`);
  assert.deepEqual(peer.received.map((request) => request.lines), [['r0', 'r1', 'r2', 'r3'], ['r8', 'r9', 'r10', 'r11']]);
  assert.equal(sampleValue(text, 'flowlens_test_sink_exported_total'), 8);
  assert.equal(sampleValue(text, 'flowlens_test_sink_dropped_total', { reason: 'rejected' }), 4);
  assert.equal(sampleValue(text, 'flowlens_test_sink_retries_total'), 1);
  assert.equal(sampleValue(text, 'flowlens_test_sink_export_failures_total', { reason: 'http_429' }), 1);
  assert.equal(sampleValue(text, 'flowlens_test_sink_export_failures_total', { reason: 'http_400' }), 1);
  assert.ok(readCheckpoint(checkpointFile) !== undefined, 'a checkpoint after delivered batches');
});

test('shared delivery: a full queue drops the oldest and counts them; a stop with nothing reachable drops the rest as shutdown', async () => {
  const { delivery, metrics } = deliveryTo('http://127.0.0.1:9/unreachable', { queueSize: 5, batchSize: 100, batchDelayMs: 60_000 });
  delivery.push(records(0, 8));
  await delivery.stop(AbortSignal.timeout(300));
  const text = await metrics.render('text');
  assert.equal(sampleValue(text, 'flowlens_test_sink_dropped_total', { reason: 'queue_full' }), 3);
  assert.equal(sampleValue(text, 'flowlens_test_sink_dropped_total', { reason: 'shutdown' }), 5);
  assert.equal(sampleValue(text, 'flowlens_test_sink_exported_total'), 0);
});
