import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { HttpServer } from '../../src/server/http-server.js';
import { makeCerts } from '../support/certs.js';
import { get } from '../support/http.js';
import { tempDir } from '../support/temp.js';
import { toolSkip } from '../support/tools.js';

// A real Prometheus server scrapes flowlens over HTTPS with a client
// certificate and basic auth. Prometheus 2.x negotiates OpenMetrics by
// default: the seed counter calico_flow_allow (no _total) must still be stored
// under its own name, as it was when the seed exporter served text format.

const skip = toolSkip('prometheus');
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(base: string, expression: string): Promise<VectorSample[]> {
  const response = await get(`${base}/api/v1/query?query=${encodeURIComponent(expression)}`);
  const body = JSON.parse(response.text) as { status: string; data: { result: VectorSample[] } };
  assert.equal(body.status, 'success');
  return body.data.result;
}

test('a real Prometheus scrapes /metrics over mTLS with basic auth, keeping the drop-in metric names', { skip, timeout: 90_000 }, async () => {
  const certs = await makeCerts();
  const dir = tempDir('prometheus');
  const passwordFile = join(dir, 'password');
  const wrongPasswordFile = join(dir, 'wrong-password');
  writeFileSync(passwordFile, 'scrape-secret\n');
  writeFileSync(wrongPasswordFile, 'guess\n');

  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100, seriesTtlMs: 0, version: '9.9.9' });
  metrics
    .counter({ type: 'counter', name: 'calico_flow_allow', help: 'Seed counter.', labels: { reporter: 'test', src_pod: 'test' } })
    .inc({ reporter: 'src', src_pod: 'api-"v2"-*' }, 42);
  metrics.counter({ type: 'counter', name: 'flowlens_flows_total', help: 'Flows.', labels: { source: 'test' } }).inc({ source: 'goldmane' }, 7);
  const latency = metrics.histogram({ type: 'histogram', name: 'dns_udp_latency_seconds', help: 'Latency.', labels: { host: 'test' }, buckets: [0.001, 0.002, 0.004] });
  latency.observe({ host: 'kubernetes.default.svc.cluster.local.' }, 0.003);
  const server = new HttpServer({
    listen: '127.0.0.1:0',
    tls: { certFile: certs.serverCert, keyFile: certs.serverKey, clientCAFile: certs.caCert },
    basicAuth: { username: 'prometheus', passwordFile },
    metrics,
    readiness: () => ({ ready: true, body: {} }),
    logger: pino({ level: 'silent' }),
  });
  await server.start();
  cleanup.push(() => server.stop());

  const target = server.address;
  const job = (name: string, password: string) => `  - job_name: ${name}
    scheme: https
    tls_config: { ca_file: ${certs.caCert}, cert_file: ${certs.clientCert}, key_file: ${certs.clientKey}, server_name: localhost }
    basic_auth: { username: prometheus, password_file: ${password} }
    static_configs: [{ targets: ["${target}"] }]
`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, `global: { scrape_interval: 1s, scrape_timeout: 1s }\nscrape_configs:\n${job('flowlens', passwordFile)}${job('intruder', wrongPasswordFile)}`);

  const port = await freePort();
  const prometheus = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let prometheusLog = '';
  prometheus.stderr.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()));
  cleanup.push(() => {
    if (prometheus.pid !== undefined && prometheus.exitCode === null) process.kill(prometheus.pid, 'SIGKILL');
  });
  const base = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 60_000;
  let up: VectorSample[] = [];
  while (Date.now() < deadline) {
    up = await query(base, 'up').catch(() => []);
    if (up.length === 2) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const upByJob = Object.fromEntries(up.map((sample) => [sample.metric.job, sample.value[1]]));
  assert.deepEqual(upByJob, { flowlens: '1', intruder: '0' }, `Prometheus log:\n${prometheusLog}`);

  const allow = await query(base, 'calico_flow_allow');
  assert.equal(allow.length, 1);
  assert.equal(allow[0]?.metric.src_pod, 'api-"v2"-*');
  assert.equal(allow[0]?.value[1], '42');
  assert.deepEqual(await query(base, 'calico_flow_allow_total'), [], 'no _total added under OpenMetrics');
  assert.equal((await query(base, 'flowlens_flows_total'))[0]?.value[1], '7');
  assert.equal((await query(base, 'dns_udp_latency_seconds_bucket{le="0.004"}'))[0]?.value[1], '1');
  assert.equal((await query(base, 'flowlens_build_info'))[0]?.metric.version, '9.9.9');

  const metadata = JSON.parse((await get(`${base}/api/v1/metadata?metric=calico_flow_allow`)).text) as {
    data: Record<string, Array<{ type: string }>>;
  };
  assert.equal(metadata.data.calico_flow_allow?.[0]?.type, 'unknown', 'scraped as OpenMetrics, where it is declared unknown');
});
