import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../src/agent.js';
import { componentDefinitions } from '../../src/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { eventually } from '../support/metrics-text.js';

// Peer discovery through the Kubernetes test server: the EndpointSlices of
// monitoring/flowlens name agents on nodes n1..n8 (127.0.1.x, nothing listens:
// the choice of targets is what is checked, by the series it creates).

const logger = pino({ level: 'silent' });
const api = new KubeApiServer();
let agent: Agent;

const endpoint = (node: number, ready = true) => ({
  addresses: [`127.0.1.${node}`],
  conditions: { ready },
  nodeName: `n${node}`,
  targetRef: { kind: 'Pod', name: `flowlens-${node}`, namespace: 'monitoring' },
});
const slice = (nodes: readonly number[], notReady: readonly number[] = []) => ({
  metadata: { name: 'flowlens-abcde', namespace: 'monitoring', labels: { 'kubernetes.io/service-name': 'flowlens' } },
  addressType: 'IPv4',
  endpoints: [...nodes.map((node) => endpoint(node)), ...notReady.map((node) => endpoint(node, false))],
  ports: [{ name: 'probes', port: 8000, protocol: 'TCP' }],
});

before(async () => {
  await api.start();
  api.apply('services', { metadata: { name: 'flowlens', namespace: 'monitoring' }, spec: { clusterIP: '127.0.2.1', clusterIPs: ['127.0.2.1'], ports: [{ port: 8000 }] } });
  api.apply('endpointslices', slice([1, 2, 3, 4, 5, 6, 7], [8]));
  const loaded = loadConfig({
    env: { FLOWLENS_ENABLE: 'probes', NODE_NAME: 'n1', POD_IP: '127.0.1.1' },
    flags: {
      listen: '127.0.0.1:0',
      set: [`kubernetes.kubeconfig=${api.writeKubeconfig()}`, 'probes.listen=127.0.0.1:0', 'probes.interval=1s', 'probes.timeout=200ms', 'probes.peers.service=monitoring/flowlens', 'probes.peers.count=3', 'probes.peers.port=9', 'probes.dns.server=127.0.0.1:9'],
    },
    definitions: componentDefinitions,
  });
  agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger, version: 'test' });
  process.env.POD_IP = '127.0.1.1';
  await agent.start();
});
after(async () => {
  delete process.env.POD_IP;
  await agent.stop(2_000);
  await api.stop();
});

async function targets(): Promise<Map<string, string>> {
  const text = await (await fetch(`${agent.server.url}/metrics`)).text();
  const out = new Map<string, string>();
  for (const match of text.matchAll(/^flowlens_probe_attempts_total\{probe="tcp",target="([^"]+)",target_node="([^"]*)"\}/gm)) out.set(match[1]!, match[2]!);
  return out;
}

test('discovery: k ring successors of ready endpoints (self and not-ready excluded) plus the Service address; churn keeps the ring, a leaving peer loses its series', async () => {
  await eventually(async () => (await targets()).size === 4, async () => JSON.stringify([...(await targets())]), 10_000);
  const first = await targets();
  assert.equal(first.get('127.0.2.1:9'), '', 'the Service address, as net-exporter probed it');
  const peers = [...first].filter(([target]) => target !== '127.0.2.1:9');
  assert.equal(peers.length, 3);
  for (const [target, node] of peers) {
    assert.notEqual(node, 'n1', 'never itself');
    assert.notEqual(node, 'n8', 'never a not-ready endpoint');
    assert.equal(target, `127.0.1.${node.slice(1)}:9`);
  }
  // A node that is not chosen leaves: the choice does not move.
  const chosen = new Set(peers.map(([, node]) => Number(node.slice(1))));
  const bystander = [2, 3, 4, 5, 6, 7].find((node) => !chosen.has(node))!;
  api.apply('endpointslices', slice([1, 2, 3, 4, 5, 6, 7].filter((node) => node !== bystander), [8]));
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.deepEqual([...(await targets()).keys()].sort(), [...first.keys()].sort(), 'a bystander leaving changes nothing');
  // A chosen peer leaves: its series go, another takes its place.
  const leaving = [...chosen][0]!;
  api.apply('endpointslices', slice([1, 2, 3, 4, 5, 6, 7].filter((node) => node !== bystander && node !== leaving), [8]));
  await eventually(async () => !(await targets()).has(`127.0.1.${leaving}:9`) && (await targets()).size === 4, async () => JSON.stringify([...(await targets())]), 10_000);
  const text = await (await fetch(`${agent.server.url}/metrics`)).text();
  assert.ok(!text.includes(`127.0.1.${leaving}:9`), 'no series of the peer that left, in any family');
});
