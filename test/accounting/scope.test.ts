import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../src/agent.js';
import { componentDefinitions } from '../../src/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { pod } from '../support/kube-fixtures.js';
import { eventually, sampleValue } from '../support/metrics-text.js';

// The shared cache watches only this node's pods when every component that
// uses it needs no more (accounting, probes), and all pods once flow
// enrichment needs remote ones.

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function podsCached(set: readonly string[]): Promise<number | undefined> {
  const api = new KubeApiServer();
  await api.start();
  cleanup.push(() => api.stop());
  for (const [name, node] of [['a', 'n1'], ['b', 'n1'], ['c', 'n2'], ['d', 'n3']] as const) api.apply('pods', pod({ namespace: 'default', name, node, ips: [`10.65.1.${name.charCodeAt(0)}`] }));
  const loaded = loadConfig({
    env: { FLOWLENS_ENABLE: 'accounting,probes', NODE_NAME: 'n1' },
    flags: { listen: '127.0.0.1:0', set: [`kubernetes.kubeconfig=${api.writeKubeconfig()}`, 'accounting.backend=none', 'probes.listen=127.0.0.1:0', 'probes.dns.server=127.0.0.1:9', ...set] },
    definitions: componentDefinitions,
  });
  const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger: pino({ level: 'silent' }), version: 'test' });
  cleanup.push(() => agent.stop(2_000));
  await agent.start();
  const cacheReady = (): boolean => (agent.readiness().body as { components: Record<string, { ready: boolean }> }).components.kubernetes?.ready === true;
  await eventually(cacheReady, () => JSON.stringify(agent.readiness().body), 10_000);
  return sampleValue(await (await fetch(`${agent.server.url}/metrics`)).text(), 'flowlens_kube_objects', { kind: 'pods' });
}

test('accounting and probes on a node: the cache holds that node\'s pods only', async () => {
  assert.equal(await podsCached([]), 2);
});

test('with flow enrichment on, the cache holds every pod', async () => {
  assert.equal(await podsCached(['kubernetes.enrichFlows=true', 'goldmane.address=127.0.0.1:1', 'enable=[accounting, probes, goldmane]']), 4);
});
