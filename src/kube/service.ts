import type { ServiceKey } from '../components/component.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/pipeline.js';
import type { LoadedKubeConfig } from './config.js';
import { DEFAULT_KINDS, KubeCache, type KubeKind } from './metadata-cache.js';

// The Kubernetes metadata cache as a shared service: components reach it with
// `context.services.get(KUBE)`; the agent creates it on first use from what
// preflight found (the API, the kinds the graph needs) and stops it after the
// components that use it.

export const KUBE: ServiceKey<KubeCache> = { name: 'kubernetes' };

const KINDS: ReadonlySet<string> = new Set<KubeKind>(['pods', 'services', 'nodes', 'endpointslices', 'replicasets', 'jobs', 'networkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies']);

/** Names from component definitions (contracts speak strings) as cache kinds; an unknown name is a bug. */
export function kubeKinds(names: readonly string[]): KubeKind[] {
  for (const name of names) if (!KINDS.has(name)) throw new Error(`unknown Kubernetes kind "${name}"`);
  return [...new Set(names)] as KubeKind[];
}

export interface KubeServiceOptions {
  readonly loaded: LoadedKubeConfig | undefined;
  /** What the graph reads; empty: everything (a component asked without declaring). */
  readonly kinds: readonly KubeKind[];
  readonly watchOwners: boolean;
  /** Set when only this node's pods are needed. */
  readonly nodeName?: string | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The cache, started (not necessarily synced); undefined when no Kubernetes API is configured. */
export async function startKubeCache(options: KubeServiceOptions): Promise<KubeCache | undefined> {
  const { loaded, logger } = options;
  if (loaded === undefined) return undefined;
  logger.info({ kubeconfig: loaded.source }, 'Kubernetes API');
  const cache = new KubeCache({
    config: loaded.config,
    logger,
    metrics: options.metrics,
    watchOwners: options.watchOwners,
    kinds: options.kinds.length > 0 ? options.kinds : DEFAULT_KINDS,
    ...(options.nodeName !== undefined ? { nodeName: options.nodeName } : {}),
  });
  if (options.nodeName !== undefined) logger.info({ node: options.nodeName }, 'watching the pods of this node only');
  await cache.start();
  return cache;
}
