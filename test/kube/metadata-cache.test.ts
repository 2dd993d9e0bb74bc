import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { loadKubeConfig } from '../../src/kube/config.js';
import { canonicalIp } from '../../src/kube/ip.js';
import { interfaceSuffix, KubeCache, type KubeCacheOptions } from '../../src/kube/metadata-cache.js';
import { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { kubeconfigFile, loadFixtureCluster, pod } from '../support/kube-fixtures.js';
import { tempDir } from '../support/temp.js';

const logger = pino({ level: 'silent' });

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Kubernetes metadata cache against a list/watch API server (through @kubernetes/client-node)', () => {
  const api = new KubeApiServer();
  let kubeconfig = '';
  const caches: KubeCache[] = [];

  before(async () => {
    await api.start();
    kubeconfig = api.writeKubeconfig();
    loadFixtureCluster(api);
  });
  after(async () => {
    await Promise.all(caches.map((cache) => cache.stop()));
    await api.stop();
  });

  async function newCache(options: Partial<KubeCacheOptions> = {}): Promise<{ cache: KubeCache; metrics: MetricsPipeline }> {
    const loaded = await loadKubeConfig({ kubeconfig });
    assert.ok(loaded);
    const metrics = new MetricsPipeline({ maxSeriesPerMetric: 1_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
    const cache = new KubeCache({ config: loaded.config, logger, metrics, backoff: { initialMs: 50, maxMs: 200 }, ...options });
    caches.push(cache);
    await cache.start();
    await cache.synced(AbortSignal.timeout(10_000));
    return { cache, metrics };
  }

  test('indexes: pod IPs (dual stack, host network excluded), service clusterIPs (headless excluded), node InternalIPs; owners', async () => {
    const { cache, metrics } = await newCache();
    assert.equal(cache.status().ready, true);
    const podName = (ip: string): string[] => cache.podsByIP(ip).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    assert.deepEqual(podName('10.244.1.10'), ['shop/web-7d4f8b9c6d-x2x7q']);
    assert.deepEqual(podName('10.244.2.12'), ['shop/api-6b9f5d7c8-rt5vx']);
    assert.deepEqual(podName('fd00:10:244:2::c'), ['shop/api-6b9f5d7c8-rt5vx']);
    assert.deepEqual(podName('fd00:10:244:2:0:0:0:c'), ['shop/api-6b9f5d7c8-rt5vx'], 'another spelling of the same IPv6 address');
    assert.deepEqual(podName('10.0.0.11'), [], 'a host-network pod is not found by its node IP');
    assert.deepEqual(podName('10.244.3.3'), ['default/blue', 'default/green']);
    assert.deepEqual(cache.servicesByIP('10.96.0.10').map((s) => s.metadata.name), ['web']);
    assert.deepEqual(cache.servicesByIP('fd00:96::20').map((s) => s.metadata.name), ['api']);
    assert.deepEqual(cache.servicesByIP('None'), []);
    assert.equal(cache.nodeByIP('10.0.0.12')?.metadata.name, 'n2');
    assert.equal(cache.nodeByIP('fd00::12')?.metadata.name, 'n2');
    assert.equal(cache.resolveIP('192.0.2.1').pods.length, 0);

    const workload = (namespace: string, name: string) => cache.workload(cache.pod(namespace, name)!);
    assert.deepEqual(workload('shop', 'web-7d4f8b9c6d-x2x7q'), { kind: 'Deployment', name: 'web' });
    assert.deepEqual(workload('kube-system', 'node-agent-5sj2k'), { kind: 'DaemonSet', name: 'node-agent' });
    assert.deepEqual(workload('shop', 'db-0'), { kind: 'StatefulSet', name: 'db' });
    assert.deepEqual(workload('batch', 'report-29170560-h7c2m'), { kind: 'CronJob', name: 'report' });
    assert.deepEqual(workload('default', 'debug'), { kind: 'Pod', name: 'debug' });
    assert.deepEqual(workload('shop', 'orphan-rs-k2j4h'), { kind: 'ReplicaSet', name: 'orphan-rs' });
    // The seed's rule: a Job stays a Job.
    assert.deepEqual(cache.seedWorkload(cache.pod('batch', 'report-29170560-h7c2m')!), { kind: 'Job', name: 'report-29170560', warnings: [] });

    // Calico interface names: prefix + 11 hex digits of sha1("namespace.pod").
    const suffix = interfaceSuffix('shop', 'db-0');
    assert.match(suffix, /^[0-9a-f]{11}$/);
    assert.equal(cache.podByInterface(`cali${suffix}`)?.metadata.name, 'db-0');
    assert.equal(cache.podByInterface(`tap${suffix}`, ['cali', 'tap'])?.metadata.name, 'db-0');
    assert.equal(cache.endpointSlices('shop/web')[0]?.endpoints[0]?.pod, 'web-7d4f8b9c6d-x2x7q');

    // ReplicaSets and Jobs were read as metadata only.
    assert.match(api.accepts.get('replicasets') ?? '', /as=PartialObjectMetadataList/);
    assert.match(api.accepts.get('jobs') ?? '', /as=PartialObjectMetadataList/);
    assert.doesNotMatch(api.accepts.get('pods') ?? '', /PartialObjectMetadata/);

    const text = await metrics.render('text');
    assert.match(text, /^flowlens_kube_objects\{kind="pods"\} 10$/m);
    assert.match(text, /^flowlens_kube_objects\{kind="services"\} 3$/m);
    assert.match(text, /^flowlens_kube_synced\{kind="nodes"\} 1$/m);
    assert.match(text, /^flowlens_kube_ip_lookups_total\{result="miss"\} 1$/m);
  });

  test('watch events change lookups: pod deleted, IP reused by a new pod, service added', async () => {
    const { cache } = await newCache();
    api.delete('pods', 'default', 'debug');
    await until('debug pod removed', () => cache.podsByIP('10.244.1.12').length === 0);
    api.apply('pods', pod({ namespace: 'default', name: 'debug-2', node: 'n1', ips: ['10.244.1.12'] }));
    await until('IP reused', () => cache.podsByIP('10.244.1.12')[0]?.metadata.name === 'debug-2');
    api.apply('services', { metadata: { name: 'late', namespace: 'shop' }, spec: { clusterIPs: ['10.96.0.99'] } });
    await until('service added', () => cache.servicesByIP('10.96.0.99').length === 1);
    // An update that moves a pod's IP drops the old index entry.
    api.apply('pods', pod({ namespace: 'default', name: 'debug-2', node: 'n1', ips: ['10.244.1.14'] }));
    await until('IP moved', () => cache.podsByIP('10.244.1.14').length === 1);
    assert.equal(cache.podsByIP('10.244.1.12').length, 0);
  });

  test('410 Gone relists; a dropped connection re-watches from its resourceVersion; bookmarks keep the position', async () => {
    const { cache, metrics } = await newCache();
    const lists = (): number => api.requests.filter((request) => request === 'list pods').length;
    const listsBefore = lists();

    // Dropped connection: re-watch, no relist, events in between are not lost.
    api.dropWatches();
    api.apply('pods', pod({ namespace: 'default', name: 'during-drop', node: 'n1', ips: ['10.244.1.40'] }));
    await until('event after a drop', () => cache.podsByIP('10.244.1.40').length === 1);
    assert.equal(lists(), listsBefore, 'a dropped watch resumes from its resourceVersion without a relist');

    // Bookmarks move the position; then history expires: the watch gets an ERROR 410 and relists.
    api.bookmark();
    api.goneOnWatches('pods');
    api.delete('pods', 'default', 'during-drop');
    await until('relist after 410', () => lists() > listsBefore && cache.podsByIP('10.244.1.40').length === 0);
    const text = await metrics.render('text');
    assert.match(text, /^flowlens_kube_relists_total\{kind="pods"\} [1-9]/m);
    assert.match(text, /^flowlens_kube_events_total\{kind="pods",type="BOOKMARK"\} [1-9]/m);
  });

  test('malformed watch events are counted, logged once and answered with a relist; nothing crashes', async () => {
    const { cache, metrics } = await newCache();
    const sample = async (family: string): Promise<number> => Number(new RegExp(`^${family}\\{kind="pods"\\} (\\d+)`, 'm').exec(await metrics.render('text'))?.[1] ?? 0);
    // The watch is live once an event arrives through it.
    api.apply('pods', pod({ namespace: 'default', name: 'before-garbage', node: 'n1', ips: ['10.244.1.42'] }));
    await until('watching', () => cache.podsByIP('10.244.1.42').length === 1);
    for (const line of ['{}', '[1,2,3]', '"text"', '{"type":"BOOKMARK"}', '{"type":"ERROR"}', '{"type":"ADDED","object":{"kind":"Pod"}}', '{"type":"MODIFIED","object":null}', 'not json']) {
      api.injectWatchLine('pods', line);
    }
    // An unhandled rejection from client-node's handler would end this process here.
    let relists = 0;
    await until('relisted', async () => (relists = await sample('flowlens_kube_relists_total')) >= 1);
    assert.ok((await sample('flowlens_kube_watch_malformed_total')) >= 1);
    api.apply('pods', pod({ namespace: 'default', name: 'after-garbage', node: 'n1', ips: ['10.244.1.41'] }));
    await until('still watching', () => cache.podsByIP('10.244.1.41').length === 1);
    assert.equal(cache.status().up, true);
    assert.ok(relists >= 1);
  });

  test('an API server outage keeps the last state; the cache catches up when it returns', async () => {
    const { cache } = await newCache();
    await api.stop();
    await until('watch failure noticed', () => cache.status().up === false);
    assert.equal(cache.status().ready, true, 'still ready: serving the last state');
    assert.equal(cache.podsByIP('10.244.1.10').length, 1);
    // Changes made while the agent could not see them.
    api.apply('pods', pod({ namespace: 'default', name: 'while-down', node: 'n2', ips: ['10.244.2.50'] }));
    await api.start();
    await until('caught up', () => cache.podsByIP('10.244.2.50').length === 1 && cache.status().up);
  });

  test('node scoping, no owner watches (Deployment from pod-template-hash), not ready before the first list', async () => {
    const loaded = await loadKubeConfig({ kubeconfig });
    const early = new KubeCache({ config: loaded!.config, logger, nodeName: 'n1', watchOwners: false, backoff: { initialMs: 50, maxMs: 200 } });
    caches.push(early);
    assert.equal(early.status().ready, false);
    await early.start();
    await early.synced(AbortSignal.timeout(10_000));
    assert.ok([...early.allPods()].every((p) => p.nodeName === 'n1'));
    assert.equal(early.pod('shop', 'db-0'), undefined, 'a pod of another node');
    assert.deepEqual(early.workload(early.pod('shop', 'web-7d4f8b9c6d-x2x7q')!), { kind: 'Deployment', name: 'web' });
    assert.deepEqual(early.workload(early.pod('shop', 'orphan-rs-k2j4h')!), { kind: 'ReplicaSet', name: 'orphan-rs' }, 'no pod-template-hash: stays a ReplicaSet');
  });

  test('without permission to read Jobs the cache is ready and Jobs stay Jobs', async () => {
    const denied = new KubeApiServer({ forbidden: ['jobs'], certs: api.certs });
    await denied.start();
    try {
      loadFixtureCluster(denied);
      const loaded = await loadKubeConfig({ kubeconfig: denied.writeKubeconfig() });
      const cache = new KubeCache({ config: loaded!.config, logger, backoff: { initialMs: 50, maxMs: 200 } });
      await cache.start();
      await cache.synced(AbortSignal.timeout(10_000));
      assert.deepEqual(cache.workload(cache.pod('batch', 'report-29170560-h7c2m')!), { kind: 'Job', name: 'report-29170560' });
      await cache.stop();
    } finally {
      await denied.stop();
    }
  });

  test('AdminNetworkPolicy CRDs not installed (404): the cache is ready without them; installed: their names are listed', async () => {
    const bare = new KubeApiServer({ notServed: ['adminnetworkpolicies', 'baselineadminnetworkpolicies'], certs: api.certs });
    await bare.start();
    try {
      const loaded = await loadKubeConfig({ kubeconfig: bare.writeKubeconfig() });
      const cache = new KubeCache({ config: loaded!.config, logger, kinds: ['pods', 'adminnetworkpolicies', 'baselineadminnetworkpolicies'], backoff: { initialMs: 50, maxMs: 200 } });
      await cache.start();
      await cache.synced(AbortSignal.timeout(10_000));
      assert.deepEqual([...cache.adminNetworkPolicies().admin], []);
      await cache.stop();
    } finally {
      await bare.stop();
    }
    const served = new KubeApiServer({ certs: api.certs });
    await served.start();
    try {
      served.apply('adminnetworkpolicies', { metadata: { name: 'block-telnet' } });
      served.apply('baselineadminnetworkpolicies', { metadata: { name: 'default' } });
      const loaded = await loadKubeConfig({ kubeconfig: served.writeKubeconfig() });
      const cache = new KubeCache({ config: loaded!.config, logger, kinds: ['adminnetworkpolicies', 'baselineadminnetworkpolicies'] });
      await cache.start();
      await cache.synced(AbortSignal.timeout(10_000));
      const { admin, baseline } = cache.adminNetworkPolicies();
      assert.deepEqual([...admin].map((policy) => policy.metadata.name), ['block-telnet']);
      assert.deepEqual([...baseline].map((policy) => policy.metadata.name), ['default']);
      await cache.stop();
    } finally {
      await served.stop();
    }
  });
});

test('API access: the agent tries kubernetes.kubeconfig, in-cluster, $KUBECONFIG; enrich (as goflow2-kube-enricher) --kubeconfig, $KUBECONFIG, in-cluster', async () => {
  assert.equal(await loadKubeConfig({}, { env: {} }), undefined);
  await assert.rejects(loadKubeConfig({}, { env: { KUBECONFIG: '/nonexistent/config' } }), /KUBECONFIG: cannot load kubeconfig/);
  await assert.rejects(loadKubeConfig({ kubeconfig: '/nonexistent/config' }, { env: {} }), /kubernetes\.kubeconfig: cannot load kubeconfig/);

  const dir = tempDir('kubeconfig');
  const serviceAccount = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
  mkdirSync(serviceAccount, { recursive: true });
  writeFileSync(join(serviceAccount, 'token'), 'service-account-token');
  writeFileSync(join(serviceAccount, 'ca.crt'), '');
  const file = (name: string, server: string): string => kubeconfigFile(dir, server, name);
  const fromEnv = file('env.yaml', 'https://from-env:6443');
  const fromFlag = file('flag.yaml', 'https://from-flag:6443');
  // client-node's in-cluster loader reads the process environment itself.
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
  process.env.KUBERNETES_SERVICE_PORT = '443';
  try {
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: fromEnv };
    const common = { env, serviceAccountPrefix: dir };
    assert.equal((await loadKubeConfig({}, { ...common, order: 'agent' }))?.server, 'https://10.96.0.1:443');
    assert.equal((await loadKubeConfig({}, { ...common, order: 'kubeconfig-first' }))?.server, 'https://from-env:6443');
    assert.equal((await loadKubeConfig({}, { ...common, env: { ...env, KUBECONFIG: '' }, order: 'kubeconfig-first' }))?.source, 'in-cluster service account');
    for (const order of ['agent', 'kubeconfig-first'] as const) {
      assert.equal((await loadKubeConfig({ kubeconfig: fromFlag }, { ...common, order }))?.server, 'https://from-flag:6443');
    }
  } finally {
    for (const [name, value] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  // A plain http:// server (kubectl proxy) is allowed: client-node refuses it unless told to skip TLS verification.
  const proxy = await loadKubeConfig({ kubeconfig: file('proxy.yaml', 'http://127.0.0.1:8001') }, { env: {} });
  assert.equal(proxy?.config.getCurrentCluster()?.skipTLSVerify, true);
  const tls = await loadKubeConfig({ kubeconfig: fromFlag }, { env: {} });
  assert.equal(tls?.config.getCurrentCluster()?.skipTLSVerify ?? false, false, 'https servers keep TLS verification');
});

test('canonical IP text', () => {
  assert.equal(canonicalIp('10.1.2.3'), '10.1.2.3');
  assert.equal(canonicalIp('FD00:0:0::1'), 'fd00::1');
  assert.equal(canonicalIp('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(canonicalIp('::ffff:10.0.0.1'), '10.0.0.1');
  assert.equal(canonicalIp('::'), '::');
  assert.equal(canonicalIp('::1'), '::1');
  assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1');
  assert.equal(canonicalIp('not an ip'), undefined);
  assert.equal(canonicalIp(''), undefined);
});
