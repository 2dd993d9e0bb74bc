import type { ComponentDefinition } from './components/component.js';
import { ConfigError, kubernetesRequired } from './config/errors.js';
import type { Config } from './config/schema.js';
import { loadKubeConfig, type KubeConfigOrder, type LoadedKubeConfig } from './kube/config.js';
import type { KubeKind } from './kube/metadata-cache.js';
import { kubeKinds } from './kube/service.js';
import { componentDefinitions } from './registry.js';
import { BasicAuth, loadTlsOptions } from './server/credentials.js';

// The graph a configuration asks for, and the checks beyond the schema that
// need the machine (files, the kubeconfig search) but no network:
// `flowlens check-config` runs them, and the agent runs the same ones before
// it starts anything (and before it applies a reload), so all three refuse a
// configuration with the same one line.

export interface PreflightResult {
  /** The components that run: the enabled ones, then those that run on their own (auto). */
  readonly graph: readonly ComponentDefinition[];
  /** Where the Kubernetes API is; undefined when none is configured or nothing needs it. */
  readonly kube: LoadedKubeConfig | undefined;
  /** The kinds the shared cache lists and watches: what the graph reads (the RBAC this configuration needs). */
  readonly kinds: readonly KubeKind[];
  /** Components left out, and why (an optional Kubernetes need without an API). */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/** How the kubeconfig is looked for: `flowlens enrich` looks as goflow2-kube-enricher did, and names its own flag. */
export interface KubeLookup {
  readonly order?: KubeConfigOrder;
  readonly setting?: string;
}

export async function preflight(
  config: Config,
  enabled: readonly ComponentDefinition[],
  env: NodeJS.ProcessEnv = process.env,
  definitions: readonly ComponentDefinition[] = componentDefinitions,
  lookup: KubeLookup = {},
): Promise<PreflightResult> {
  const { tls, basicAuth } = config.server;
  if (tls) loadTlsOptions(tls);
  if (basicAuth) new BasicAuth(basicAuth);

  const candidates = [...enabled, ...definitions.filter((definition) => !enabled.includes(definition) && (definition.auto?.({ config, enabled }) ?? false))];
  const needs = candidates.flatMap((definition) => {
    const need = definition.kubernetes?.(config[definition.name], config);
    return need === undefined ? [] : [{ definition, need }];
  });
  const kinds = kubeKinds(needs.flatMap(({ need }) => need.kinds));
  // A kubeconfig is read (and a broken one refused) only when something would use it.
  const api = kinds.length === 0 ? undefined : await loadKubeConfig(config.kubernetes, { env, ...lookup });
  if (api !== undefined || needs.length === 0) return { graph: candidates, kube: api, kinds, skipped: [] };
  const required = needs.find(({ need }) => !need.optional);
  if (required?.need.missing !== undefined) throw new ConfigError(required.need.missing);
  if (required !== undefined) throw kubernetesRequired(required.need.setting, required.need.what);
  const skipped = needs.map(({ definition, need }) => ({ name: definition.name, reason: `${need.setting}: no Kubernetes API configured` }));
  const left = new Set(skipped.map((entry) => entry.name));
  return { graph: candidates.filter((definition) => !left.has(definition.name)), kube: undefined, kinds: [], skipped };
}
