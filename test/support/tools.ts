import { spawnSync } from 'node:child_process';

/**
 * Tests that need a system tool (promtool, prometheus, openssl) skip with a
 * reason on a developer machine without it, and fail in CI, where .ci/run
 * installs every tool: a missing install step must never pass silently.
 */
export function toolSkip(tool: string): string | false {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
  if (found) return false;
  if (process.env.CI === 'true') throw new Error(`${tool} is required in CI; .ci/run must install it`);
  return `${tool} is not installed (.ci/run installs it)`;
}
