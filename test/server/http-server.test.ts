import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { ConfigError } from '../../src/config/errors.js';
import { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { send, HttpServer, type HttpServerOptions, type ReadinessReport } from '../../src/server/http-server.js';
import { makeCerts, type CertSet } from '../support/certs.js';
import { basic, get } from '../support/http.js';
import { tempDir } from '../support/temp.js';

const logger = pino({ level: 'silent' });
const servers: HttpServer[] = [];

async function serve(options: Partial<HttpServerOptions> = {}, readiness?: () => ReadinessReport): Promise<HttpServer> {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100, seriesTtlMs: 0, version: 'test', processMetrics: false });
  const server = new HttpServer({
    listen: '127.0.0.1:0',
    metrics,
    readiness: readiness ?? (() => ({ ready: true, body: { status: 'ready' } })),
    logger,
    ...options,
  });
  await server.start();
  servers.push(server);
  return server;
}

after(async () => {
  for (const server of servers) await server.stop();
});

describe('plain HTTP', () => {
  test('probe endpoints', async () => {
    let ready = false;
    const server = await serve({}, () => ({ ready, body: { status: ready ? 'ready' : 'not ready', notReady: ready ? [] : ['x'] } }));
    for (const path of ['/health', '/healthz']) {
      const response = await get(`${server.url}${path}`);
      assert.equal(response.status, 200);
      assert.equal(response.text, 'ok\n');
    }
    const notReady = await get(`${server.url}/ready`);
    assert.equal(notReady.status, 503);
    assert.equal(notReady.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(notReady.text), { status: 'not ready', notReady: ['x'] });
    ready = true;
    assert.equal((await get(`${server.url}/ready`)).status, 200);
  });

  test('/metrics in text format, OpenMetrics on request, gzip when accepted', async () => {
    const server = await serve();
    const text = await get(`${server.url}/metrics`);
    assert.equal(text.status, 200);
    assert.equal(text.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(text.text, /^flowlens_build_info\{version="test"\} 1$/m);
    assert.ok(!text.text.includes('# EOF'));

    const openMetrics = await get(`${server.url}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' } });
    assert.equal(openMetrics.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.ok(openMetrics.text.endsWith('# EOF\n'));

    const zipped = await get(`${server.url}/metrics`, { headers: { 'accept-encoding': 'gzip, deflate' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(zipped.body).toString('utf8'), /^flowlens_build_info/m);
  });

  test('requests are counted by handler and code', async () => {
    const server = await serve();
    await get(`${server.url}/health`);
    await get(`${server.url}/nope`);
    const metrics = (await get(`${server.url}/metrics`)).text;
    assert.match(metrics, /^flowlens_http_requests_total\{handler="health",code="200"\} 1$/m);
    assert.match(metrics, /^flowlens_http_requests_total\{handler="not_found",code="404"\} 1$/m);
    assert.match(metrics, /^flowlens_http_request_duration_seconds_count\{handler="health"\} 1$/m);
  });

  test('50 concurrent scrapes share one render; a later scrape renders afresh', async () => {
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 10_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
    const flows = metrics.counter({ type: 'counter', name: 'test_flows_total', help: 'Flows.', labels: { n: 'test' } });
    for (let n = 0; n < 5_000; n++) flows.inc({ n: String(n) }, 1);
    let collects = 0;
    // A collect hook that takes a while, as reading iptables at scrape time does.
    metrics.onCollect(async () => {
      collects++;
      await new Promise((resolve) => setTimeout(resolve, 250));
    });
    const server = await serve({ metrics });
    const responses = await Promise.all(Array.from({ length: 50 }, () => get(`${server.url}/metrics`)));
    assert.equal(collects, 1);
    assert.equal(server.metricsRenders, 1);
    for (const response of responses) {
      assert.equal(response.status, 200);
      assert.ok(response.text === responses[0]?.text, 'every scrape of the burst gets the same body');
    }
    assert.match(responses[0]?.text ?? '', /^test_flows_total\{n="4999"\} 1$/m);

    flows.inc({ n: '4999' }, 1);
    const later = await get(`${server.url}/metrics`);
    assert.equal(collects, 2);
    assert.match(later.text, /^test_flows_total\{n="4999"\} 2$/m);

    // Plain and gzip bodies are rendered once each, one after the other.
    const mixed = await Promise.all(
      Array.from({ length: 10 }, (_, i) => get(`${server.url}/metrics`, { headers: i % 2 === 0 ? { 'accept-encoding': 'gzip' } : {} })),
    );
    assert.equal(server.metricsRenders, 4);
    const flowLines = (text: string): string => text.split('\n').filter((line) => line.startsWith('test_flows_total')).join('\n');
    const unzipped = gunzipSync(mixed[0]?.body ?? Buffer.alloc(0)).toString('utf8');
    assert.ok(flowLines(unzipped).length > 0 && flowLines(unzipped) === flowLines(mixed[1]?.text ?? ''), 'gzip and plain bodies carry the same series');
  });

  test('a failed render fails the scrapes that shared it; the next scrape renders again', async () => {
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100, seriesTtlMs: 0, version: 'test', processMetrics: false });
    const render = metrics.render.bind(metrics);
    let failures = 1;
    metrics.render = async (format) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (failures-- > 0) throw new Error('render failed');
      return render(format);
    };
    const server = await serve({ metrics });
    const failed = await Promise.all([get(`${server.url}/metrics`), get(`${server.url}/metrics`)]);
    assert.deepEqual(
      failed.map((response) => response.status),
      [500, 500],
    );
    const next = await get(`${server.url}/metrics`);
    assert.equal(next.status, 200);
    assert.match(next.text, /^flowlens_build_info/m);
    assert.equal(server.metricsRenders, 2);
  });

  test('methods, unknown paths, HEAD and the index page', async () => {
    const server = await serve();
    const post = await get(`${server.url}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal((await get(`${server.url}/metrics/extra`)).status, 404);
    const head = await get(`${server.url}/health`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.match((await get(`${server.url}/`)).text, /href="\/metrics"/);
    assert.equal((await get(`${server.url}/health?verbose=1`)).status, 200);
  });

  test('a port in use is a one-line configuration error', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 10, seriesTtlMs: 0, version: 't', processMetrics: false });
    const server = new HttpServer({ listen: `127.0.0.1:${port}`, metrics, readiness: () => ({ ready: true, body: {} }), logger });
    await assert.rejects(server.start(), (error: Error) => error instanceof ConfigError && /^server\.listen: cannot listen on "127\.0\.0\.1:\d+": address already in use$/.test(error.message));
    blocker.close();
  });
});

describe('TLS and authentication', () => {
  let certs: CertSet;
  let passwordFile: string;
  before(async () => {
    certs = await makeCerts();
    passwordFile = join(certs.dir, 'password');
    writeFileSync(passwordFile, 'correct horse\n');
  });

  test('HTTPS with a certificate the client verifies', async () => {
    const server = await serve({ tls: { certFile: certs.serverCert, keyFile: certs.serverKey } });
    assert.match(server.url, /^https:\/\//);
    const response = await get(`${server.url}/metrics`, { caFile: certs.caCert });
    assert.equal(response.status, 200);
    await assert.rejects(get(`${server.url}/health`), /self-signed|unable to verify|certificate/i, 'an untrusting client refuses the server');
  });

  test('with clientCAFile, /metrics needs a client certificate from that CA; probes stay open', async () => {
    const server = await serve({ tls: { certFile: certs.serverCert, keyFile: certs.serverKey, clientCAFile: certs.caCert } });
    const anonymous = await get(`${server.url}/metrics`, { caFile: certs.caCert });
    assert.equal(anonymous.status, 403);
    const rogue = await get(`${server.url}/metrics`, { caFile: certs.caCert, certFile: certs.rogueCert, keyFile: certs.rogueKey });
    assert.equal(rogue.status, 403);
    const trusted = await get(`${server.url}/metrics`, { caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey });
    assert.equal(trusted.status, 200);
    assert.equal((await get(`${server.url}/ready`, { caFile: certs.caCert })).status, 200);
    assert.equal((await get(`${server.url}/health`, { caFile: certs.caCert })).status, 200);
  });

  test('routes components add: exact and prefix paths, their methods, behind client certificates and basic auth, counted by name', async () => {
    const server = await serve({ tls: { certFile: certs.serverCert, keyFile: certs.serverKey, clientCAFile: certs.caCert }, basicAuth: { username: 'prom', passwordFile } });
    const seen: string[] = [];
    const remove = server.addRoute({
      path: '/ui/',
      name: 'ui',
      handle: (request, response) => {
        seen.push(request.url ?? '');
        return send(response, 200, 'text/plain', 'view\n');
      },
    });
    server.addRoute({ path: '/-/poke', name: 'poke', methods: ['POST'], handle: (_request, response) => send(response, 202, 'text/plain', 'poked\n') });
    assert.throws(() => server.addRoute({ path: '/metrics', name: 'x', handle: () => 200 }), /already served/);
    assert.throws(() => server.addRoute({ path: '/ui/', name: 'x', handle: () => 200 }), /already served/);
    const trusted = { caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey };
    const authorized = { ...trusted, headers: { authorization: basic('prom', 'correct horse') } };
    assert.equal((await get(`${server.url}/ui/flows`, { caFile: certs.caCert, headers: authorized.headers })).status, 403, 'no client certificate');
    assert.equal((await get(`${server.url}/ui/flows`, trusted)).status, 401, 'no password');
    const page = await get(`${server.url}/ui/flows?x=1`, authorized);
    assert.equal(page.status, 200);
    assert.equal(page.text, 'view\n');
    assert.deepEqual(seen, ['/ui/flows?x=1']);
    assert.equal((await get(`${server.url}/-/poke`, authorized)).status, 405);
    assert.equal((await get(`${server.url}/-/poke`, { ...authorized, method: 'POST' })).status, 202);
    remove();
    assert.equal((await get(`${server.url}/ui/flows`, authorized)).status, 404);
    const metrics = (await get(`${server.url}/metrics`, authorized)).text;
    assert.match(metrics, /flowlens_http_requests_total\{handler="ui",code="200"\} 1/);
    assert.match(metrics, /flowlens_http_requests_total\{handler="poke",code="202"\} 1/);
  });

  test('basic auth on /metrics with a password from a file', async () => {
    const server = await serve({ basicAuth: { username: 'prom', passwordFile } });
    const missing = await get(`${server.url}/metrics`);
    assert.equal(missing.status, 401);
    assert.match(String(missing.headers['www-authenticate']), /^Basic realm="flowlens"/);
    assert.equal((await get(`${server.url}/metrics`, { headers: { authorization: basic('prom', 'wrong') } })).status, 401);
    assert.equal((await get(`${server.url}/metrics`, { headers: { authorization: basic('other', 'correct horse') } })).status, 401);
    assert.equal((await get(`${server.url}/metrics`, { headers: { authorization: 'Bearer abc' } })).status, 401);
    assert.equal((await get(`${server.url}/metrics`, { headers: { authorization: basic('prom', 'correct horse') } })).status, 200);
    assert.equal((await get(`${server.url}/ready`)).status, 200, 'probes need no credentials');
  });

  test('rotated password and certificate files take effect without a restart', async () => {
    const dir = tempDir('rotate');
    const rotatingPassword = join(dir, 'password');
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    writeFileSync(rotatingPassword, 'first');
    copyFileSync(certs.serverCert, certFile);
    copyFileSync(certs.serverKey, keyFile);
    const server = await serve({ tls: { certFile, keyFile }, basicAuth: { username: 'u', passwordFile: rotatingPassword }, reloadIntervalMs: 50 });
    const next = await makeCerts();
    assert.equal((await get(`${server.url}/metrics`, { caFile: certs.caCert, headers: { authorization: basic('u', 'first') } })).status, 200);

    writeFileSync(rotatingPassword, 'second\n');
    copyFileSync(next.serverCert, certFile);
    copyFileSync(next.serverKey, keyFile);
    const deadline = Date.now() + 5_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = await get(`${server.url}/metrics`, { caFile: next.caCert, headers: { authorization: basic('u', 'second') } }).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(status, 200, 'new certificate and password in use');
    assert.equal((await get(`${server.url}/metrics`, { caFile: next.caCert, headers: { authorization: basic('u', 'first') } })).status, 401);
    await assert.rejects(get(`${server.url}/health`, { caFile: certs.caCert }), /certificate|verify/i, 'old CA no longer matches');
  });

  test('a key that does not match its certificate is a configuration error', async () => {
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 10, seriesTtlMs: 0, version: 't', processMetrics: false });
    assert.throws(
      () => new HttpServer({ listen: '127.0.0.1:0', tls: { certFile: certs.serverCert, keyFile: certs.clientKey }, metrics, readiness: () => ({ ready: true, body: {} }), logger }),
      (error: Error) => error instanceof ConfigError && /^server\.tls: cannot use the certificate, key or CA: .*key values mismatch/.test(error.message),
    );
    const empty = join(certs.dir, 'empty-password');
    writeFileSync(empty, '\n');
    assert.throws(
      () => new HttpServer({ listen: '127.0.0.1:0', basicAuth: { username: 'u', passwordFile: empty }, metrics, readiness: () => ({ ready: true, body: {} }), logger }),
      /^ConfigError: server\.basicAuth\.passwordFile: ".*" is empty$/,
    );
  });
});
