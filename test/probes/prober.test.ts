import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../src/agent.js';
import { componentDefinitions } from '../../src/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { DnsTestServer } from '../support/dns-server.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { eventually, sampleValue } from '../support/metrics-text.js';
import { rootSkip } from '../support/tools.js';

const logger = pino({ level: 'silent' });
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function probeAgent(set: readonly string[], env: Record<string, string> = {}): Promise<Agent> {
  const loaded = loadConfig({
    env: { FLOWLENS_ENABLE: 'probes', ...env },
    flags: { listen: '127.0.0.1:0', set: ['probes.listen=127.0.0.1:0', ...set] },
    definitions: componentDefinitions,
  });
  const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger, version: 'test' });
  cleanup.push(() => agent.stop(2_000));
  await agent.start();
  return agent;
}

const scrape = async (agent: Agent): Promise<string> => (await fetch(`${agent.server.url}/metrics`)).text();

test('samples taken while the event loop was blocked are discarded and counted, not recorded as latency', async () => {
  const dns = new DnsTestServer();
  await dns.start();
  cleanup.push(() => dns.stop());
  dns.behaviours.set('slow.test.', { answer: ['10.0.0.1'], delayMs: 60 });
  const agent = await probeAgent([`probes.dns.server=${dns.host}:${dns.port}`, 'probes.dns.hosts=[slow.test.]', 'probes.dns.tcp=false', 'probes.interval=200ms', 'probes.timeout=150ms', 'probes.maxEventLoopLag=30ms']);
  // Block the loop for 100 ms out of every 110 ms, for 2 s: every answer waits on a block.
  const blocking = setInterval(() => {
    const until = performance.now() + 100;
    while (performance.now() < until);
  }, 10);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  clearInterval(blocking);
  const blocked = await scrape(agent);
  const discarded = sampleValue(blocked, 'flowlens_probe_samples_discarded_total', { probe: 'dns_udp' }) ?? 0;
  assert.ok(discarded >= 3, `discarded ${discarded}`);
  assert.ok((sampleValue(blocked, 'flowlens_probe_event_loop_lag_seconds') ?? 0) >= 0.05, 'the lag gauge saw the blocks');
  const recorded = sampleValue(blocked, 'dns_udp_latency_seconds_count', { host: 'slow.test.' }) ?? 0;
  assert.ok(recorded <= 1, `at most a sample that ended between blocks (${recorded})`);
  // Unblocked: samples are recorded again, near the injected 60 ms.
  await eventually(async () => (sampleValue(await scrape(agent), 'dns_udp_latency_seconds_count', { host: 'slow.test.' }) ?? 0) >= recorded + 3, () => 'no samples after the loop was free', 5_000);
  const text = await scrape(agent);
  const count = sampleValue(text, 'flowlens_probe_duration_seconds_count', { probe: 'dns_udp', target: 'slow.test.', target_node: '' })!;
  const sum = sampleValue(text, 'flowlens_probe_duration_seconds_sum', { probe: 'dns_udp', target: 'slow.test.', target_node: '' })!;
  assert.ok(sum / count < 0.2, `mean ${((sum / count) * 1_000).toFixed(1)} ms`);
});

test('probes.dns.service: the ClusterIP of the DNS Service from the Kubernetes cache, port 53', { skip: rootSkip('binding port 53') }, async () => {
  const dns = new DnsTestServer('127.0.3.53', 53);
  await dns.start();
  cleanup.push(() => dns.stop());
  dns.behaviours.set('kubernetes.default.svc.cluster.local.', { answer: ['10.96.0.1'] });
  const api = new KubeApiServer();
  await api.start();
  cleanup.push(() => api.stop());
  api.apply('services', { metadata: { name: 'coredns', namespace: 'kube-system' }, spec: { clusterIP: '127.0.3.53', clusterIPs: ['127.0.3.53'], ports: [{ port: 53, protocol: 'UDP' }] } });
  const withService = await probeAgent([`kubernetes.kubeconfig=${api.writeKubeconfig()}`, 'probes.interval=300ms', 'probes.timeout=200ms', 'probes.dns.service=kube-system/coredns']);
  await eventually(async () => (sampleValue(await scrape(withService), 'dns_udp_latency_seconds_count', { host: 'kubernetes.default.svc.cluster.local.' }) ?? 0) >= 1, async () => (await scrape(withService)).split('\n').filter((line) => line.startsWith('dns')).join('\n'), 5_000);
  assert.ok(dns.count('udp', 'kubernetes.default.svc.cluster.local.') >= 1);
  await eventually(() => withService.readiness().ready, () => JSON.stringify(withService.readiness().body), 5_000);
});
