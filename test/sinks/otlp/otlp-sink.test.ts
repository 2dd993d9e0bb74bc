import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../../src/agent.js';
import { componentDefinitions } from '../../../src/registry.js';
import { loadConfig } from '../../../src/config/load.js';
import { VERSION } from '../../../src/version.js';
import { bucket, GoldmaneTestServer } from '../../support/goldmane-server.js';
import { get } from '../../support/http.js';
import { eventually, sampleValue } from '../../support/metrics-text.js';
import { OtlpReceiver, type HeldRequest, type ReceivedLog } from '../../support/otlp-receiver.js';
import { DNS_DENIED, PASSED, WEB_TO_DB, report } from '../../sources/goldmane/flows.js';
import { EXPECTED_ATTRIBUTES, EXPECTED_BODY, streamThreeBuckets } from '../flow-log-golden.js';
import { tempDir } from '../../support/temp.js';

// The otlp sink end to end: a Goldmane peer streams flow reports into a real
// agent, whose flow logs go over OTLP/HTTP to a receiver that decodes them with
// the official OTLP schema.

const logger = pino({ level: process.env.TEST_LOG ?? "silent" });
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function startPeers(): Promise<{ goldmane: GoldmaneTestServer; receiver: OtlpReceiver }> {
  const goldmane = await GoldmaneTestServer.start();
  cleanup.push(() => goldmane.kill());
  const receiver = new OtlpReceiver();
  await receiver.start();
  cleanup.push(() => receiver.stop());
  return { goldmane, receiver };
}

async function startAgent(goldmane: GoldmaneTestServer, env: NodeJS.ProcessEnv, settings: string[] = []): Promise<Agent> {
  const loaded = loadConfig({
    env: { GOLDMANE_ADDR: goldmane.address, ...env },
    flags: {
      listen: '127.0.0.1:0',
      set: ['goldmane.reconnect.initial=50ms', 'goldmane.reconnect.max=200ms', 'otlp.batchDelay=50ms', 'otlp.retry.initial=100ms', 'otlp.retry.max=400ms', ...settings],
    },
    definitions: componentDefinitions,
  });
  const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger, version: 'test' });
  await agent.start();
  cleanup.push(() => agent.stop(2_000));
  return agent;
}

const otlpUp = (agent: Agent): boolean | undefined => (agent.readiness().body as { components: Record<string, { up: boolean }> }).components.otlp?.up;
const scrape = async (agent: Agent): Promise<string> => (await get(`${agent.server.url}/metrics`)).text;

async function waitForLogs(receiver: OtlpReceiver, count: number): Promise<ReceivedLog[]> {
  await eventually(() => receiver.logs.length >= count, () => `${receiver.logs.length} of ${count} records received`);
  // Nothing more may follow: no duplicates.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(receiver.logs.length, count, 'records received');
  return receiver.logs;
}

/** A record's identity: its flow key and interval, as the receiver sees them. */
function identity(log: ReceivedLog): string {
  const body = JSON.parse(log.body as string) as { Key: { sourceName: string; destName: string }; startTime: string };
  return `${body.Key.sourceName}>${body.Key.destName}@${body.startTime}`;
}

describe('otlp sink against an OTLP/HTTP receiver', () => {
  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    test(`${protocol}: one record per flow key and interval, in the seed's data model, at the flow's time`, async () => {
      const { goldmane, receiver } = await startPeers();
      const started = Date.now();
      const agent = await startAgent(goldmane, {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_COMPRESSION: protocol === 'http/json' ? 'gzip' : 'none',
        OTEL_EXPORTER_OTLP_HEADERS: 'X-Scope-OrgID=tenant%201',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
        FLOWLENS_CLUSTER: 'prod-eu',
      });
      streamThreeBuckets(await goldmane.nextStream());
      const logs = await waitForLogs(receiver, 4);

      assert.deepEqual(logs.map(identity), [
        `web-*>db-*@${bucket(0).startTime}`,
        `batch-*>pub@${bucket(0).startTime}`,
        `web-*>db-*@${bucket(1).startTime}`,
        `node-1>api-*@${bucket(2).startTime}`,
      ]);
      const request = receiver.requests[0]!;
      assert.equal(request.path, '/v1/logs');
      assert.equal(request.contentType, protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
      assert.equal(request.contentEncoding, protocol === 'http/json' ? 'gzip' : undefined);
      assert.equal(request.headers['x-scope-orgid'], 'tenant 1');

      const golden = logs[0]!;
      assert.equal(golden.body, JSON.stringify(EXPECTED_BODY), 'the body is the seed\'s protojson, field for field and in order');
      assert.deepEqual(golden.attributes, EXPECTED_ATTRIBUTES);
      assert.equal(golden.timeUnixNano, `${bucket(0).endTime}000000000`, 'timestamp = the flow\'s end_time');
      const observedMs = Number(BigInt(golden.observedTimeUnixNano) / 1_000_000n);
      assert.ok(observedMs >= started && observedMs <= Date.now(), 'observed timestamp = when flowlens handled it');
      assert.deepEqual([golden.severityNumber, golden.severityText], [9, 'INFO']);
      const denied = logs[1]!;
      assert.deepEqual([denied.severityNumber, denied.severityText], [13, 'WARN'], 'Deny is WARN');
      assert.deepEqual(JSON.parse(denied.body as string).Key.policies, {
        enforcedPolicies: [{ kind: 'GlobalNetworkPolicy', name: 'security.deny-egress', tier: 'security', action: 'Deny', policyIndex: '1' }],
      });
      assert.equal(denied.attributes.dest_service_name, undefined, 'Goldmane\'s "-" service is no service');
      assert.deepEqual([logs[3]!.severityText, logs[3]!.attributes.action as string], ['INFO', 'Pass']);

      assert.deepEqual(golden.scope, { name: 'flowlens/flows', version: VERSION });
      assert.equal(golden.resource['service.name'], 'flowlens');
      assert.equal(golden.resource['service.version'], VERSION);
      assert.equal(golden.resource['deployment.environment'], 'test');
      assert.equal(golden.resource.cluster, 'prod-eu');
      assert.equal(golden.resource['k8s.cluster.name'], 'prod-eu');
      assert.equal(golden.resource['telemetry.sdk.language'], 'nodejs');

      const text = await scrape(agent);
      assert.equal(sampleValue(text, 'flowlens_otlp_exported_total'), 4);
      assert.equal(sampleValue(text, 'flowlens_otlp_queue_depth'), 0);
      assert.equal(sampleValue(text, 'flowlens_otlp_http_responses_total', { code: '200' }), receiver.requests.length);
    });
  }

  test('a receiver answering 503 with Retry-After for a while: retried at the pace it asks, nothing lost or doubled', async () => {
    const { goldmane, receiver } = await startPeers();
    receiver.fail(3, 503, { 'retry-after': '1' });
    const agent = await startAgent(goldmane, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, ['otlp.timeout=500ms']);
    streamThreeBuckets(await goldmane.nextStream());
    const logs = await waitForLogs(receiver, 4);
    assert.equal(new Set(logs.map(identity)).size, 4);
    assert.equal(receiver.refusedAt.length, 3);
    for (let i = 1; i < receiver.refusedAt.length; i++) {
      assert.ok(receiver.refusedAt[i]! - receiver.refusedAt[i - 1]! >= 900, 'Retry-After: 1 is honoured');
    }
    const text = await scrape(agent);
    assert.equal(sampleValue(text, 'flowlens_otlp_export_failures_total', { reason: 'http_503' }), 3);
    assert.equal(sampleValue(text, 'flowlens_otlp_retries_total'), 3);
    assert.equal(sampleValue(text, 'flowlens_otlp_exported_total'), 4);
    assert.equal(sampleValue(text, 'flowlens_otlp_dropped_total', { reason: 'rejected' }), undefined);
  });

  test('two batches in flight answered 503 (Retry-After: 2) and 200, headers crossed: each batch gets its own status', async () => {
    const { goldmane, receiver } = await startPeers();
    receiver.hold(2);
    const agent = await startAgent(goldmane, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '1' }, ['otlp.retry.initial=50ms', 'otlp.retry.max=50ms']);
    const stream = await goldmane.nextStream();
    stream.write(report(1, WEB_TO_DB, 0, { connections: 1 }));
    stream.write(report(2, DNS_DENIED, 0, { connections: 1 }));
    await eventually(() => receiver.held.length === 2, () => `${receiver.held.length} requests held`);
    const [first, second] = receiver.held as [HeldRequest, HeldRequest];
    // The first batch's status line arrives, then the second's, then the bodies: a status shared
    // between in-flight requests would hand the first batch the second one's 200.
    first.head(503, { 'retry-after': '2' });
    second.head(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answered = Date.now();
    first.end();
    second.end();
    await eventually(() => receiver.logs.length === 2, () => `${receiver.logs.length} of 2 records accepted`, 10_000);
    const retriedAfter = Date.now() - answered;
    assert.ok(retriedAfter >= 1_900, `the 503 batch waited for its own Retry-After (${retriedAfter} ms), not the backoff of 50 ms`);
    assert.deepEqual(new Set(receiver.logs.map(identity)).size, 2, 'each record once');
    const text = await scrape(agent);
    assert.equal(sampleValue(text, 'flowlens_otlp_export_failures_total', { reason: 'http_503' }), 1);
    assert.equal(sampleValue(text, 'flowlens_otlp_export_failures_total', { reason: 'http_200' }), undefined);
    assert.equal(sampleValue(text, 'flowlens_otlp_http_responses_total', { code: '503' }), 1);
    assert.equal(sampleValue(text, 'flowlens_otlp_http_responses_total', { code: '200' }), 2);
    assert.equal(sampleValue(text, 'flowlens_otlp_retries_total'), 1);
  });

  test('a receiver that is down, then up: everything arrives once; a full queue drops the oldest and counts them', async () => {
    const { goldmane, receiver } = await startPeers();
    await receiver.stop();
    const agent = await startAgent(goldmane, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, ['otlp.timeout=300ms']);
    streamThreeBuckets(await goldmane.nextStream());
    await eventually(async () => (sampleValue(await scrape(agent), 'flowlens_otlp_export_failures_total', { reason: 'network' }) ?? 0) >= 2, async () => await scrape(agent));
    assert.equal(otlpUp(agent), false);
    await receiver.start();
    const logs = await waitForLogs(receiver, 4);
    assert.equal(new Set(logs.map(identity)).size, 4);
    await eventually(() => otlpUp(agent) === true, () => 'up again');

    const small = await startPeers();
    await small.receiver.stop();
    const crowded = await startAgent(small.goldmane, { OTEL_EXPORTER_OTLP_ENDPOINT: small.receiver.url, OTEL_BLRP_MAX_QUEUE_SIZE: '2', OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '1' }, [
      'otlp.timeout=300ms',
    ]);
    const stream = await small.goldmane.nextStream();
    for (let i = 0; i < 6; i++) stream.write(report(1, WEB_TO_DB, i));
    // Two batches in flight, two records queued: the rest is dropped, oldest first.
    let dropped = 0;
    await eventually(
      async () => {
        const text = await scrape(crowded);
        dropped = sampleValue(text, 'flowlens_otlp_dropped_total', { reason: 'queue_full' }) ?? 0;
        return dropped > 0 && dropped + (sampleValue(text, 'flowlens_otlp_queue_depth') ?? 0) === 6;
      },
      async () => await scrape(crowded),
    );
    await small.receiver.start();
    const kept = await waitForLogs(small.receiver, 6 - dropped);
    assert.ok(dropped >= 2, `at most two in flight and two queued (dropped ${dropped})`);
    const keptIds = kept.map(identity);
    for (const i of [4, 5]) assert.ok(keptIds.includes(`web-*>db-*@${bucket(i).startTime}`), `the newest records were kept (${keptIds.join(', ')})`);
    assert.equal(new Set(kept.map(identity)).size, kept.length);
  });

  test('a receiver that rejects a batch (400): dropped and counted, the next batch goes on', async () => {
    const { goldmane, receiver } = await startPeers();
    receiver.fail(1, 400);
    const agent = await startAgent(goldmane, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const stream = await goldmane.nextStream();
    stream.write(report(1, WEB_TO_DB, 0));
    await eventually(async () => sampleValue(await scrape(agent), 'flowlens_otlp_dropped_total', { reason: 'rejected' }) === 1, () => 'rejected');
    stream.write(report(1, WEB_TO_DB, 1));
    assert.deepEqual((await waitForLogs(receiver, 1)).map(identity), [`web-*>db-*@${bucket(1).startTime}`]);
  });

  test('SIGTERM-style stop flushes what is queued before the deadline', async () => {
    const { goldmane, receiver } = await startPeers();
    const agent = await startAgent(goldmane, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, ['otlp.batchDelay=1m']);
    streamThreeBuckets(await goldmane.nextStream());
    await eventually(async () => sampleValue(await scrape(agent), 'flowlens_otlp_queue_depth') === 4, () => 'queued');
    assert.equal(receiver.logs.length, 0, 'the batch delay holds them');
    assert.equal(await agent.stop(5_000), true);
    assert.equal(receiver.logs.length, 4, 'flushed before stop returned');
  });

  test('restart with a checkpoint: resumes where delivery stopped, skips what was delivered, counters skip replays', async () => {
    const { goldmane, receiver } = await startPeers();
    const checkpointFile = join(tempDir('checkpoint'), 'state', 'otlp.json');
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    const settings = [`otlp.checkpointFile=${checkpointFile}`, 'otlp.timeout=300ms'];
    const first = await startAgent(goldmane, env, settings);
    const stream = await goldmane.nextStream();
    assert.equal(stream.startTimeGte, 0, 'no checkpoint yet: from now');
    stream.write(report(1, WEB_TO_DB, 0));
    stream.write(report(2, DNS_DENIED, 0));
    stream.write(report(1, WEB_TO_DB, 1));
    stream.write(report(2, DNS_DENIED, 1));
    await waitForLogs(receiver, 4);
    // The receiver goes down; bucket 1 is half delivered when the agent stops.
    await receiver.stop();
    stream.write(report(3, PASSED, 1));
    await eventually(async () => (sampleValue(await scrape(first), 'flowlens_otlp_export_failures_total', { reason: 'network' }) ?? 0) >= 1, () => 'failing');
    await first.stop(300);
    assert.ok(existsSync(checkpointFile));
    const saved = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { resumeFrom: number; delivered: Record<string, string[]> };
    assert.equal(saved.resumeFrom, bucket(1).startTime, 'the oldest interval not fully delivered');

    await receiver.start();
    const second = await startAgent(goldmane, env, settings);
    const resumed = await goldmane.nextStream();
    assert.equal(resumed.startTimeGte, bucket(1).startTime, 'resumes from the checkpoint, not from now');
    // Goldmane backfills from there: bucket 1 again (two of its records were delivered), then bucket 2.
    resumed.write(report(1, WEB_TO_DB, 1));
    resumed.write(report(2, DNS_DENIED, 1));
    resumed.write(report(3, PASSED, 1));
    resumed.write(report(1, WEB_TO_DB, 2, { connections: 5 }));
    const logs = await waitForLogs(receiver, 6);
    assert.deepEqual(logs.slice(4).map(identity), [
      `node-1>api-*@${bucket(1).startTime}`,
      `web-*>db-*@${bucket(2).startTime}`,
    ]);
    assert.equal(new Set(logs.map(identity)).size, 6, 'no record twice');
    const text = await scrape(second);
    assert.equal(sampleValue(text, 'flowlens_goldmane_duplicates_total'), 2, 'the delivered records were skipped');
    // These buckets are minutes old: a "now" stream would not have sent them, so counters skip them.
    assert.equal(sampleValue(text, 'calico_flow_allow', { reporter: 'src', protocol: 'tcp', src_namespace: 'shop', src_pod: 'web-*', src_port: '0', dst_namespace: 'data', dst_object: 'db-*', dst_port: '5432' }), undefined);
  });

  test('SIGTERM-style stop during an outage, an older batch still retrying while a newer one was acknowledged: the checkpoint keeps the older interval; after the restart it arrives once', async () => {
    const { goldmane, receiver } = await startPeers();
    const checkpointFile = join(tempDir('checkpoint-abandoned'), 'otlp.json');
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '1' };
    const settings = [`otlp.checkpointFile=${checkpointFile}`, 'otlp.timeout=5s'];
    receiver.hold(2);
    const first = await startAgent(goldmane, env, settings);
    const stream = await goldmane.nextStream();
    stream.write(report(1, WEB_TO_DB, 1));
    stream.write(report(2, DNS_DENIED, 2));
    await eventually(() => receiver.held.length === 2, () => `${receiver.held.length} requests held`);
    const [older, newer] = receiver.held as [HeldRequest, HeldRequest];
    older.head(503, { 'retry-after': '30' });
    older.end();
    newer.head(200);
    newer.end();
    await eventually(async () => receiver.logs.length === 1 && sampleValue(await scrape(first), 'flowlens_otlp_export_failures_total', { reason: 'http_503' }) === 1, () => 'one acknowledged, one waiting 30 s');
    await first.stop(300);
    const saved = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { resumeFrom: number; delivered: Record<string, string[]> };
    assert.equal(saved.resumeFrom, bucket(1).startTime, 'the abandoned older interval is still pending');
    assert.equal(saved.delivered[String(bucket(2).startTime)]?.length, 1, 'the acknowledged newer record is remembered as delivered');
    const stopped = await first.metrics.render('text');
    assert.equal(sampleValue(stopped, 'flowlens_otlp_deferred_total'), 1, 'deferred to the next start, not lost');
    assert.equal(sampleValue(stopped, 'flowlens_otlp_dropped_total', { reason: 'shutdown' }), undefined);

    const second = await startAgent(goldmane, env, settings);
    const resumed = await goldmane.nextStream();
    assert.equal(resumed.startTimeGte, bucket(1).startTime);
    resumed.write(report(1, WEB_TO_DB, 1));
    resumed.write(report(2, DNS_DENIED, 2));
    const logs = await waitForLogs(receiver, 2);
    assert.deepEqual(logs.map(identity).sort(), [`batch-*>pub@${bucket(2).startTime}`, `web-*>db-*@${bucket(1).startTime}`]);
    assert.equal(sampleValue(await scrape(second), 'flowlens_goldmane_duplicates_total'), 1, 'the delivered newer record was skipped');
  });

  test('a receiver that acknowledges after the timeout: the batch is sent again and counted as a possible duplicate', async () => {
    const { goldmane, receiver } = await startPeers();
    receiver.hold(1);
    const agent = await startAgent(goldmane, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, ['otlp.timeout=300ms']);
    (await goldmane.nextStream()).write(report(1, WEB_TO_DB, 0));
    await eventually(() => receiver.held.length === 1, () => 'held');
    await eventually(async () => sampleValue(await scrape(agent), 'flowlens_otlp_export_failures_total', { reason: 'timeout' }) === 1, () => 'timed out');
    // The receiver took it after all.
    receiver.held[0]!.head(200);
    receiver.held[0]!.end();
    await eventually(() => receiver.logs.length === 2, () => `${receiver.logs.length} copies`);
    assert.equal(new Set(receiver.logs.map(identity)).size, 1, 'the same record twice: at least once');
    assert.equal(sampleValue(await scrape(agent), 'flowlens_otlp_possible_duplicates_total'), 1);
  });
});
