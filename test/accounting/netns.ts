import { spawnSync } from 'node:child_process';
import { rootSkip, toolSkip } from '../support/tools.js';

// Network namespaces for the accounting tests: each test loads its ruleset
// into a namespace of its own (real iptables / nftables state, exact counters
// with `iptables-restore -c`), never the host's.

let sequence = 0;

export class Netns {
  readonly name = `flowlens-acct-${process.pid}-${++sequence}`;

  constructor() {
    run('ip', ['netns', 'add', this.name]);
  }

  exec(command: string, args: readonly string[], input?: string): string {
    return run('ip', ['netns', 'exec', this.name, command, ...args], input);
  }

  delete(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}

export function run(command: string, args: readonly string[], input?: string): string {
  const result = spawnSync(command, args, { input, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/** Why these tests cannot run here, or false. */
export function netfilterSkip(): string | false {
  return rootSkip('network namespaces') || toolSkip('ip', 'iptables-legacy-restore', 'iptables-nft-restore', 'ip6tables-legacy-restore', 'nft', 'setpriv');
}
