import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Accountant } from '../../src/accounting/accountant.js';
import type { Family } from '../../src/accounting/dump.js';
import type { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { pod } from '../support/kube-fixtures.js';
import { sampleValue } from '../support/metrics-text.js';
import { tempDir } from '../support/temp.js';
import { type Netns, netfilterSkip, run } from './netns.js';
import { calico330, dualStack, NGINX } from './rulesets.js';
import { accountingWorld } from './world.js';

// What the accountant does when the node is not what it expects: a backend's
// stale leftovers next to the live rules, the eBPF dataplane, legacy kernel
// tables not loaded, one address family's dump failing, lines it cannot
// read, a recorded dump that is not one.

const skip = netfilterSkip();
const nginx = { pod: 'nginx', pod_namespace: 'default', app: 'nginx', ip: '10.65.0.5' };
const dual = { pod: 'dual', pod_namespace: 'default', app: '', ip: '10.65.0.7,fd00::7' };

describe('accounting on unexpected nodes', { skip }, () => {
  const world = accountingWorld(['pods'], (api) => {
    api.apply('pods', pod({ namespace: 'default', name: 'nginx', node: 'n1', ips: ['10.65.0.5'], labels: { app: 'nginx' } }));
    api.apply('pods', pod({ namespace: 'default', name: 'dual', node: 'n1', ips: ['fd00::7', '10.65.0.7'] }));
  });
  const namespace = (): Netns => world.namespace();
  const accountant = (settings: Record<string, unknown>, legacyLoaded?: (family: Family) => boolean): { accountant: Accountant; metrics: MetricsPipeline } =>
    world.accountant(settings, legacyLoaded === undefined ? {} : { legacyLoaded });

  test("stale leftovers of another backend do not win: a few cali- rules in iptables-nft (with kubelet's hint there), an old table ip calico", async () => {
    const netns = namespace();
    netns.exec('iptables-legacy-restore', ['-c'], calico330());
    netns.exec('iptables-nft-restore', [], '*mangle\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT\n*filter\n:cali-tw-cali00000000001 - [0:0]\n-A cali-tw-cali00000000001 -j DROP\nCOMMIT\n');
    netns.exec('nft', ['-f', '-'], 'table ip calico {\n  chain filter-cali-tw-cali00000000002 {\n    counter drop\n  }\n}\n');
    const { accountant: instance, metrics } = accountant({ netns: netns.name });
    await instance.start();
    const text = await metrics.render('text');
    assert.equal(sampleValue(text, 'flowlens_accounting_backend_info', { backend: 'iptables-legacy' }), 1, text.split('\n').filter((line) => line.includes('backend')).join('\n'));
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...nginx, type: 'tw', policy: 'default/knp.default.allow-nginx' }), 3);
    // And where Felix's own choice (kubelet's hint) holds the live rules, it wins over more legacy rules.
    const hinted = namespace();
    // (legacy holds more rules in all: without the hint, Felix would pick legacy)
    hinted.exec('iptables-legacy-restore', ['-c'], calico330().replace('COMMIT', `${'[0:0] -A cali-pri-kns.default -j RETURN\n'.repeat(5)}COMMIT`));
    hinted.exec('iptables-nft-restore', ['-c'], `*mangle\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT\n${calico330()}`);
    const second = accountant({ netns: hinted.name });
    await second.accountant.start();
    assert.equal(sampleValue(await second.metrics.render('text'), 'flowlens_accounting_backend_info', { backend: 'iptables-nft' }), 1);
  });

  test('eBPF dataplane: backend ebpf with its reason, no series, no dropped scrapes however often it is scraped', async () => {
    const netns = namespace();
    // What Felix in BPF mode leaves in the filter table.
    netns.exec('iptables-nft-restore', [], `*filter
:FORWARD ACCEPT [0:0]
:cali-FORWARD - [0:0]
:cali-to-wl-dispatch - [0:0]
-A FORWARD -m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD
-A cali-FORWARD -m comment --comment "cali:abcdefghijklmnop" -m comment --comment "Pre-approved by BPF programs." -m mark --mark 0x3100000/0x3300000 -j ACCEPT
-A cali-to-wl-dispatch -m comment --comment "cali:qrstuvwxyz012345" -m comment --comment "Unknown interface" -j DROP
COMMIT
`);
    const { accountant: instance, metrics } = accountant({ netns: netns.name });
    await instance.start();
    let text = '';
    for (let i = 0; i < 3; i++) text = await metrics.render('text');
    assert.equal(sampleValue(text, 'flowlens_accounting_backend_info', { backend: 'ebpf' }), 1);
    assert.equal(sampleValue(text, 'calico_accountant_dropped_scrape'), 0);
    assert.ok(!/^(policy_accept_counter|no_policy_drop_counter|flowlens_policy_packets_total)\{/m.test(text));
    const status = instance.status();
    assert.equal(status.up, true);
    assert.match(status.reason ?? '', /eBPF dataplane.*BPF programs/);
  });

  test('the legacy tools do not run for a family whose kernel tables are not loaded (/proc/net/ip6_tables_names)', async () => {
    const netns = namespace();
    netns.exec('iptables-legacy-restore', ['-c'], dualStack(4));
    netns.exec('ip6tables-legacy-restore', ['-c'], dualStack(6));
    const v4only = accountant({ netns: netns.name, backend: 'iptables-legacy' }, (family) => family === 'ipv4');
    await v4only.accountant.start();
    assert.equal(sampleValue(await v4only.metrics.render('text'), 'policy_accept_counter', { ...dual, type: 'tw', policy: 'default/knp.default.allow-dual' }), 6, 'IPv4 only: ip6tables-legacy-save never ran');
    const both = accountant({ netns: netns.name, backend: 'iptables-legacy' });
    await both.accountant.start();
    assert.equal(sampleValue(await both.metrics.render('text'), 'policy_accept_counter', { ...dual, type: 'tw', policy: 'default/knp.default.allow-dual' }), 10);
    const none = accountant({ netns: netns.name }, () => false);
    await none.accountant.start();
    assert.equal(sampleValue(await none.metrics.render('text'), 'flowlens_accounting_backend_info', { backend: 'none' }), 1, 'auto-detection does not run them either');
  });

  test("one family's dump failing: counted for that family, logged once, its last values kept (no counter goes backwards), the other family still read", async () => {
    const netns = namespace();
    netns.exec('iptables-nft-restore', ['-c'], dualStack(4));
    // A failing ip6tables-nft-save: the real one until a flag file exists.
    const bin = tempDir('acct-bin');
    const flag = join(bin, 'fail');
    const real = run('sh', ['-c', 'command -v ip6tables-nft-save']).trim();
    writeFileSync(join(bin, 'ip6tables-nft-save'), `#!/bin/sh\nif [ -e ${flag} ]; then echo "ip6tables-nft-save: table filter is incompatible, use 'nft' tool" >&2; exit 1; fi\nexec ${real} "$@"\n`);
    chmodSync(join(bin, 'ip6tables-nft-save'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      // The IPv6 rules' counters come from real traffic-free restores: ip6tables-nft-restore drops -c, so count on IPv4 and check IPv6 by its series.
      netns.exec('ip6tables-nft-restore', [], dualStack(6));
      const { accountant: instance, metrics } = accountant({ netns: netns.name, backend: 'iptables-nft' });
      await instance.start();
      const first = await metrics.render('text');
      const labels = { namespace: 'default', pod: 'dual', workload: 'Pod/dual', interface: 'cali4150158b17d', endpoint_type: 'workload', direction: 'ingress', policy: '', tier: 'default', verdict: 'deny' };
      assert.equal(sampleValue(first, 'flowlens_policy_packets_total', labels), 1);
      writeFileSync(flag, '');
      netns.exec('iptables-nft-restore', ['-c'], dualStack(4).replace('[1:60]', '[5:300]'));
      const second = await metrics.render('text');
      assert.equal(sampleValue(second, 'flowlens_accounting_errors_total', { family: 'ipv6', reason: 'failed' }), 1);
      assert.equal(sampleValue(second, 'flowlens_accounting_errors_total', { family: 'ipv4', reason: 'failed' }), undefined);
      assert.equal(sampleValue(second, 'flowlens_accounting_scrape_success'), 0);
      assert.equal(sampleValue(second, 'flowlens_policy_packets_total', labels), 5, 'IPv4 read again; IPv6 kept at its last values');
      assert.match(instance.status().reason ?? '', /ipv6: ip6tables-nft-save .*incompatible/);
      const third = await metrics.render('text');
      assert.equal(sampleValue(third, 'flowlens_accounting_errors_total', { family: 'ipv6', reason: 'failed' }), 2);
      assert.equal(sampleValue(third, 'policy_accept_counter', { ...dual, type: 'tw', policy: 'default/knp.default.allow-dual' }), 6);
    } finally {
      process.env.PATH = path;
    }
  });

  test('lines that cannot be read are skipped and counted by reason, never exported as 2^64-1; a recorded dump without *filter is an error', async () => {
    const dir = tempDir('acct-dump');
    const file = join(dir, 'dump.txt');
    writeFileSync(file, calico330().replace('[4:240] -A cali-tw-', '[-1:240] -A cali-tw-').replace('COMMIT', '[3:1 -A broken\nCOMMIT'));
    const { accountant: instance, metrics } = accountant({ backend: 'file', dumpFile: file });
    await instance.start();
    const text = await metrics.render('text');
    assert.equal(sampleValue(text, 'flowlens_accounting_skipped_lines_total', { reason: 'negative_counter' }), 1);
    assert.equal(sampleValue(text, 'flowlens_accounting_skipped_lines_total', { reason: 'malformed' }), 1);
    assert.ok(!text.includes('18446744073709552000') && !text.includes('1.8446744073709552e+19'));
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...nginx, type: 'tw', policy: 'default/knp.default.allow-nginx' }), 3, 'the direct counts of the damaged chain stay');
    assert.equal(sampleValue(text, 'flowlens_accounting_scrape_success'), 1);
    writeFileSync(file, '[3:180] -A cali-tw-x -j DROP\n');
    const empty = await metrics.render('text');
    assert.equal(sampleValue(empty, 'flowlens_accounting_scrape_success'), 0);
    assert.equal(sampleValue(empty, 'flowlens_accounting_errors_total', { family: 'ipv4', reason: 'failed' }), 1);
    assert.match(instance.status().reason ?? '', /no \*filter table/);
  });
});
