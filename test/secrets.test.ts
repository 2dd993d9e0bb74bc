import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeCerts } from './support/certs.js';
import { runCli, startAgent, type AgentProcess } from './support/cli-process.js';
import { GoldmaneTestServer } from './support/goldmane-server.js';
import { basic, get } from './support/http.js';
import { eventually } from './support/metrics-text.js';
import { tempDir } from './support/temp.js';
import { WEB_TO_DB, report } from './sources/goldmane/flows.js';

// Planted secrets (an OTLP URL whose user name is a token and whose password
// holds "@", header values, a basic-auth password, the server's TLS key) must
// appear in no log line, no response body and no error line of a run in
// which exports fail and every component talks.

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

const TOKEN_USER = 'tok3n-as-user';
const PASSWORD = 'p@ss-W0rd';
const HEADER_VALUE = 'HEADER-S3CRET';
const BASIC_PASSWORD = 'BASIC-S3CRET';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('secrets never reach logs, /ready, /metrics, check-config or error lines', async () => {
  const certs = await makeCerts();
  const keyLine = readFileSync(certs.serverKey, 'utf8').split('\n')[1]!;
  const secrets = [TOKEN_USER, PASSWORD, 'W0rd', HEADER_VALUE, BASIC_PASSWORD, keyLine];
  const dir = tempDir('secrets');
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${BASIC_PASSWORD}\n`);
  const goldmane = await GoldmaneTestServer.start();
  cleanup.push(() => goldmane.kill());
  const env = {
    GOLDMANE_ADDR: goldmane.address,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${TOKEN_USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${await closedPort()}`,
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${HEADER_VALUE},x-scope-orgid=tenant`,
  };
  const settings = ['--log-level', 'trace', '--set', `server.tls.certFile=${certs.serverCert}`, '--set', `server.tls.keyFile=${certs.serverKey}`, '--set', 'server.basicAuth.username=prom', '--set', `server.basicAuth.passwordFile=${passwordFile}`, '--set', 'otlp.timeout=200ms', '--set', 'otlp.retry.initial=50ms'];
  const agent: AgentProcess = await startAgent(['--listen', '127.0.0.1:0', ...settings], env);
  cleanup.push(() => agent.kill());
  (await goldmane.nextStream()).write(report(1, WEB_TO_DB, 0, { connections: 1 }));
  const auth = { caFile: certs.caCert, headers: { authorization: basic('prom', BASIC_PASSWORD) } };
  let ready = '';
  await eventually(async () => {
    ready = (await get(`${agent.url}/ready`, auth)).text;
    return agent.logs.some((line) => line.includes('flow log export failed')) && ready.includes('otlp');
  }, () => `no failed export yet:\n${agent.logs.join('\n')}`);
  const outputs: Record<string, string> = {
    logs: agent.logs.join('\n'),
    ready,
    metrics: (await get(`${agent.url}/metrics`, auth)).text,
    health: (await get(`${agent.url}/health`, auth)).text,
    checkConfig: runCli(['check-config', ...settings], env).stdout,
    malformedHeaders: runCli(['check-config'], { ...env, OTEL_EXPORTER_OTLP_HEADERS: `Authorization: Bearer ${HEADER_VALUE}` }).stderr,
    badEndpoint: runCli(['check-config'], { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: `ftp://${TOKEN_USER}:${PASSWORD}@collector:4318` }).stderr,
  };
  assert.match(outputs.ready!, /<redacted>@127\.0\.0\.1/, 'the receiver is still named');
  assert.match(outputs.malformedHeaders!, /^flowlens: configuration error: OTEL_EXPORTER_OTLP_HEADERS: entry 1 is not key=value\n$/);
  assert.match(outputs.badEndpoint!, /^flowlens: configuration error: otlp\.endpoint: must be an http:\/\/ or https:\/\/ URL/);
  agent.kill('SIGTERM');
  await agent.exited;
  outputs.logs = agent.logs.join('\n');
  for (const [where, text] of Object.entries(outputs)) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${where} shows ${JSON.stringify(secret)}:\n${text}`);
  }
});
