import { spawnSync } from 'node:child_process';
import { classify } from '../src/accounting/classify.js';
import { parseIptablesSave } from '../src/accounting/iptables-save.js';
import { median, report } from './report.js';

// Parse and classify a 50,000-rule Felix-shaped dump (1,600 workloads, two
// endpoint chains each with tiers, policy jumps, accept returns and drop
// rules, plus 1,000 policy chains), against the time `iptables-save -c`
// itself takes to print it, in one run: the dump is loaded into a network
// namespace with iptables-restore -c (root needed; skipped otherwise).

const WORKLOADS = 1_600;
const POLICIES = 1_000;

function ruleset(): { text: string; rules: number } {
  const lines: string[] = ['*filter'];
  const body: string[] = [];
  const policy = (i: number): string => `cali-pi-_p${String(i).padStart(18, '0')}`;
  for (let p = 0; p < POLICIES; p++) {
    lines.push(`:${policy(p)} - [0:0]`);
    body.push(`[${p}:${p * 60}] -A ${policy(p)} -p tcp -m comment --comment "cali:${String(p).padStart(16, 'x')}" -m comment --comment "Policy ns-${p % 50}/knp.default.policy-${p} ingress" -m multiport --dports 80,443 -j MARK --set-xmark 0x10000/0x10000`);
    body.push(`[${p}:${p * 60}] -A ${policy(p)} -m comment --comment "cali:${String(p).padStart(16, 'y')}" -m mark --mark 0x10000/0x10000 -j RETURN`);
  }
  for (let w = 0; w < WORKLOADS; w++) {
    const iface = `cali${w.toString(16).padStart(11, '0')}`;
    for (const direction of ['tw', 'fw']) {
      const chain = `cali-${direction}-${iface}`;
      lines.push(`:${chain} - [0:0]`);
      const rule = (counters: string, rest: string): void => void body.push(`[${counters}] -A ${chain} ${rest}`);
      rule('10:600', `-m comment --comment "cali:aaaaaaaaaaaaaaaa" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
      rule('0:0', `-m comment --comment "cali:bbbbbbbbbbbbbbbb" -m conntrack --ctstate INVALID -j DROP`);
      rule('5:300', `-m comment --comment "cali:cccccccccccccccc" -j MARK --set-xmark 0x0/0x30000`);
      for (const tier of ['security', 'default']) {
        rule('5:300', `-m comment --comment "cali:dddddddddddddddd" -m comment --comment "Start of tier ${tier}" -j MARK --set-xmark 0x0/0x20000`);
        for (let k = 0; k < 2; k++) {
          rule('5:300', `-m comment --comment "cali:eeeeeeeeeeeeeeee" -m mark --mark 0x0/0x20000 -j ${policy((w * 3 + k) % POLICIES)}`);
          rule(`${k + 1}:${60 * (k + 1)}`, `-m comment --comment "cali:ffffffffffffffff" -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN`);
        }
        rule('2:120', `-m comment --comment "cali:gggggggggggggggg" -m comment --comment "End of tier ${tier}. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP`);
      }
    }
  }
  return { text: `${[...lines, ...body, 'COMMIT'].join('\n')}\n`, rules: body.length };
}

function sh(args: string[], input?: string): { stdout: string; ms: number } {
  const started = performance.now();
  const result = spawnSync(args[0]!, args.slice(1), { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
  return { stdout: result.stdout, ms };
}

if (process.getuid?.() !== 0) {
  report({ benchmark: 'accounting_parse', skipped: 'needs root (network namespace)' });
  process.exit(0);
}
const netns = `flowlens-bench-${process.pid}`;
sh(['ip', 'netns', 'add', netns]);
try {
  const { text, rules } = ruleset();
  sh(['ip', 'netns', 'exec', netns, 'iptables-nft-restore', '-c'], text);
  const saves: number[] = [];
  let dump = '';
  for (let i = 0; i < 3; i++) {
    const save = sh(['ip', 'netns', 'exec', netns, 'iptables-nft-save', '-c', '-t', 'filter']);
    saves.push(save.ms);
    dump = save.stdout;
  }
  const parses: number[] = [];
  let endpoints = 0;
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    endpoints = classify(parseIptablesSave(dump).ruleset).endpoints.length;
    parses.push(performance.now() - started);
  }
  const parseMs = median(parses.slice(2));
  const saveMs = median(saves);
  report({
    benchmark: 'accounting_parse',
    rules,
    dump_mb: dump.length / 1e6,
    endpoint_chains: endpoints,
    parse_classify_ms: parseMs,
    iptables_save_ms: saveMs,
    ratio: parseMs / saveMs,
    goal_ms: 200,
    goal_ratio: 1,
    pass: parseMs <= 200 && parseMs / saveMs <= 1,
  });
} finally {
  spawnSync('ip', ['netns', 'del', netns]);
}
