import { after, before } from 'node:test';
import pino from 'pino';
import { Accountant } from '../../src/accounting/accountant.js';
import { accountingSchema } from '../../src/accounting/config.js';
import type { Family } from '../../src/accounting/dump.js';
import { loadKubeConfig } from '../../src/kube/config.js';
import { KubeCache, type KubeKind } from '../../src/kube/metadata-cache.js';
import { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { Netns } from './netns.js';

// What every accounting suite stands on: a Kubernetes API serving the suite's
// pods (node n1), the cache synced from it, network namespaces deleted when
// the suite ends, and accountants on that cache. Call it in a describe body:
// it registers the suite's before and after hooks.

export interface AccountingWorld {
  /** The synced cache (from the suite's `before` on). */
  cache(): KubeCache;
  /** A new network namespace, deleted after the suite. */
  namespace(): Netns;
  /** An accountant of node n1 on the cache, and the metrics pipeline it registers in. */
  accountant(settings: Record<string, unknown>, options?: { legacyLoaded?: (family: Family) => boolean; maxSeries?: number }): { accountant: Accountant; metrics: MetricsPipeline };
}

const logger = pino({ level: 'silent' });

export function accountingWorld(kinds: readonly KubeKind[], populate: (api: KubeApiServer) => void): AccountingWorld {
  const api = new KubeApiServer();
  const namespaces: Netns[] = [];
  let cache: KubeCache | undefined;
  before(async () => {
    await api.start();
    populate(api);
    const loaded = await loadKubeConfig({ kubeconfig: api.writeKubeconfig() });
    cache = new KubeCache({ config: loaded!.config, logger, kinds: [...kinds] });
    await cache.start();
    await cache.synced(AbortSignal.timeout(10_000));
  });
  after(async () => {
    for (const netns of namespaces) netns.delete();
    await cache?.stop();
    await api.stop();
  });
  const synced = (): KubeCache => {
    if (cache === undefined) throw new Error('the accounting world is used before its before() hook ran');
    return cache;
  };
  return {
    cache: synced,
    namespace() {
      const netns = new Netns();
      namespaces.push(netns);
      return netns;
    },
    accountant(settings, options = {}) {
      const metrics = new MetricsPipeline({ maxSeriesPerMetric: options.maxSeries ?? 1_000, seriesTtlMs: 0, version: 'test', processMetrics: false });
      const accountant = new Accountant({ config: accountingSchema.parse(settings), logger, metrics, kube: async () => synced(), nodeName: 'n1', legacyLoaded: options.legacyLoaded ?? (() => true) });
      return { accountant, metrics };
    },
  };
}
