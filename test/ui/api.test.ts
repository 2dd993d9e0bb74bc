import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../src/agent.js';
import { loadConfig } from '../../src/config/load.js';
import { componentDefinitions } from '../../src/registry.js';
import { goldmane } from '../../src/sources/goldmane/codec.js';
import { CONTENT_SECURITY_POLICY } from '../../src/ui/static-files.js';
import { GoldmaneTestServer, type TestStream } from '../support/goldmane-server.js';
import { eventually, sampleValue } from '../support/metrics-text.js';
import { tempDir } from '../support/temp.js';
import { DNS_DENIED, PASSED, WEB_TO_DB, report } from '../sources/goldmane/flows.js';
import { SseClient } from './sse.js';

// The web view's API against a running agent fed by a real Goldmane peer
// (gRPC): flow streams with server-side filters and replay, the service map,
// the policies and probes views, limits, and the page's files.

const logger = pino({ level: 'silent' });
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function agentWith(set: readonly string[], env: Record<string, string> = {}): Promise<Agent> {
  const loaded = loadConfig({ env, flags: { listen: '127.0.0.1:0', set: [...set] }, definitions: componentDefinitions });
  const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger, version: 'test' });
  cleanup.push(() => agent.stop(2_000));
  await agent.start();
  return agent;
}

async function openStream(url: string): Promise<SseClient> {
  const client = await SseClient.open(url);
  cleanup.push(() => client.close());
  return client;
}

describe('the web view API over a Goldmane feed', () => {
  let peer: GoldmaneTestServer;
  let stream: TestStream;
  let agent: Agent;
  let base = '';

  before(async () => {
    peer = await GoldmaneTestServer.start();
    cleanup.push(() => peer.kill());
    const root = tempDir('ui-root');
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>flowlens</title><script type="module" src="/ui/assets/app-1234.js"></script>');
    writeFileSync(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
    agent = await agentWith(['ui.maxStreams=2', `ui.root=${root}`], { GOLDMANE_ADDR: peer.address });
    base = agent.server.url;
    stream = await peer.nextStream();
    stream.write(report(1, WEB_TO_DB, 0, { connections: 2, packetsOut: 10, bytesOut: 1_000, packetsIn: 8, bytesIn: 4_000 }));
    stream.write(report(2, DNS_DENIED, 0, { packetsOut: 3, bytesOut: 180 }));
    stream.write(report(3, PASSED, 0, { packetsIn: 1, bytesIn: 60 }));
    await eventually(async () => sampleValue(await (await fetch(`${base}/metrics`)).text(), 'flowlens_flow_records_total', { source: 'goldmane' }) === 3, async () => (await fetch(`${base}/metrics`)).text());
  });

  test('a new stream replays the recent flows, as the JSON-lines sink writes them; filters narrow it on the server', async () => {
    const all = await openStream(`${base}/api/v1/flows`);
    assert.equal(all.status, 200);
    await eventually(() => all.flows().length === 3, () => JSON.stringify(all.events));
    const web = all.flows().find((flow) => flow.Key.sourceName === 'web-*')!;
    assert.equal(web.Key.destName, 'db-*');
    assert.equal(web.Key.action, 'Allow');
    assert.equal(web.packetsOut, '10');
    assert.equal(web.bytesIn, '4000');
    await all.close();

    const cases: Array<[string, string[]]> = [
      ['namespace=jobs', ['batch-*']],
      ['namespace=data', ['web-*'], ],
      ['action=deny', ['batch-*']],
      ['action=allow,pass', ['node-1', 'web-*']],
      ['policy=security.deny-egress', ['batch-*']],
      ['policy=shop/staged.lockdown', ['web-*']],
      ['protocol=udp&port=53', ['batch-*']],
      ['workload=api-*', ['node-1']],
      ['workload=api', ['node-1']],
      ['namespace=shop&action=deny', []],
    ];
    for (const [query, sources] of cases) {
      const client = await openStream(`${base}/api/v1/flows?${query}`);
      await eventually(() => client.stats() !== undefined || client.events.length > 0 || sources.length === 0, () => query);
      // The replay is written at once: wait for the first flush's stats too.
      await eventually(() => client.stats() !== undefined, () => `${query}: no stats`, 3_000).catch(() => undefined);
      assert.deepEqual(client.flows().map((flow) => flow.Key.sourceName).sort(), sources, query);
      await client.close();
    }
  });

  test('flows arriving later reach the matching streams only; the stream says what it sent', async () => {
    const shop = await openStream(`${base}/api/v1/flows?namespace=shop`);
    const jobs = await openStream(`${base}/api/v1/flows?namespace=jobs`);
    await eventually(() => shop.flows().length === 2 && jobs.flows().length === 1, () => `${shop.flows().length} ${jobs.flows().length}`);
    stream.write(report(4, WEB_TO_DB, 1, { packetsOut: 5, bytesOut: 500 }));
    await eventually(() => shop.flows().length === 3, () => JSON.stringify(shop.events));
    assert.equal(shop.flows()[2]!.packetsOut, '5');
    await eventually(() => (shop.stats()?.sent ?? 0) >= 1, () => JSON.stringify(shop.events));
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(jobs.flows().length, 1, 'a filtered-out flow never reaches the client');

    // ui.maxStreams=2: a third is refused and counted.
    const third = await SseClient.open(`${base}/api/v1/flows`);
    assert.equal(third.status, 503);
    await shop.close();
    await jobs.close();
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.equal(sampleValue(text, 'flowlens_ui_streams_dropped_total', { reason: 'limit' }), 1);
  });

  test('bad filters and windows are a 400 naming the parameter', async () => {
    for (const [path, message] of [
      ['/api/v1/flows?port=http', 'port: "http" is not a port number'],
      ['/api/v1/flows?action=maybe', 'action: "maybe" is not one of'],
      ['/api/v1/flows?pod=x', 'unknown parameter "pod"'],
      ['/api/v1/graph?window=2h', 'window: "2h" is not a duration from 10s to 15m'],
      ['/api/v1/policies?namespace=shop', 'unknown parameter "namespace"'],
    ] as const) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 400, path);
      assert.match(((await response.json()) as { error: string }).error, new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), path);
    }
    assert.equal((await fetch(`${base}/api/v1/nothing`)).status, 404);
  });

  test('the service map: workloads, allowed and denied edges, traffic counted once', async () => {
    const graph = (await (await fetch(`${base}/api/v1/graph?window=1m`)).json()) as { window: number; nodes: Array<{ id: string; kind: string }>; edges: Array<{ source: string; target: string; flows: number; bytes: number; allowed: number; denied: number }> };
    assert.equal(graph.window, 60);
    assert.deepEqual(graph.nodes.map((node) => `${node.id} ${node.kind}`).sort(), ['/node-1 host', '/pub network', 'data/db workload', 'jobs/batch workload', 'shop/api workload', 'shop/web workload'], 'pod sets named by their workload');
    const edge = (source: string, target: string) => graph.edges.find((candidate) => candidate.source === source && candidate.target === target)!;
    assert.ok(edge('shop/web', 'data/db').allowed >= 1);
    assert.equal(edge('shop/web', 'data/db').denied, 0);
    assert.ok(edge('shop/web', 'data/db').bytes >= 5_000);
    assert.equal(edge('jobs/batch', '/pub').denied, 1);
  });

  test('the policies view: verdicts from the flow traces, enforced and pending, flows per minute', async () => {
    const body = (await (await fetch(`${base}/api/v1/policies?window=5m`)).json()) as { flows: { policies: Array<{ name: string; action: string; trace: string; flows: number; series: number[] }> }; accounting: unknown };
    const row = (name: string, trace: string) => body.flows.policies.find((policy) => policy.name === name && policy.trace === trace)!;
    assert.equal(row('allow-db', 'enforced').action, 'allow');
    assert.ok(row('allow-db', 'enforced').flows >= 1);
    assert.equal(row('staged.lockdown', 'pending').action, 'deny');
    assert.equal(row('security.deny-egress', 'enforced').action, 'deny');
    assert.equal(row('allow-db', 'enforced').series.length, 5);
    assert.equal(body.accounting, null, 'no accounting component runs');
  });

  test("the page's files: content types, caching, a strict CSP; views are the page; /ui redirects", async () => {
    const page = await fetch(`${base}/ui/flows?namespace=shop`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.match(await page.text(), /app-1234\.js/);
    const script = await fetch(`${base}/ui/assets/app-1234.js`);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(script.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(`${base}/ui/assets/gone-9999.js`)).status, 404);
    assert.match(await (await fetch(`${base}/`)).text(), /<a href="\/ui\/">web view<\/a>/, 'the index page links the web view');
    const redirect = await fetch(`${base}/ui`, { redirect: 'manual' });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get('location'), '/ui/');
  });
});

test('probes view: a peer that refuses is down and listed first', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const open = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => open.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => open.close(() => resolve())));
  const agent = await agentWith(
    ['probes.listen=127.0.0.1:0', 'probes.interval=300ms', 'probes.timeout=200ms', 'probes.dns.hosts=[]', `probes.peers.static=[127.0.0.1:${port},127.0.0.1:${(open.address() as { port: number }).port}]`],
    { FLOWLENS_ENABLE: 'probes' },
  );
  type Body = { running: boolean; targets: Array<{ probe: string; target: string; status: string; attempts: number; errors: number; reasons: Record<string, number>; latencyMs: number | null }> };
  let body: Body | undefined;
  await eventually(
    async () => {
      body = (await (await fetch(`${agent.server.url}/api/v1/probes?window=1m`)).json()) as Body;
      const tcp = (port: number) => body!.targets.find((target) => target.probe === 'tcp' && target.target === `127.0.0.1:${port}`);
      return tcp(port)?.status === 'down' && tcp((open.address() as { port: number }).port)?.status === 'ok';
    },
    () => JSON.stringify(body),
    20_000,
  );
  assert.equal(body!.running, true);
  assert.equal(body!.targets[0]!.status, 'down', 'failing peers first');
  const refused = body!.targets.find((target) => target.probe === 'tcp' && target.target.endsWith(`:${port}`))!;
  assert.equal(refused.status, 'down');
  assert.ok((refused.reasons.refused ?? 0) >= 1, JSON.stringify(refused));
  const ok = body!.targets.find((target) => target.probe === 'tcp' && target.status === 'ok')!;
  assert.ok(ok.latencyMs !== null && ok.latencyMs >= 0);
});
