import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../config/errors.js';

// Where the cache finds the API server.
//
// - `flowlens run` (the agent, normally a pod): the kubernetes.kubeconfig
//   setting, else in-cluster credentials (the pod's service account), else
//   $KUBECONFIG, else none (Kubernetes metadata off).
// - `flowlens enrich`, as goflow2-kube-enricher did: --kubeconfig, else
//   $KUBECONFIG, else in-cluster.
//
// A plain http:// API server (kubectl proxy, a local test cluster) works as it
// did with client-go: client-node refuses http:// unless the cluster says
// insecure-skip-tls-verify, which means nothing without TLS, so it is set for
// http:// servers only.

export interface KubeSettings {
  readonly kubeconfig?: string | undefined;
}

/** `agent`: setting, in-cluster, $KUBECONFIG. `kubeconfig-first`: setting, $KUBECONFIG, in-cluster. */
export type KubeConfigOrder = 'agent' | 'kubeconfig-first';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface LoadedKubeConfig {
  readonly config: KubeConfig;
  /** Where it came from, for the start-up log. */
  readonly source: string;
  /** The API server's URL. */
  readonly server: string;
}

export interface LoadKubeConfigOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The setting named in errors about the kubeconfig file. */
  readonly setting?: string;
  readonly order?: KubeConfigOrder;
  /** Prefix of the service account files (client-node's loadFromCluster pathPrefix; tests). */
  readonly serviceAccountPrefix?: string;
}

export async function loadKubeConfig(settings: KubeSettings, options: LoadKubeConfigOptions = {}): Promise<LoadedKubeConfig | undefined> {
  const env = options.env ?? process.env;
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  const done = (source: string): LoadedKubeConfig => {
    const cluster = config.getCurrentCluster();
    if (cluster?.server.startsWith('http:') && !cluster.skipTLSVerify) {
      config.clusters = config.clusters.map((entry) => (entry === cluster ? { ...entry, skipTLSVerify: true } : entry));
    }
    return { config, source, server: cluster?.server ?? '' };
  };
  const fromFile = (file: string, setting: string): LoadedKubeConfig => {
    try {
      for (const [index, path] of file.split(':').filter((part) => part !== '').entries()) {
        if (index === 0) config.loadFromFile(path);
        else {
          const more = new KubeConfig();
          more.loadFromFile(path);
          config.mergeConfig(more, true);
        }
      }
    } catch (error) {
      throw new ConfigError(`${setting}: cannot load kubeconfig "${file}": ${(error as Error).message.split('\n')[0]}`);
    }
    if (!config.getCurrentCluster()) throw new ConfigError(`${setting}: kubeconfig "${file}" has no current context with a cluster`);
    return done(file);
  };
  const inCluster = (): LoadedKubeConfig | undefined => {
    const prefix = options.serviceAccountPrefix ?? '';
    if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT || !existsSync(`${prefix}${SERVICE_ACCOUNT_TOKEN}`)) return undefined;
    config.loadFromCluster(prefix);
    return done('in-cluster service account');
  };
  const fromEnv = (): LoadedKubeConfig | undefined => (env.KUBECONFIG ? fromFile(env.KUBECONFIG, 'KUBECONFIG') : undefined);

  if (settings.kubeconfig) return fromFile(settings.kubeconfig, options.setting ?? 'kubernetes.kubeconfig');
  return options.order === 'kubeconfig-first' ? (fromEnv() ?? inCluster()) : (inCluster() ?? fromEnv());
}
