import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { Agent } from '../../../src/agent.js';
import { componentDefinitions } from '../../../src/registry.js';
import { loadConfig } from '../../../src/config/load.js';
import { FlowBus } from '../../../src/flow/flow-bus.js';
import type { FlowRecord } from '../../../src/flow/flow-record.js';
import { FlowMetrics } from '../../../src/sinks/prometheus/flow-metrics.js';
import { goldmane } from '../../../src/sources/goldmane/codec.js';
import { MetricsPipeline } from '../../../src/metrics/pipeline.js';
import { goldmaneSchema } from '../../../src/sources/goldmane/config.js';
import { GoldmaneSource } from '../../../src/sources/goldmane/goldmane-source.js';
import { MAX_BACKFILL_SECONDS } from '../../../src/sources/goldmane/resume.js';
import { makeCerts, type CertSet } from '../../support/certs.js';
import { runCli, startAgent as startAgentProcess, type AgentProcess } from '../../support/cli-process.js';
import { bucket, GoldmaneTestServer } from '../../support/goldmane-server.js';
import { get } from '../../support/http.js';
import { eventually, sampleValue } from '../../support/metrics-text.js';
import { promtoolCheck } from '../../support/promtool.js';
import { tempDir } from '../../support/temp.js';
import { toolSkip } from '../../support/tools.js';
import { DNS_DENIED, FROM_THE_FUTURE, PASSED, WEB_TO_DB, report, withUnknownFields } from './flows.js';

const logger = pino({ level: 'silent' });
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

let certs: CertSet;
let bundle: string;
before(async () => {
  certs = await makeCerts();
  // Calico's goldmane-ca-bundle precedes each PEM with a comment line.
  bundle = join(certs.dir, 'tigera-ca-bundle.crt');
  writeFileSync(bundle, `# certificate name: tigera-operator/tigera-ca-private\n${readFileSync(certs.caCert, 'utf8')}`);
});

function serverTls(overrides: Partial<{ certFile: string; keyFile: string }> = {}) {
  return { certFile: certs.serverCert, keyFile: certs.serverKey, clientCAFile: certs.caCert, ...overrides };
}

async function startServer(tls = serverTls()): Promise<GoldmaneTestServer> {
  const server = await GoldmaneTestServer.start(tls);
  cleanup.push(() => server.kill());
  return server;
}

async function startAgent(server: GoldmaneTestServer, settings: string[]): Promise<Agent> {
  const loaded = loadConfig({
    env: {},
    flags: {
      listen: '127.0.0.1:0',
      set: [`goldmane.address=${server.address}`, 'goldmane.reconnect.initial=50ms', 'goldmane.reconnect.max=200ms', ...settings],
    },
    definitions: componentDefinitions,
  });
  const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger, version: 'test' });
  await agent.start();
  cleanup.push(() => agent.stop(2_000));
  return agent;
}

const mtls = (): string[] => [
  'goldmane.serverName=localhost',
  `goldmane.tls.caFile=${bundle}`,
  `goldmane.tls.certFile=${certs.clientCert}`,
  `goldmane.tls.keyFile=${certs.clientKey}`,
];

const scrape = async (agent: Agent): Promise<string> => (await get(`${agent.server.url}/metrics`)).text;

async function waitForMessages(agent: Agent, messages: number, duplicates: number): Promise<string> {
  let text = '';
  await eventually(
    async () => {
      text = await scrape(agent);
      return sampleValue(text, 'flowlens_goldmane_messages_total') === messages && sampleValue(text, 'flowlens_goldmane_duplicates_total') === duplicates;
    },
    () => `messages ${sampleValue(text, 'flowlens_goldmane_messages_total')}, duplicates ${sampleValue(text, 'flowlens_goldmane_duplicates_total')}`,
  );
  // Records travel through the queue on the next turns of the event loop.
  await eventually(async () => sampleValue((text = await scrape(agent)), 'flowlens_flow_queue_depth', { source: 'goldmane' }) === 0, () => 'queue drained');
  return text;
}

const FAMILIES = /^(calico_flow_(allow|deny)|flowlens_flow_(connections|packets|bytes)_total|flowlens_policy_hits_total|flowlens_goldmane_(messages|duplicates|skipped|gap_seconds)_total|flowlens_flow_records_total)[{ ]/;

describe('goldmane source over mTLS', () => {
  test('counts each (flow key, interval) once across re-sent buckets, errors, EOF and a restarted Goldmane', async () => {
    const server = await startServer();
    const agent = await startAgent(server, mtls());

    const first = await server.nextStream();
    assert.equal(first.startTimeGte, 0, 'the first stream starts from now');
    first.write(report(1, WEB_TO_DB, 0, { connections: 2, packetsIn: 10, packetsOut: 12, bytesIn: 1_000, bytesOut: 1_200 }));
    first.write(report(2, DNS_DENIED, 0, { connections: 1, packetsOut: 3, bytesOut: 180 }));
    first.write(report(3, PASSED, 0, { connections: 4, packetsIn: 4, bytesIn: 400 }));
    first.write(withUnknownFields(report(4, FROM_THE_FUTURE, 0, { connections: 1, packetsIn: 1, bytesIn: 60 })));
    // The same ids again for the next interval: new deltas, not repeats.
    first.write(report(1, WEB_TO_DB, 1, { connections: 3, packetsIn: 20, packetsOut: 22, bytesIn: 2_000, bytesOut: 2_200 }));
    first.write(report(2, DNS_DENIED, 1, { packetsOut: 2, bytesOut: 120 }));
    // Interval 0 of WEB_TO_DB re-sent: must not be counted again.
    first.write(report(1, WEB_TO_DB, 0, { connections: 2, packetsIn: 10, packetsOut: 12, bytesIn: 1_000, bytesOut: 1_200 }));
    let text = await waitForMessages(agent, 7, 1);
    assert.equal(sampleValue(text, 'flowlens_goldmane_stream_up'), 1);
    assert.equal((await get(`${agent.server.url}/ready`)).status, 200);

    first.fail(grpc.status.UNAVAILABLE, 'goldmane is restarting');
    const second = await server.nextStream();
    assert.equal(second.startTimeGte, bucket(1).endTime, 'resume at the last end_time received');
    second.write(report(1, WEB_TO_DB, 2, { connections: 1, packetsIn: 5, packetsOut: 5, bytesIn: 500, bytesOut: 500 }));
    await waitForMessages(agent, 8, 1);
    second.end();

    const third = await server.nextStream();
    assert.equal(third.startTimeGte, bucket(2).endTime, 'resume after EOF');
    third.write(report(2, DNS_DENIED, 3, { connections: 2, packetsOut: 6, bytesOut: 360 }));
    await waitForMessages(agent, 9, 1);
    await server.restart();

    const fourth = await server.nextStream();
    assert.equal(fourth.startTimeGte, bucket(3).endTime, 'resume after the server went away');
    // A restarted Goldmane re-sends interval 3 with new ids, then goes on.
    fourth.write(report(17, DNS_DENIED, 3, { connections: 2, packetsOut: 6, bytesOut: 360 }));
    fourth.write(report(18, WEB_TO_DB, 4, { connections: 5, packetsIn: 1, packetsOut: 1, bytesIn: 100, bytesOut: 100 }));
    text = await waitForMessages(agent, 11, 2);

    assert.equal(sampleValue(text, 'calico_flow_allow', { reporter: 'src', protocol: 'tcp', src_namespace: 'shop', src_pod: 'web-*', src_port: '0', dst_namespace: 'data', dst_object: 'db-*', dst_port: '5432' }), 11);
    assert.equal(sampleValue(text, 'calico_flow_deny', { reporter: 'dst', protocol: 'udp', src_namespace: 'jobs', src_pod: 'batch-*', src_port: '0', dst_namespace: '', dst_object: 'pub', dst_port: '53' }), 3);
    assert.equal(sampleValue(text, 'flowlens_goldmane_reconnects_total', { reason: 'unavailable' }), 2, 'an error status and a vanished server');
    assert.equal(sampleValue(text, 'flowlens_goldmane_reconnects_total', { reason: 'eof' }), 1);

    const lines = text.split('\n').filter((line) => FAMILIES.test(line));
    const golden = readFileSync(new URL('../../../../test/fixtures/goldmane/flows.prom', import.meta.url), 'utf8');
    assert.equal(`${lines.join('\n')}\n`, golden);

    if (!toolSkip('promtool')) {
      const { status, problems } = promtoolCheck(text);
      assert.ok(status === 0 || status === 3, problems.join('; '));
      for (const problem of problems) assert.match(problem, /^(calico_flow_(allow|deny)|nodejs_\w+) /, problem);
    }
  });

  test('a client certificate from another CA is refused; the agent keeps retrying, healthy but not ready', async () => {
    const server = await startServer();
    const agent = await startAgent(server, ['goldmane.serverName=localhost', `goldmane.tls.caFile=${certs.caCert}`, `goldmane.tls.certFile=${certs.rogueCert}`, `goldmane.tls.keyFile=${certs.rogueKey}`]);
    await assertRefused(agent, server, /TLS: Goldmane refused the client certificate \((tlsv1\d? alert [a-z ]+|it closed the connection right after the TLS handshake)\)/);
  });

  test('a server certificate without the expected name is refused', async () => {
    const server = await startServer(serverTls({ certFile: certs.wrongSanCert, keyFile: certs.wrongSanKey }));
    const agent = await startAgent(server, mtls());
    await assertRefused(agent, server, /TLS: Goldmane's certificate does not name the server name flowlens verifies .*set goldmane\.serverName/);
  });

  test('rotated client certificate files are used at the next reconnect', async () => {
    const server = await startServer();
    const dir = tempDir('rotate');
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    copyFileSync(certs.rogueCert, certFile);
    copyFileSync(certs.rogueKey, keyFile);
    const agent = await startAgent(server, ['goldmane.serverName=localhost', `goldmane.tls.caFile=${bundle}`, `goldmane.tls.certFile=${certFile}`, `goldmane.tls.keyFile=${keyFile}`]);
    await eventually(async () => (sampleValue(await scrape(agent), 'flowlens_goldmane_reconnects_total', { reason: 'tls' }) ?? 0) >= 2, () => 'refused at first');
    copyFileSync(certs.clientCert, certFile);
    copyFileSync(certs.clientKey, keyFile);
    const stream = await server.nextStream();
    assert.equal(stream.startTimeGte, 0);
    stream.write(report(1, WEB_TO_DB, 0, { connections: 1 }));
    await waitForMessages(agent, 1, 0);
    assert.equal((await get(`${agent.server.url}/ready`)).status, 200);
  });
});

/** A TLS refusal is told apart from unavailability (reason tls) and says what was refused. */
async function assertRefused(agent: Agent, server: GoldmaneTestServer, why: RegExp): Promise<void> {
  let text = '';
  await eventually(
    async () => (sampleValue((text = await scrape(agent)), 'flowlens_goldmane_reconnects_total', { reason: 'tls' }) ?? 0) >= 2,
    () => text.split('\n').filter((line) => line.startsWith('flowlens_goldmane')).join('; '),
  );
  assert.equal(server.requests.length, 0, 'no stream reached the server');
  assert.equal(sampleValue(text, 'flowlens_goldmane_stream_up'), 0);
  assert.equal((await get(`${agent.server.url}/health`)).status, 200);
  const ready = await get(`${agent.server.url}/ready`);
  assert.equal(ready.status, 503);
  const body = JSON.parse(ready.text) as { notReady: string[]; components: Record<string, { reason: string }> };
  assert.deepEqual(body.notReady, ['goldmane']);
  assert.match(body.components.goldmane?.reason ?? '', new RegExp(server.address.replace(/\./g, '\\.')));
  assert.match(body.components.goldmane?.reason ?? '', why);
  assert.equal(sampleValue(text, 'flowlens_goldmane_reconnects_total', { reason: 'unavailable' }), undefined, 'not mistaken for an unreachable Goldmane');
}

describe('goldmane source, plaintext', () => {
  test('an outage beyond Goldmane\'s hour resumes inside its memory and counts the gap', async () => {
    const server = await GoldmaneTestServer.start();
    cleanup.push(() => server.kill());
    let now = bucket(0).startTime * 1_000 + 40_000;
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 1_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
    const config = goldmaneSchema.parse({ address: server.address, reconnect: { initial: '20ms', max: '50ms' } });
    const source = new GoldmaneSource({ config, logger, metrics, flows: new FlowBus(metrics), now: () => now });
    await source.start();
    cleanup.push(() => source.stop(AbortSignal.timeout(2_000)));

    const first = await server.nextStream();
    first.write(report(1, WEB_TO_DB, 0, { connections: 1 }));
    await eventually(() => source.status().up, () => 'up');
    await eventually(async () => (await metrics.render('text')).includes('flowlens_goldmane_messages_total 1'), () => 'message counted');
    now = bucket(0).endTime * 1_000 + 2 * 3_600_000;
    first.fail(grpc.status.UNAVAILABLE, 'gone for two hours');
    const second = await server.nextStream();
    const resumeAt = Math.floor(now / 1_000) - MAX_BACKFILL_SECONDS;
    assert.equal(second.startTimeGte, resumeAt);
    const text = await metrics.render('text');
    assert.equal(sampleValue(text, 'flowlens_goldmane_gap_seconds_total'), resumeAt - bucket(0).endTime);
  });
});

describe('goldmane source, hostile reports', () => {
  test('impossible reports are skipped and counted by reason; their batch, the resume point, the dedupe window and the gap counter are untouched', async () => {
    const server = await GoldmaneTestServer.start();
    cleanup.push(() => server.kill());
    const now = bucket(3).endTime * 1_000 + 20_000;
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 1_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
    const flows = new FlowBus(metrics);
    const counted: FlowRecord[] = [];
    flows.subscribe(new FlowMetrics(metrics));
    flows.subscribe({ consume: (records) => void counted.push(...records) });
    const config = goldmaneSchema.parse({ address: server.address, reconnect: { initial: '20ms', max: '50ms' } });
    const source = new GoldmaneSource({ config, logger, metrics, flows, now: () => now });
    await source.start();
    cleanup.push(() => source.stop(AbortSignal.timeout(2_000)));

    const first = await server.nextStream();
    const good = report(1, WEB_TO_DB, 1, { connections: 2 });
    const withFlow = (changes: Record<string, number>): goldmane.FlowResult.$Properties => ({ id: 9, flow: { ...report(9, WEB_TO_DB, 2).flow, ...changes } });
    first.write(good);
    first.write(withFlow({ packetsIn: -5, numConnectionsStarted: 1 }));
    first.write(withFlow({ startTime: bucket(10_000).startTime, endTime: bucket(10_000).endTime, numConnectionsStarted: 1 }));
    first.write(withFlow({ endTime: 0, numConnectionsStarted: 1 }));
    first.write(withFlow({ endTime: bucket(2).startTime - 1, numConnectionsStarted: 1 }));
    first.write(report(2, WEB_TO_DB, 2, { connections: 3 }));
    await eventually(async () => counted.length === 2, () => `${counted.length} records reached the sinks`);
    const text = await metrics.render('text');
    const allowed = text.split('\n').filter((line) => line.startsWith('calico_flow_allow{'));
    assert.equal(allowed.length, 1, allowed.join('\n'));
    assert.match(allowed[0]!, /src_pod="web-\*".* 5$/, 'both good reports counted, nothing of the bad ones');
    for (const [reason, count] of [['negative_counter', 1], ['future', 1], ['bad_interval', 2]] as const) {
      assert.equal(sampleValue(text, 'flowlens_goldmane_reports_skipped_total', { reason }), count, reason);
    }
    assert.equal(sampleValue(text, 'flowlens_goldmane_dedupe_keys'), 1, 'one flow key, remembered once');
    first.fail(grpc.status.UNAVAILABLE, 'restart');
    const second = await server.nextStream();
    assert.equal(second.startTimeGte, bucket(2).endTime, 'resumes after the last good report, not the future one');
    assert.equal(sampleValue(await metrics.render('text'), 'flowlens_goldmane_gap_seconds_total'), 0);
  });
});

describe('goldmane source, silent stream', () => {
  test('a stream open but silent beyond goldmane.idleTimeout is reported down and reopened; the last-message gauge exists from the start', async () => {
    const server = await GoldmaneTestServer.start();
    cleanup.push(() => server.kill());
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 1_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
    const config = goldmaneSchema.parse({ address: server.address, idleTimeout: '400ms', reconnect: { initial: '20ms', max: '50ms' } });
    const started = Date.now() / 1_000;
    const source = new GoldmaneSource({ config, logger, metrics, flows: new FlowBus(metrics) });
    const lastMessage = sampleValue(await metrics.render('text'), 'flowlens_goldmane_last_message_timestamp_seconds');
    assert.ok(lastMessage !== undefined && Math.abs(lastMessage - started) < 5, 'the gauge starts at the start time, before any report');
    await source.start();
    cleanup.push(() => source.stop(AbortSignal.timeout(2_000)));
    const first = await server.nextStream();
    first.write(report(1, WEB_TO_DB, 0, { connections: 1 }));
    await eventually(() => source.status().up, () => 'up');
    // Then nothing: the stream stays open.
    const second = await server.nextStream(5_000);
    assert.equal(second.startTimeGte, bucket(0).endTime, 'reopened where it was');
    const text = await metrics.render('text');
    assert.equal(sampleValue(text, 'flowlens_goldmane_reconnects_total', { reason: 'idle' }), 1);
    assert.equal(source.status().up, false);
    assert.match(source.status().reason ?? '', /no flow report for 400ms/);
  });
});

describe('goldmane source, broken frames', () => {
  test('a gRPC frame grpc-js cannot read is named as such (reason protocol), never "undefined undefined: undefined"', async () => {
    // An HTTP/2 peer answering with a message marked compressed but no grpc-encoding.
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.write(Buffer.from([1, 0, 0, 0, 3, 1, 2, 3]));
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 1_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
    const lines: string[] = [];
    const recording = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const config = goldmaneSchema.parse({ address: `127.0.0.1:${(server.address() as AddressInfo).port}`, reconnect: { initial: '20ms', max: '50ms' } });
    const source = new GoldmaneSource({ config, logger: recording, metrics, flows: new FlowBus(metrics) });
    await source.start();
    cleanup.push(() => source.stop(AbortSignal.timeout(2_000)));
    await eventually(async () => (sampleValue(await metrics.render('text'), 'flowlens_goldmane_reconnects_total', { reason: 'protocol' }) ?? 0) >= 1, () => lines.join('\n'));
    assert.match(source.status().reason ?? '', /the stream could not be read as gRPC \(a malformed or compressed frame/);
    assert.ok(!lines.some((line) => line.includes('undefined undefined')), lines.join('\n'));
  });
});

describe('drop-in: the seed tools\' environment variables', () => {
  const running: AgentProcess[] = [];
  after(() => {
    for (const agent of running) agent.kill();
  });

  const seeds: Array<[string, (server: GoldmaneTestServer) => NodeJS.ProcessEnv]> = [
    [
      'Goldmane Prometheus Exporter (GOLDMANE_ADDR, TLS_*)',
      (server) => ({
        GOLDMANE_ADDR: server.address,
        METRICS_ADDR: '127.0.0.1:0',
        POLL_INTERVAL: '15',
        TLS_ENABLED: 'true',
        TLS_CA_PATH: bundle,
        TLS_CERT_PATH: certs.clientCert,
        TLS_KEY_PATH: certs.clientKey,
        GOLDMANE_SERVER_NAME: 'localhost',
      }),
    ],
    [
      'calico-flow-logs-otlphttp-exporter (GOLDMANE_HOST, CA_CERT_PATH, ...)',
      (server) => ({
        GOLDMANE_HOST: `localhost:${server.port}`,
        METRICS_ADDR: '127.0.0.1:0',
        CA_CERT_PATH: bundle,
        PUBLIC_CERT_PATH: certs.clientCert,
        PRIVATE_KEY_PATH: certs.clientKey,
        RECONNECT_WAIT_TIME_IN_MILLISECONDS: '100',
      }),
    ],
  ];
  for (const [name, env] of seeds) {
    test(name, async () => {
      const server = await startServer();
      const agent = await startAgentProcess([], env(server));
      running.push(agent);
      const stream = await server.nextStream();
      assert.equal(stream.startTimeGte, 0);
      stream.write(report(1, WEB_TO_DB, 0, { connections: 6 }));
      let text = '';
      await eventually(
        async () => sampleValue((text = (await get(`${agent.url}/metrics`)).text), 'calico_flow_allow', { reporter: 'src', protocol: 'tcp', src_namespace: 'shop', src_pod: 'web-*', src_port: '0', dst_namespace: 'data', dst_object: 'db-*', dst_port: '5432' }) === 6,
        () => text.split('\n').filter((line) => line.startsWith('calico_flow') || line.startsWith('flowlens_goldmane')).join('\n'),
      );
      assert.equal((await get(`${agent.url}/ready`)).status, 200);
      agent.kill('SIGTERM');
      assert.equal(await agent.exited, 0);
    });
  }

  test('unreadable certificate files are a configuration error at start-up', () => {
    const { status, stderr } = runCli(['check-config'], { GOLDMANE_ADDR: 'goldmane:7443', CA_CERT_PATH: '/nonexistent/ca.crt' });
    assert.equal(status, 1);
    assert.match(stderr, /^flowlens: configuration error: goldmane\.tls\.caFile: cannot read "\/nonexistent\/ca\.crt": no such file \(from environment variable CA_CERT_PATH\)\n$/);
    const lonely = runCli(['check-config'], { GOLDMANE_ADDR: 'goldmane:7443', TLS_CERT_PATH: certs.clientCert });
    assert.equal(lonely.status, 1);
    assert.match(lonely.stderr, /^flowlens: configuration error: goldmane\.tls\.keyFile: certFile and keyFile go together/);
  });
});
