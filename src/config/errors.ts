/**
 * A configuration problem a user can fix. The message is one line that names
 * the setting (and where its value came from); the CLI prints it and exits 1.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The error of a setting that needs the Kubernetes API when none is configured. */
export function kubernetesRequired(setting: string, what = 'needs the Kubernetes API'): ConfigError {
  return new ConfigError(`${setting}: ${what}, and none is configured (not running in a pod; set kubernetes.kubeconfig or KUBECONFIG)`);
}

/**
 * A failure at start that is not a configuration mistake (a peer that never
 * answered, input that could not be written): the CLI prints its one-line
 * message and exits 1.
 */
export class FatalError extends Error {
  override readonly name = 'FatalError';
}

/** A short reason for a failed file access: "no such file", "permission denied", ... */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
    case 'ENOTFILE':
      return 'not a regular file';
    default:
      return ((err as Error).message.split('\n', 1)[0] ?? '').trim();
  }
}
