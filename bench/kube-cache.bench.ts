import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { loadKubeConfig } from '../src/kube/config.js';
import { KubeCache } from '../src/kube/metadata-cache.js';
import { podIp, serviceIp } from './kube-cluster.js';
import { gc, median, report } from './report.js';

// The metadata cache at cluster scale: 50,000 pods (5,000 Deployments through
// ReplicaSets, bare pods) and 5,000 services served by the list/watch test API
// server in a worker thread (its own heap). Measured: the cache's heap after
// the initial sync (goal <= 150 MB) and IP lookups per second over a mix of
// pod, service and unknown IPs (goal >= 5 million), against a bare Map.get
// over the same keys (ratio).

const PODS = Number(process.env.BENCH_KUBE_PODS ?? 50_000);
const SERVICES = Number(process.env.BENCH_KUBE_SERVICES ?? 5_000);
const LOOKUPS = 5_000_000;

const worker = new Worker(new URL('./kube-cluster.js', import.meta.url), { workerData: { pods: PODS, services: SERVICES } });
const kubeconfig = await new Promise<string>((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});

gc();
const heapBefore = process.memoryUsage().heapUsed;
const loaded = await loadKubeConfig({ kubeconfig });
const cache = new KubeCache({ config: loaded!.config, logger: pino({ level: 'silent' }), kinds: ['pods', 'services', 'replicasets'] });
const syncStart = performance.now();
await cache.start();
await cache.synced(AbortSignal.timeout(300_000));
const syncMs = performance.now() - syncStart;
gc();
gc();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

// Lookups: 60 % pod IPs, 30 % service IPs, 10 % unknown.
const ips: string[] = [];
for (let i = 0; i < 100_000; i++) {
  const pick = i % 10;
  ips.push(pick < 6 ? podIp((i * 7919) % PODS) : pick < 9 ? serviceIp((i * 104_729) % SERVICES) : `192.0.2.${i % 256}`);
}
const plain = new Map<string, number>();
for (let i = 0; i < PODS; i++) plain.set(podIp(i), i);
for (let s = 0; s < SERVICES; s++) plain.set(serviceIp(s), s);

/** Lookups per second over the IP mix; `lookup` returns whether the IP was found. */
function timeLookups(lookup: (ip: string) => boolean): number {
  let found = 0;
  const passes = Math.ceil(LOOKUPS / ips.length);
  const start = performance.now();
  for (let pass = 0; pass < passes; pass++) {
    for (const ip of ips) if (lookup(ip)) found++;
  }
  const ms = performance.now() - start;
  if (found === 0) throw new Error('no lookup found anything');
  return (passes * ips.length) / (ms / 1_000);
}

const cacheRates: number[] = [];
const mapRates: number[] = [];
for (let round = 0; round < 5; round++) {
  cacheRates.push(
    timeLookups((ip) => {
      const result = cache.resolveIP(ip);
      return result.pods.length > 0 || result.services.length > 0;
    }),
  );
  mapRates.push(timeLookups((ip) => plain.get(ip) !== undefined));
}
const lookupsPerSecond = median(cacheRates);
report({
  benchmark: 'kube_cache',
  pods: PODS,
  services: SERVICES,
  sync_ms: syncMs,
  heap_mb: heapMb,
  heap_bytes_per_pod: (heapMb * 1024 * 1024) / PODS,
  goal_heap_mb: 150,
  lookups_per_s: lookupsPerSecond,
  bare_map_lookups_per_s: median(mapRates),
  ratio: lookupsPerSecond / median(mapRates),
  goal_lookups_per_s: 5_000_000,
  pass: heapMb <= 150 && lookupsPerSecond >= 5_000_000,
});
await cache.stop();
worker.postMessage('stop');
await new Promise((resolve) => worker.once('exit', resolve));
