import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { pod } from '../support/kube-fixtures.js';
import { sampleValue } from '../support/metrics-text.js';
import { promtoolCheck } from '../support/promtool.js';
import { type Netns, netfilterSkip } from './netns.js';
import { calico326, calico329Tiers, calico330, dualStack, NGINX, nativeNft330, WEB } from './rulesets.js';
import { accountingWorld } from './world.js';

const skip = netfilterSkip();

/** iptables-legacy-save in `netns` as an unprivileged user holding only `caps`. */
function legacyOnly(netns: Netns, caps: string): string {
  return netns.exec('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', `--inh-caps=-all${caps}`, `--ambient-caps=-all${caps}`, `--bounding-set=-all${caps}`, 'iptables-legacy-save', '-c', '-t', 'filter']);
}

describe('policy accounting from real netfilter state in network namespaces', { skip }, () => {
  const world = accountingWorld(['pods', 'replicasets', 'networkpolicies'], (api) => {
    api.apply('replicasets', { metadata: { name: 'nginx-5d8f7c9b6', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', uid: 'u1', controller: true }] } });
    api.apply('pods', pod({ namespace: 'default', name: 'nginx', node: 'n1', ips: ['10.65.0.5'], labels: { app: 'nginx' }, owners: [{ kind: 'ReplicaSet', name: 'nginx-5d8f7c9b6' }] }));
    api.apply('pods', pod({ namespace: 'default', name: 'web-0', node: 'n1', ips: ['10.65.0.6'], labels: { app: 'web' }, owners: [{ kind: 'StatefulSet', name: 'web' }] }));
    api.apply('pods', pod({ namespace: 'default', name: 'dual', node: 'n1', ips: ['fd00::7', '10.65.0.7'] }));
    api.apply('networkpolicies', { metadata: { name: 'allow-nginx', namespace: 'default' }, spec: { podSelector: {} } });
  });
  const namespace = (): Netns => world.namespace();

  async function scrape(netns: Netns, settings: Record<string, unknown> = {}, legacyLoaded: (family: 'ipv4' | 'ipv6') => boolean = () => true): Promise<{ text: string; metrics: MetricsPipeline }> {
    const { accountant, metrics } = world.accountant({ netns: netns.name, ...settings }, { legacyLoaded });
    await accountant.start();
    const text = await metrics.render('text');
    await accountant.stop();
    return { text, metrics };
  }

  const nginx = { pod: 'nginx', pod_namespace: 'default', app: 'nginx', ip: '10.65.0.5' };

  for (const backend of ['iptables-legacy', 'iptables-nft'] as const) {
    test(`Calico 3.30 layout via ${backend} (auto-detected): accepts by policy, no-policy drops, no fw drop series`, async () => {
      const netns = namespace();
      netns.exec(backend === 'iptables-legacy' ? 'iptables-legacy-restore' : 'iptables-nft-restore', ['-c'], calico330());
      const { text } = await scrape(netns);
      assert.equal(sampleValue(text, 'flowlens_accounting_backend_info', { backend }), 1);
      assert.equal(sampleValue(text, 'policy_accept_counter', { ...nginx, type: 'tw', policy: 'default/knp.default.allow-nginx' }), 3);
      assert.equal(sampleValue(text, 'no_policy_drop_counter', { ...nginx, type: 'tw' }), 4);
      assert.equal(sampleValue(text, 'no_policy_drop_counter', { ...nginx, type: 'fw' }), undefined, 'a profile-only endpoint has no drop rule');
      const detail = { namespace: 'default', pod: 'nginx', workload: 'Deployment/nginx', interface: NGINX, endpoint_type: 'workload', direction: 'ingress' };
      assert.equal(sampleValue(text, 'flowlens_policy_packets_total', { ...detail, policy: 'default/knp.default.allow-nginx', tier: 'default', verdict: 'allow' }), 3);
      assert.equal(sampleValue(text, 'flowlens_policy_bytes_total', { ...detail, policy: 'default/knp.default.allow-nginx', tier: 'default', verdict: 'allow' }), 180);
      assert.equal(sampleValue(text, 'flowlens_policy_bytes_total', { ...detail, policy: '', tier: 'default', verdict: 'deny' }), 240);
      assert.equal(sampleValue(text, 'flowlens_accounting_scrape_success'), 1);
      const lint = promtoolCheck(text);
      assert.ok(lint.status === 0 || lint.status === 3, lint.problems.join('\n'));
      assert.deepEqual(lint.problems.filter((line) => line.includes('flowlens_')), []);
    });
  }

  test('other CNI prefixes (FELIX_INTERFACEPREFIX=eni): the interface suffix still names the pod', async () => {
    const netns = namespace();
    netns.exec('iptables-nft-restore', ['-c'], calico330('enic440f455693'));
    const { text } = await scrape(netns, { backend: 'iptables-nft', interfacePrefixes: ['eni', 'cali'] });
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...nginx, type: 'tw', policy: 'default/knp.default.allow-nginx' }), 3);
    const caliOnly = await scrape(netns, { backend: 'iptables-nft' });
    assert.equal(sampleValue(caliOnly.text, 'flowlens_accounting_unknown_interfaces'), 1, 'with the default prefix the eni interface matches nothing (counted once, for its tw and fw chains)');
  });

  test('a hashed policy chain without its comment is named from the Kubernetes NetworkPolicies the cache lists', async () => {
    const netns = namespace();
    // The 3.29 chain of default/allow-nginx, its "Policy ..." comment lost.
    netns.exec('iptables-nft-restore', ['-c'], calico330().replace(' -m comment --comment "Policy default/knp.default.allow-nginx ingress"', ''));
    const { text } = await scrape(netns, { backend: 'iptables-nft' });
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...nginx, type: 'tw', policy: 'default/knp.default.allow-nginx' }), 3);
  });

  test('Calico 3.26 layout: "Start of policies", plain drop text, both directions', async () => {
    const netns = namespace();
    netns.exec('iptables-legacy-restore', ['-c'], calico326());
    const { text } = await scrape(netns, { backend: 'iptables-legacy' });
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...nginx, type: 'tw', policy: 'default/knp.default.allow-nginx' }), 11);
    assert.equal(sampleValue(text, 'no_policy_drop_counter', { ...nginx, type: 'tw' }), 7);
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...nginx, type: 'fw', policy: 'ns/knp.default.foo' }), 9, 'a readable 3.26 chain name without a comment');
    assert.equal(sampleValue(text, 'no_policy_drop_counter', { ...nginx, type: 'fw' }), 1);
  });

  test('Calico 3.29 tiers: one summed drop sample per endpoint (no duplicates), Reject, 3.32 names, unknown interface', async () => {
    const netns = namespace();
    netns.exec('iptables-nft-restore', ['-c'], calico329Tiers());
    const { text } = await scrape(netns, { backend: 'iptables-nft' });
    const web = { pod: 'web-0', pod_namespace: 'default', app: 'web', ip: '10.65.0.6' };
    assert.equal(sampleValue(text, 'no_policy_drop_counter', { ...nginx, type: 'tw' }), 5, 'security 2 + default 3');
    assert.equal(sampleValue(text, 'no_policy_drop_counter', { ...web, type: 'tw' }), 10);
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...nginx, type: 'tw', policy: 'default.deny-ssh' }), 1);
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...web, type: 'fw', policy: 'default/knp.default.allow-egress' }), 1);
    const detail = { namespace: 'default', pod: 'web-0', workload: 'StatefulSet/web', interface: WEB, endpoint_type: 'workload', direction: 'ingress', policy: '', verdict: 'deny' };
    assert.equal(sampleValue(text, 'flowlens_policy_packets_total', { ...detail, tier: 'security' }), 4);
    assert.equal(sampleValue(text, 'flowlens_policy_packets_total', { ...detail, tier: 'default' }), 6);
    assert.equal(sampleValue(text, 'flowlens_accounting_unknown_interfaces'), 1);
    const lines = text.split('\n').filter((line) => line.startsWith('no_policy_drop_counter{') || line.startsWith('policy_accept_counter{'));
    assert.equal(new Set(lines.map((line) => line.replace(/ \S+$/, ''))).size, lines.length, 'no duplicate series');
  });

  test('dual stack: IPv4 and IPv6 rules summed into one sample per workload; counters up to 2^64-1 read exactly', async () => {
    const netns = namespace();
    netns.exec('iptables-legacy-restore', ['-c'], dualStack(4));
    netns.exec('ip6tables-legacy-restore', ['-c'], dualStack(6));
    const { text } = await scrape(netns, { backend: 'iptables-legacy' });
    const dual = { pod: 'dual', pod_namespace: 'default', app: '', ip: '10.65.0.7,fd00::7' };
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...dual, type: 'tw', policy: 'default/knp.default.allow-dual' }), 10);
    assert.equal(sampleValue(text, 'no_policy_drop_counter', { ...dual, type: 'tw' }), 3);
    const big = namespace();
    big.exec('iptables-legacy-restore', ['-c'], dualStack(4, true));
    const huge = await scrape(big, { backend: 'iptables-legacy' });
    assert.equal(sampleValue(huge.text, 'policy_accept_counter', { ...dual, type: 'tw', policy: 'default/knp.default.allow-dual' }), 18446744073709551615);
  });

  test('native nftables (Calico 3.30 shape): table ip calico, filter- prefixes, readable policy chain names', async () => {
    const netns = namespace();
    netns.exec('nft', ['-f', '-'], nativeNft330());
    const { text } = await scrape(netns);
    assert.equal(sampleValue(text, 'flowlens_accounting_backend_info', { backend: 'nft' }), 1);
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...nginx, type: 'tw', policy: 'default/knp.default.allow-nginx' }), 3);
    assert.equal(sampleValue(text, 'no_policy_drop_counter', { ...nginx, type: 'tw' }), 4);
  });

  test('no Calico chains: no series, the backend gauge says none; legacy save never runs without its tables', async () => {
    const netns = namespace();
    const { text } = await scrape(netns, {}, () => false);
    assert.equal(sampleValue(text, 'flowlens_accounting_backend_info', { backend: 'none' }), 1);
    assert.ok(!/^policy_accept_counter\{/m.test(text));
  });

  test('real traffic over a veth pair moves the counters: allowed and dropped UDP from the workload', async () => {
    const host = namespace();
    const workload = namespace();
    host.exec('ip', ['link', 'add', NGINX, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', workload.name]);
    host.exec('ip', ['addr', 'add', '10.99.0.2/24', 'dev', NGINX]);
    host.exec('ip', ['link', 'set', NGINX, 'up']);
    workload.exec('ip', ['addr', 'add', '10.99.0.1/24', 'dev', 'eth0']);
    workload.exec('ip', ['link', 'set', 'eth0', 'up']);
    const po = 'cali-po-_tRaFfIc000000000000';
    host.exec('iptables-legacy-restore', [], `*filter
:INPUT ACCEPT [0:0]
:cali-fw-${NGINX} - [0:0]
:${po} - [0:0]
-A INPUT -i ${NGINX} -j cali-fw-${NGINX}
-A ${po} -p udp -m comment --comment "Policy default/knp.default.allow-dns egress" -m udp --dport 9999 -j MARK --set-xmark 0x10000/0x10000
-A cali-fw-${NGINX} -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x30000
-A cali-fw-${NGINX} -m mark --mark 0x0/0x20000 -j ${po}
-A cali-fw-${NGINX} -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-${NGINX} -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
COMMIT
`);
    const send = (port: number, count: number): string =>
      `const s=require('dgram').createSocket('udp4');let n=0;const next=()=>{if(n++>=${count})return s.close();s.send('x',${port},'10.99.0.2',()=>setTimeout(next,5));};next();`;
    workload.exec(process.execPath, ['-e', send(9999, 5)]);
    workload.exec(process.execPath, ['-e', send(8888, 3)]);
    const { text } = await scrape(host, { backend: 'iptables-legacy' });
    assert.equal(sampleValue(text, 'policy_accept_counter', { ...nginx, type: 'fw', policy: 'default/knp.default.allow-dns' }), 5);
    assert.equal(sampleValue(text, 'no_policy_drop_counter', { ...nginx, type: 'fw' }), 3);
  });

  test('capabilities: the nftables-based dumps run with CAP_NET_ADMIN alone; iptables-legacy also needs CAP_NET_RAW', () => {
    const netns = namespace();
    netns.exec('iptables-nft-restore', ['-c'], calico330());
    const only = (caps: string, command: string, args: string[]): string =>
      netns.exec('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', `--inh-caps=-all${caps}`, `--ambient-caps=-all${caps}`, `--bounding-set=-all${caps}`, command, ...args]);
    assert.match(only(',+net_admin', 'iptables-nft-save', ['-c', '-t', 'filter']), /Return if policy accepted/);
    assert.match(only(',+net_admin', 'nft', ['-j', 'list', 'tables']), /"nftables"/);
    const legacy = namespace();
    legacy.exec('iptables-legacy-restore', ['-c'], calico330());
    assert.throws(() => legacyOnly(legacy, ',+net_admin'), /Permission denied/);
    assert.match(legacyOnly(legacy, ',+net_admin,+net_raw'), /Return if policy accepted/);
  });

  test('MINIMUM_COUNTER: a scrape where no sample reaches it leaves the seed families out and is counted', async () => {
    const netns = namespace();
    netns.exec('iptables-legacy-restore', ['-c'], calico330());
    const high = await scrape(netns, { backend: 'iptables-legacy', minimumCounter: 5 });
    assert.equal(sampleValue(high.text, 'calico_accountant_dropped_scrape'), 1);
    assert.equal(sampleValue(high.text, 'policy_accept_counter', { ...nginx, type: 'tw', policy: 'default/knp.default.allow-nginx' }), undefined);
    assert.ok(/^flowlens_policy_packets_total\{/m.test(high.text), 'the flowlens families are not subject to it');
    const low = await scrape(netns, { backend: 'iptables-legacy', minimumCounter: 4 });
    assert.equal(sampleValue(low.text, 'calico_accountant_dropped_scrape'), 0);
    assert.equal(sampleValue(low.text, 'no_policy_drop_counter', { ...nginx, type: 'tw' }), 4);
    const empty = namespace();
    empty.exec('iptables-legacy-restore', ['-c'], '*filter\nCOMMIT\n');
    const none = await scrape(empty, { backend: 'iptables-legacy' });
    assert.equal(sampleValue(none.text, 'calico_accountant_dropped_scrape'), 1, 'no sample at all: dropped, as calico-accountant did');
  });
});
