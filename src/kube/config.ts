import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../config/errors.js';

// Where the cache finds the API server, in CONTRACTS.md's order: the
// kubernetes.kubeconfig setting, else in-cluster credentials (a pod's service
// account), else $KUBECONFIG, else none (Kubernetes metadata off).

export interface KubeSettings {
  readonly kubeconfig?: string | undefined;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface LoadedKubeConfig {
  readonly config: KubeConfig;
  /** Where it came from, for the start-up log. */
  readonly source: string;
}

export async function loadKubeConfig(settings: KubeSettings, env: NodeJS.ProcessEnv = process.env, setting = 'kubernetes.kubeconfig'): Promise<LoadedKubeConfig | undefined> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
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
    return { config, source: file };
  };
  if (settings.kubeconfig) return fromFile(settings.kubeconfig, setting);
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    config.loadFromCluster();
    return { config, source: 'in-cluster service account' };
  }
  if (env.KUBECONFIG) return fromFile(env.KUBECONFIG, 'KUBECONFIG');
  return undefined;
}
