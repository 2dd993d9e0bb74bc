import type { ComponentDefinition } from './components/component.js';
import { kubernetesRequired } from './config/errors.js';
import type { Config } from './config/schema.js';
import { ENRICHMENT_KINDS } from './enrich/flow-stage.js';
import { loadKubeConfig, type LoadedKubeConfig } from './kube/config.js';
import type { KubeKind } from './kube/metadata-cache.js';
import { BasicAuth, loadTlsOptions } from './server/credentials.js';

// The checks beyond the schema that need the machine (files, the kubeconfig
// search) but no network: `flowlens check-config` runs them, and the agent
// runs the same ones before it starts anything, so both refuse a
// configuration with the same one line.

export interface PreflightResult {
  /** Where the Kubernetes API is; undefined when none is configured or nothing needs it. */
  readonly kube: LoadedKubeConfig | undefined;
  /** kubernetes.enrichFlows applies to an enabled flow source (the stage runs when an API is configured). */
  readonly enrichFlows: boolean;
  /** The kinds the shared cache lists and watches: what the enabled components and flow enrichment read (the RBAC this configuration needs). */
  readonly kinds: readonly KubeKind[];
}

export async function preflight(config: Config, enabled: readonly ComponentDefinition[], env: NodeJS.ProcessEnv = process.env): Promise<PreflightResult> {
  const { tls, basicAuth } = config.server;
  if (tls) loadTlsOptions(tls);
  if (basicAuth) new BasicAuth(basicAuth);

  const needing = enabled.flatMap((definition) => definition.kubernetes?.(config[definition.name]) ?? []);
  const sources = enabled.filter((definition) => definition.producesFlows);
  const setting = config.kubernetes.enrichFlows;
  const enrichFlows = setting === true ? sources.length > 0 : setting === 'auto' && sources.some((definition) => definition.flowAddresses);
  const kinds = [...new Set([...needing.flatMap((need) => need.kinds), ...(enrichFlows ? ENRICHMENT_KINDS : [])])];
  // A kubeconfig is read (and a broken one refused) only when something would use it.
  if (kinds.length === 0) return { kube: undefined, enrichFlows, kinds };
  const kube = await loadKubeConfig(config.kubernetes, { env });
  if (kube === undefined) {
    if (needing[0] !== undefined) throw kubernetesRequired(needing[0].setting);
    if (setting === true) throw kubernetesRequired('kubernetes.enrichFlows', 'true needs the Kubernetes API');
  }
  return { kube, enrichFlows, kinds };
}
