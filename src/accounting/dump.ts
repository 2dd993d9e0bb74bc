import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Backend } from './config.js';
import { parseIptablesSave } from './iptables-save.js';
import { parseNftJson } from './nft-json.js';
import type { ParseResult } from './ruleset.js';

// Reading the rules Felix programmed: one dump per address family, with a
// timeout, as text the parsers turn into rulesets. The legacy save tools run
// only when their kernel tables are loaded (/proc/net/ip_tables_names,
// /proc/net/ip6_tables_names), because running them would load the modules.
//
// Backend detection follows Felix (felix/environment/feature_detect_linux.go):
// between iptables-legacy and iptables-nft, the one holding kubelet's
// KUBE-IPTABLES-HINT / KUBE-KUBELET-CANARY chains (nft first), else the one
// with more rules (legacy on a tie), and of those only one that holds Calico's
// rules; native nftables (table `calico`) when it holds more Calico rules than
// iptables. A few stale chains of another backend do not outvote the live
// one. Felix's eBPF dataplane marks its filter table with "Pre-approved by
// BPF programs.": no per-endpoint chains to read there.

export type Family = 'ipv4' | 'ipv6';
export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];
export type Detected = Backend | 'ebpf';

export interface DumpOptions {
  readonly timeoutMs: number;
  /** Backend file: the recorded dump to read. */
  readonly dumpFile?: string | undefined;
  /** Run inside this named network namespace (`ip netns exec`). */
  readonly netns?: string | undefined;
  /** Whether the legacy kernel tables of a family are loaded (default: /proc/net/ip_tables_names, ip6_tables_names). */
  readonly legacyLoaded?: ((family: Family) => boolean) | undefined;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'timeout' | 'failed',
  ) {
    super(message);
  }
}

/** A family's dump: its rules, the error that kept them from being read, or `absent` (nothing to read for it). */
export type FamilyDump = ParseResult | CommandError | 'absent';

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

const PROC_TABLES: Readonly<Record<Family, string>> = { ipv4: '/proc/net/ip_tables_names', ipv6: '/proc/net/ip6_tables_names' };
const legacyLoaded = (options: DumpOptions, family: Family): boolean => (options.legacyLoaded ?? ((f: Family) => existsSync(PROC_TABLES[f])))(family);

const SAVE_TOOLS: Readonly<Record<'iptables-legacy' | 'iptables-nft', Record<Family, string>>> = {
  'iptables-legacy': { ipv4: 'iptables-legacy-save', ipv6: 'ip6tables-legacy-save' },
  'iptables-nft': { ipv4: 'iptables-nft-save', ipv6: 'ip6tables-nft-save' },
};
const NFT_FAMILY: Readonly<Record<Family, string>> = { ipv4: 'ip', ipv6: 'ip6' };

async function settle(read: () => Promise<ParseResult>): Promise<FamilyDump> {
  try {
    return await read();
  } catch (error) {
    return error instanceof CommandError ? error : new CommandError((error as Error).message, 'failed');
  }
}

/** Both families' filter rules from `backend`, each read (or failed) on its own. */
export async function dump(backend: Exclude<Backend, 'none'>, options: DumpOptions): Promise<Record<Family, FamilyDump>> {
  if (backend === 'file') {
    const v4 = await settle(async () => {
      let text: string;
      try {
        text = await readFile(options.dumpFile ?? '', 'utf8');
      } catch (error) {
        throw new CommandError(`accounting.dumpFile: ${(error as Error).message}`, 'failed');
      }
      const parsed = parseIptablesSave(text);
      if (!parsed.ruleset.has('filter')) throw new CommandError(`accounting.dumpFile ${options.dumpFile}: no *filter table (expected the output of iptables-save -c -t filter)`, 'failed');
      return parsed;
    });
    return { ipv4: v4, ipv6: 'absent' };
  }
  const one = async (family: Family): Promise<FamilyDump> => {
    if (backend === 'nft') {
      return settle(async () => {
        let text: string;
        try {
          text = await run('nft', ['-j', 'list', 'table', NFT_FAMILY[family], 'calico'], options);
        } catch (error) {
          // No such table for this family (an IPv4-only cluster): nothing to count.
          if (error instanceof CommandError && error.reason === 'failed' && /No such file or directory|does not exist/i.test(error.message)) return { ruleset: new Map(), skipped: new Map(), damaged: new Set(), samples: [] };
          throw error;
        }
        return parseNftJson(text);
      });
    }
    if (backend === 'iptables-legacy' && !legacyLoaded(options, family)) return 'absent';
    return settle(async () => parseIptablesSave(await run(SAVE_TOOLS[backend][family], ['-c', '-t', 'filter'], options)));
  };
  const [ipv4, ipv6] = await Promise.all([one('ipv4'), one('ipv6')]);
  return { ipv4, ipv6 };
}

// ---- detection ------------------------------------------------------------------

interface Evidence {
  /** Rules in Calico's chains. */
  calico: number;
  /** Every rule (Felix compares these). */
  rules: number;
  /** kubelet's hint chains present. */
  hint: boolean;
  /** Felix's eBPF-mode marker present. */
  bpf: boolean;
}

const BPF_MARKER = 'Pre-approved by BPF programs.';
const HINT = /^:KUBE-(?:IPTABLES-HINT|KUBELET-CANARY) /m;

function iptablesEvidence(texts: readonly string[]): Evidence {
  const out: Evidence = { calico: 0, rules: 0, hint: false, bpf: false };
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.startsWith('-A ') || /^\[\d+:\d+\] -A /.test(line)) {
        out.rules++;
        if (/-A cali-/.test(line)) out.calico++;
      }
    }
    out.hint ||= HINT.test(text);
    out.bpf ||= text.includes(BPF_MARKER);
  }
  return out;
}

async function iptablesSide(backend: 'iptables-legacy' | 'iptables-nft', options: DumpOptions): Promise<Evidence> {
  const texts = await Promise.all(
    FAMILIES.map((family) => {
      if (backend === 'iptables-legacy' && !legacyLoaded(options, family)) return '';
      return run(SAVE_TOOLS[backend][family], [], options).catch(() => '');
    }),
  );
  return iptablesEvidence(texts);
}

async function nftSide(options: DumpOptions): Promise<Evidence> {
  const out: Evidence = { calico: 0, rules: 0, hint: false, bpf: false };
  const tables = await run('nft', ['-j', 'list', 'tables'], options).catch(() => '');
  for (const family of FAMILIES) {
    if (!new RegExp(`"family"\\s*:\\s*"${NFT_FAMILY[family]}"\\s*,\\s*"name"\\s*:\\s*"calico"`).test(tables)) continue;
    const text = await run('nft', ['-j', 'list', 'table', NFT_FAMILY[family], 'calico'], options).catch(() => '');
    const rules = (text.match(/\{"rule":/g) ?? []).length;
    out.calico += rules;
    out.rules += rules;
    out.bpf ||= text.includes(BPF_MARKER);
  }
  return out;
}

/** Where Felix's rules are: native nftables, iptables-nft, iptables-legacy, the eBPF dataplane, or nowhere. */
export async function detectBackend(options: DumpOptions): Promise<{ backend: Detected; why: string }> {
  const [nft, iptNft, legacy] = await Promise.all([nftSide(options), iptablesSide('iptables-nft', options), iptablesSide('iptables-legacy', options)]);
  if ([nft, iptNft, legacy].some((side) => side.bpf)) return { backend: 'ebpf', why: `Felix runs the eBPF dataplane ("${BPF_MARKER}" in its filter rules): policy is enforced by BPF programs, whose per-rule counters Calico does not expose in iptables or nftables; no policy series (Goldmane's flow statistics give per-policy verdicts)` };
  // Felix's choice between the two iptables backends, among those holding Calico's rules.
  let iptables: { backend: 'iptables-legacy' | 'iptables-nft'; side: Evidence; why: string } | undefined;
  const nftCandidate = { backend: 'iptables-nft' as const, side: iptNft };
  const legacyCandidate = { backend: 'iptables-legacy' as const, side: legacy };
  if (iptNft.calico > 0 && legacy.calico > 0) {
    const felix = iptNft.hint ? { ...nftCandidate, why: "kubelet's hint chains in iptables-nft" } : legacy.hint ? { ...legacyCandidate, why: "kubelet's hint chains in iptables-legacy" } : legacy.rules >= iptNft.rules ? { ...legacyCandidate, why: 'more rules in iptables-legacy' } : { ...nftCandidate, why: 'more rules in iptables-nft' };
    const other = felix.backend === 'iptables-nft' ? legacyCandidate : nftCandidate;
    // A tenth of the other's Calico rules or fewer: leftovers of an earlier backend, not Felix's live rules.
    iptables = felix.side.calico * 10 <= other.side.calico ? { ...other, why: `${other.side.calico} Calico rules against ${felix.side.calico} stale ones in ${felix.backend}` } : felix;
  } else if (iptNft.calico > 0) iptables = { ...nftCandidate, why: `${iptNft.calico} Calico rules in iptables-nft` };
  else if (legacy.calico > 0) iptables = { ...legacyCandidate, why: `${legacy.calico} Calico rules in iptables-legacy` };
  if (nft.calico > 0 && (iptables === undefined || nft.calico > iptables.side.calico)) {
    return { backend: 'nft', why: `${nft.calico} rules in nftables table calico${iptables ? ` (${iptables.side.calico} Calico rules in ${iptables.backend} are leftovers)` : ''}` };
  }
  if (iptables !== undefined) return { backend: iptables.backend, why: iptables.why + (nft.calico > 0 ? ` (${nft.calico} rules in nftables table calico are leftovers)` : '') };
  return { backend: 'none', why: 'no Calico rules in nftables, iptables-nft or iptables-legacy (Calico not running on this node, or the agent is not in the host network namespace)' };
}
