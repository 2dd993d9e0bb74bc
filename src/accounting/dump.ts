import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Backend } from './config.js';
import { parseIptablesSave } from './iptables-save.js';
import { parseNftJson } from './nft-json.js';
import type { Ruleset } from './ruleset.js';

// Reading the rules Felix programmed: one dump per address family, with a
// timeout, as text the parsers turn into rulesets. Backend detection follows
// Felix's own care: the legacy save tool runs only when the legacy modules are
// already loaded (/proc/net/ip_tables_names), because running it would load
// them.

export interface DumpOptions {
  readonly timeoutMs: number;
  /** Backend file: the recorded dump to read. */
  readonly dumpFile?: string | undefined;
  /** Run inside this named network namespace (`ip netns exec`). */
  readonly netns?: string | undefined;
}

export interface Dump {
  readonly v4: Ruleset;
  readonly v6: Ruleset;
  /** Lines or rules the parsers could not read. */
  readonly skipped: number;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'timeout' | 'failed',
  ) {
    super(message);
  }
}

export function run(command: string, args: readonly string[], options: DumpOptions): Promise<string> {
  const [file, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, command, ...args]] : [command, [...args]];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: options.timeoutMs, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8', killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(new CommandError(`${command} is not installed`, 'missing'));
      if (error.killed) return reject(new CommandError(`${command} did not finish within ${options.timeoutMs} ms`, 'timeout'));
      reject(new CommandError(`${command} ${args.join(' ')} failed: ${(stderr || error.message).trim().split('\n')[0]}`, 'failed'));
    });
  });
}

const SAVE_TOOLS: Readonly<Record<'iptables-legacy' | 'iptables-nft', readonly [string, string]>> = {
  'iptables-legacy': ['iptables-legacy-save', 'ip6tables-legacy-save'],
  'iptables-nft': ['iptables-nft-save', 'ip6tables-nft-save'],
};

/** Both families' filter rules from `backend`. */
export async function dump(backend: Exclude<Backend, 'none'>, options: DumpOptions): Promise<Dump> {
  if (backend === 'file') {
    let text: string;
    try {
      text = await readFile(options.dumpFile ?? '', 'utf8');
    } catch (error) {
      throw new CommandError(`accounting.dumpFile: ${(error as Error).message}`, 'failed');
    }
    const parsed = parseIptablesSave(text);
    return { v4: parsed.ruleset, v6: new Map(), skipped: parsed.skipped };
  }
  if (backend === 'nft') {
    const [v4, v6] = await Promise.all([nftTable('ip', options), nftTable('ip6', options)]);
    return { v4: v4.ruleset, v6: v6.ruleset, skipped: v4.skipped + v6.skipped };
  }
  const [tool4, tool6] = SAVE_TOOLS[backend];
  const [text4, text6] = await Promise.all([run(tool4, ['-c', '-t', 'filter'], options), run(tool6, ['-c', '-t', 'filter'], options).catch(() => '')]);
  const v4 = parseIptablesSave(text4);
  const v6 = parseIptablesSave(text6);
  return { v4: v4.ruleset, v6: v6.ruleset, skipped: v4.skipped + v6.skipped };
}

async function nftTable(family: 'ip' | 'ip6', options: DumpOptions): Promise<{ ruleset: Ruleset; skipped: number }> {
  let text: string;
  try {
    text = await run('nft', ['-j', 'list', 'table', family, 'calico'], options);
  } catch (error) {
    // No such table for this family (an IPv4-only cluster): nothing to count.
    if (error instanceof CommandError && error.reason === 'failed' && /No such file or directory|does not exist/i.test(error.message)) return { ruleset: new Map(), skipped: 0 };
    throw error;
  }
  return parseNftJson(text);
}

/** Where Felix's rules are: native nftables, iptables-nft, iptables-legacy, or none of them. */
export async function detectBackend(options: DumpOptions, legacyModulesLoaded = () => existsSync('/proc/net/ip_tables_names')): Promise<{ backend: Backend; why: string }> {
  const nftTables = await run('nft', ['-j', 'list', 'tables'], options).catch(() => '');
  if (/"family"\s*:\s*"ip6?"\s*,\s*"name"\s*:\s*"calico"/.test(nftTables)) return { backend: 'nft', why: 'nftables table calico found' };
  const nftSave = await run('iptables-nft-save', ['-t', 'filter'], options).catch(() => '');
  if (/^:cali-/m.test(nftSave)) return { backend: 'iptables-nft', why: 'cali- chains in iptables-nft' };
  if (legacyModulesLoaded()) {
    const legacySave = await run('iptables-legacy-save', ['-t', 'filter'], options).catch(() => '');
    if (/^:cali-/m.test(legacySave)) return { backend: 'iptables-legacy', why: 'cali- chains in iptables-legacy' };
  }
  return { backend: 'none', why: 'no Calico chains in nftables, iptables-nft or iptables-legacy (eBPF dataplane, or Calico not running)' };
}
