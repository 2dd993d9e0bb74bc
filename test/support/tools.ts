import { spawnSync } from 'node:child_process';

/** The Debian package of each system tool a test may need (.ci/run installs them all). */
export const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  dnsmasq: 'dnsmasq-base',
  kubectl: 'kubernetes-client',
  ip: 'iproute2',
  nft: 'nftables',
  'iptables-legacy-restore': 'iptables',
  'iptables-nft-restore': 'iptables',
  'ip6tables-legacy-restore': 'iptables',
  setpriv: 'util-linux',
  softflowd: 'softflowd',
  nfcapd: 'nfdump',
  nfdump: 'nfdump',
  pmacctd: 'pmacct',
  chromium: 'chromium',
};

export function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}

/**
 * Tests that need a system tool skip with one line naming its Debian package
 * on a machine without it, and fail under CI=true, where .ci/run installs
 * every tool: a missing install step must never pass silently.
 */
export function toolSkip(...tools: string[]): string | false {
  for (const tool of tools) {
    if (hasTool(tool)) continue;
    const pkg = DEBIAN_PACKAGES[tool] ?? tool;
    if (process.env.CI === 'true') throw new Error(`${tool} is required in CI (Debian package ${pkg}); .ci/run must install it`);
    return `${tool} is not installed (Debian package ${pkg})`;
  }
  return false;
}

/** The same for a Python 3 module from a Debian package (imported by Debian's /usr/bin/python3). */
export function pythonModuleSkip(module: string, pkg: string): string | false {
  if (spawnSync('/usr/bin/python3', ['-c', `import ${module}`], { encoding: 'utf8' }).status === 0) return false;
  if (process.env.CI === 'true') throw new Error(`the Python module ${module} is required in CI (Debian package ${pkg}); .ci/run must install it`);
  return `the Python module ${module} is not installed (Debian package ${pkg})`;
}

/** Tests that need root (network namespaces, port 53) skip without it, and fail under CI=true. */
export function rootSkip(why: string): string | false {
  if (process.getuid?.() === 0) return false;
  if (process.env.CI === 'true') throw new Error(`${why}: the test needs root in CI`);
  return `${why}: needs root`;
}
