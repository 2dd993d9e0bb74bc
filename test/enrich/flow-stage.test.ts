import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../src/agent.js';
import { componentDefinitions } from '../../src/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { FlowKubeStage } from '../../src/enrich/flow-stage.js';
import type { FlowEndpoint, FlowRecord } from '../../src/flow/flow-record.js';
import { loadKubeConfig } from '../../src/kube/config.js';
import { KubeCache } from '../../src/kube/metadata-cache.js';
import { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { addressFlow, addressSourceDefinition } from '../support/address-flow-source.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { loadFixtureCluster, pod } from '../support/kube-fixtures.js';
import { eventually, sampleValue } from '../support/metrics-text.js';
import { tempDir } from '../support/temp.js';

const logger = pino({ level: 'silent' });

/** The flow log lines written so far, parsed. */
function jsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('flow enrichment inside `flowlens run` (kubernetes.enrichFlows)', () => {
  const api = new KubeApiServer();
  let kubeconfig = '';
  const cleanup: Array<() => unknown> = [];

  before(async () => {
    await api.start();
    kubeconfig = api.writeKubeconfig();
    loadFixtureCluster(api);
  });
  after(async () => {
    for (const step of cleanup.reverse()) await step();
    await api.stop();
  });

  test('records with addresses get pod, workload, node or service; unknown addresses nothing; a deleted pod stops matching', async () => {
    const path = join(tempDir('enrich-run'), 'flows.jsonl');
    let batch: FlowRecord[] = [
      addressFlow({ ip: '10.244.1.10', port: 51234 }, { ip: '10.96.0.10', port: 80 }),
      addressFlow({ ip: '10.244.2.11', port: 40000 }, { ip: '10.0.0.12', port: 10250 }),
      addressFlow({ ip: '192.0.2.1', port: 5353 }, { ip: 'fd00:10:244:2:0:0:0:c', port: 8080 }),
    ];
    const source = addressSourceDefinition(() => batch);
    const loaded = loadConfig({
      env: {},
      flags: { listen: '127.0.0.1:0', set: [`jsonl.path=${path}`, `kubernetes.kubeconfig=${kubeconfig}`] },
      definitions: componentDefinitions,
    });
    const agent = new Agent({ config: loaded.config, enabled: [...loaded.enabled, source.definition], logger, version: 'test' });
    await agent.start();
    cleanup.push(() => agent.stop(2_000));
    await eventually(() => agent.readiness().ready, () => JSON.stringify(agent.readiness().body));
    assert.ok('kubernetes' in (agent.readiness().body as { components: object }).components, 'the shared cache is part of /ready');

    source.release();
    const lines = (): Record<string, unknown>[] => jsonLines(path);
    await eventually(() => lines().length >= 3, () => `${lines().length} lines`);
    const pick = (line: Record<string, unknown>, side: 'source' | 'dest'): Record<string, unknown> =>
      Object.fromEntries(Object.entries(line).filter(([name]) => name.startsWith(side)));
    const [first, second, third] = lines();
    assert.deepEqual(pick(first!, 'source'), {
      sourceIp: '10.244.1.10',
      sourcePort: 51234,
      sourcePod: 'web-7d4f8b9c6d-x2x7q',
      sourceWorkloadNamespace: 'shop',
      sourceWorkload: 'web',
      sourceWorkloadKind: 'Deployment',
      sourceNode: 'n1',
      sourceHostIp: '10.0.0.11',
    });
    assert.deepEqual(pick(first!, 'dest'), { destIp: '10.96.0.10', destWorkloadNamespace: 'shop', destWorkload: 'web', destWorkloadKind: 'Service' });
    assert.equal(pick(second!, 'source').sourceWorkloadKind, 'CronJob', 'Job -> CronJob resolved');
    assert.equal(pick(second!, 'source').sourceWorkload, 'report');
    assert.deepEqual(pick(second!, 'dest'), { destIp: '10.0.0.12', destWorkload: 'n2', destWorkloadKind: 'Node', destNode: 'n2' });
    assert.deepEqual(pick(third!, 'source'), { sourceIp: '192.0.2.1', sourcePort: 5353 }, 'an unknown address gets nothing');
    assert.equal(pick(third!, 'dest').destPod, 'api-6b9f5d7c8-rt5vx', 'IPv6 in another spelling');

    api.delete('pods', 'shop', 'web-7d4f8b9c6d-x2x7q');
    await eventually(async () => (await agent.kube())?.pod('shop', 'web-7d4f8b9c6d-x2x7q') === undefined, () => 'pod still cached');
    batch = [addressFlow({ ip: '10.244.1.10', port: 51235 }, { ip: '10.96.0.10', port: 80 })];
    source.release();
    await eventually(() => lines().length >= 4, () => `${lines().length} lines`);
    assert.deepEqual(pick(lines()[3]!, 'source'), { sourceIp: '10.244.1.10', sourcePort: 51235 }, 'the deleted pod no longer matches');

    const exposition = await (await fetch(`${agent.server.url}/metrics`)).text();
    assert.equal(sampleValue(exposition, 'flowlens_flow_enrichment_total', { result: 'pod' }), 3);
    assert.equal(sampleValue(exposition, 'flowlens_flow_enrichment_total', { result: 'service' }), 2);
    assert.equal(sampleValue(exposition, 'flowlens_flow_enrichment_total', { result: 'node' }), 1);
    assert.equal(sampleValue(exposition, 'flowlens_flow_enrichment_total', { result: 'miss' }), 2);
    assert.equal(sampleValue(exposition, 'flowlens_kube_synced', { kind: 'pods' }), 1);
    await agent.stop(2_000);
    api.apply('pods', pod({ namespace: 'shop', name: 'web-7d4f8b9c6d-x2x7q', node: 'n1', ips: ['10.244.1.10'], owners: [{ kind: 'ReplicaSet', name: 'web-7d4f8b9c6d' }], labels: { app: 'web', 'pod-template-hash': '7d4f8b9c6d' } }));
  });

  test('Goldmane-style endpoints (no address): pod sets by their aggregated name, pods by name; records pass untouched before sync', async () => {
    const loaded = await loadKubeConfig({ kubeconfig });
    assert.ok(loaded);
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100, seriesTtlMs: 0, version: 'test', processMetrics: false });
    const cache = new KubeCache({ config: loaded.config, logger, metrics });
    cleanup.push(() => cache.stop());
    const stage = new FlowKubeStage(cache, metrics);
    const workload = (namespace: string, name: string): Partial<FlowEndpoint> => ({ name, namespace, type: 'workload' });
    const record = (src: Partial<FlowEndpoint>, dst: Partial<FlowEndpoint>): FlowRecord => {
      const base = addressFlow({ ip: '' }, { ip: '' });
      return { ...base, src: { ...base.src, ip: undefined, ...src } as FlowEndpoint, dst: { ...base.dst, ip: undefined, ...dst } as FlowEndpoint };
    };
    const records = [
      record(workload('shop', 'web-7d4f8b9c6d-*'), workload('shop', 'db-0')),
      record(workload('kube-system', 'node-agent-*'), workload('batch', 'report-29170560-*')),
      record(workload('shop', 'gone-5f5f5f5f5-*'), { name: 'pub', namespace: '', type: 'network' }),
    ];
    assert.equal(stage.process(records), records, 'before the cache synced, the batch passes as it is');

    await cache.start();
    await cache.synced(AbortSignal.timeout(10_000));
    const out = stage.process(records);
    assert.deepEqual(out[0]!.src.kube, { namespace: 'shop', workload: 'web', workloadKind: 'Deployment' });
    assert.deepEqual(out[0]!.dst.kube, { pod: 'db-0', namespace: 'shop', workload: 'db', workloadKind: 'StatefulSet', node: 'n2', hostIP: '10.0.0.12' });
    assert.deepEqual(out[1]!.src.kube, { namespace: 'kube-system', workload: 'node-agent', workloadKind: 'DaemonSet' });
    assert.deepEqual(out[1]!.dst.kube, { namespace: 'batch', workload: 'report', workloadKind: 'CronJob' });
    assert.equal(out[2], records[2], 'nothing known: the same record object');

    // The last pod of a set leaves: the set is no longer known.
    api.delete('pods', 'kube-system', 'node-agent-5sj2k');
    await eventually(() => cache.pod('kube-system', 'node-agent-5sj2k') === undefined, () => 'pod still cached');
    assert.equal(stage.process(records)[1]!.src.kube, undefined);
    api.apply('pods', pod({ namespace: 'kube-system', name: 'node-agent-5sj2k', node: 'n1', ips: ['10.244.1.11'], owners: [{ kind: 'DaemonSet', name: 'node-agent' }], labels: { app: 'node-agent' } }));
  });

  test('enrichFlows: true without a Kubernetes API is a configuration error naming the setting', async () => {
    const loaded = loadConfig({
      env: {},
      flags: { listen: '127.0.0.1:0', set: ['kubernetes.enrichFlows=true', `jsonl.path=${join(tmpdir(), 'flowlens-never-written.jsonl')}`] },
      definitions: componentDefinitions,
    });
    const source = addressSourceDefinition(() => []);
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, config: process.env.KUBECONFIG };
    delete process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBECONFIG;
    try {
      const agent = new Agent({ config: loaded.config, enabled: [...loaded.enabled, source.definition], logger, version: 'test' });
      await assert.rejects(agent.start(), /^ConfigError: kubernetes\.enrichFlows: true needs the Kubernetes API, and none is configured/);
    } finally {
      if (saved.host !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.config !== undefined) process.env.KUBECONFIG = saved.config;
    }
  });

  test('a reload that changes the kubernetes section rebuilds the cache and restarts the enrichment stage; the jsonl sink is untouched', async () => {
    const path = join(tempDir('enrich-reload'), 'flows.jsonl');
    let batch: FlowRecord[] = [addressFlow({ ip: '10.244.1.10', port: 51234 }, { ip: '10.96.0.10', port: 80 })];
    const source = addressSourceDefinition(() => batch);
    const load = (watchOwners: boolean) =>
      loadConfig({
        env: {},
        flags: { listen: '127.0.0.1:0', set: [`jsonl.path=${path}`, `kubernetes.kubeconfig=${kubeconfig}`, `kubernetes.watchOwners=${watchOwners}`] },
        definitions: componentDefinitions,
      });
    const first = load(true);
    const agent = new Agent({ config: first.config, enabled: [...first.enabled, source.definition], logger, version: 'test' });
    await agent.start();
    cleanup.push(() => agent.stop(2_000));
    await eventually(() => agent.readiness().ready, () => JSON.stringify(agent.readiness().body));
    const before = await agent.kube();

    const next = load(false);
    const result = await agent.reload({ config: next.config, enabled: [...next.enabled, source.definition] });
    assert.deepEqual(result.restarted, ['enrichment']);
    assert.deepEqual([...result.unchanged].sort(), ['addresses', 'flow-metrics', 'jsonl', 'ui']);
    const after = await agent.kube();
    assert.notEqual(after, before, 'a new cache');
    await eventually(() => agent.readiness().ready, () => JSON.stringify(agent.readiness().body));
    source.release();
    const lines = (): Record<string, unknown>[] => jsonLines(path);
    await eventually(() => lines().length === 1, () => `${lines().length} lines`);
    assert.equal(lines()[0]!.sourcePod, 'web-7d4f8b9c6d-x2x7q');
    // One cache's families: the old one's scrape hooks went with it.
    const text = await agent.metrics.render('text');
    assert.equal(text.split('\n').filter((line) => line.startsWith('flowlens_kube_synced{kind="pods"}')).length, 1);
    assert.equal(sampleValue(text, 'flowlens_component_up', { component: 'kubernetes' }), 1);
    batch = [];
  });
});
