import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Accountant } from '../../src/accounting/accountant.js';
import type { MetricsPipeline } from '../../src/metrics/pipeline.js';
import { pod } from '../support/kube-fixtures.js';
import { promtoolCheck } from '../support/promtool.js';
import { build, type Expected, type Scenario } from './felix-render.js';
import { classic, IFACES, LONG_ANP, more, tiered } from './felix-scenarios.js';
import { type Netns, netfilterSkip } from './netns.js';
import { accountingWorld } from './world.js';

// Felix-rendered rule sets (felix-render.ts) for every supported Calico
// version and backend, loaded into real network namespaces with their
// counters, read by the accountant and compared series by series with what
// the policy model says each packet met.

const skip = netfilterSkip();

type Backend = 'iptables-legacy' | 'iptables-nft' | 'nft';

interface Series {
  labels: Record<string, string>;
  value: number;
}

/** Every sample of `family` in an exposition. */
function samples(text: string, family: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (match?.[1] !== family) continue;
    const labels = Object.fromEntries([...match[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    out.push({ labels, value: Number(match[3]) });
  }
  return out;
}

/** The model's expectation for both families, summed. */
function expectationOf(scenario: Scenario): { expected: Expected; rules: Record<4 | 6, string>; nft: Record<4 | 6, string> } {
  const v4 = build(scenario, 4);
  const v6 = build({ ...scenario, unknownInterfacePackets: 0 }, 6);
  const verdicts = new Map(v4.expected.verdicts);
  for (const [key, value] of v6.expected.verdicts) {
    const old = verdicts.get(key);
    verdicts.set(key, { packets: (old?.packets ?? 0) + value.packets, bytes: (old?.bytes ?? 0) + value.bytes });
  }
  const drops = new Map(v4.expected.drops);
  for (const [key, value] of v6.expected.drops) drops.set(key, (drops.get(key) ?? 0) + value);
  return { expected: { verdicts, drops }, rules: { 4: v4.renderer.iptables(4), 6: v6.renderer.iptables(6) }, nft: { 4: v4.renderer.nftText('ip'), 6: v6.renderer.nftText('ip6') } };
}

const POD_OF: Record<string, { namespace: string; pod: string; type: string }> = {
  [IFACES.nginx]: { namespace: 'default', pod: 'nginx', type: '' },
  [IFACES.web]: { namespace: 'default', pod: 'web-0', type: '' },
  [IFACES.api1]: { namespace: 'prod', pod: 'api-1', type: '' },
  [IFACES.api2]: { namespace: 'prod', pod: 'api-2', type: '' },
};
/** Endpoints whose group is shared: their per-member counts are apportioned, compared as sums. */
const SHARED = new Set<string>([IFACES.api1, IFACES.api2]);

describe('accounting against rule sets rendered as Felix renders them, Calico 3.26-3.32, every backend', { skip }, () => {
  const world = accountingWorld(['pods', 'replicasets', 'networkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies'], (api) => {
    api.apply('pods', pod({ namespace: 'default', name: 'nginx', node: 'n1', ips: ['10.65.0.5', 'fd00::5'], labels: { app: 'nginx' } }));
    api.apply('pods', pod({ namespace: 'default', name: 'web-0', node: 'n1', ips: ['10.65.0.6'], labels: { app: 'web' }, owners: [{ kind: 'StatefulSet', name: 'web' }] }));
    api.apply('pods', pod({ namespace: 'prod', name: 'api-1', node: 'n1', ips: ['10.65.1.1'], labels: { app: 'api' } }));
    api.apply('pods', pod({ namespace: 'prod', name: 'api-2', node: 'n1', ips: ['10.65.1.2'], labels: { app: 'api' } }));
    api.apply('adminnetworkpolicies', { metadata: { name: LONG_ANP } });
  });

  function load(netns: Netns, backend: Backend, rendered: ReturnType<typeof expectationOf>): void {
    if (backend === 'nft') {
      netns.exec('nft', ['flush', 'ruleset']);
      netns.exec('nft', ['-f', '-'], rendered.nft[4]);
      netns.exec('nft', ['-f', '-'], rendered.nft[6]);
      return;
    }
    const tool = backend === 'iptables-legacy' ? 'legacy' : 'nft';
    netns.exec(`iptables-${tool}-restore`, ['-c'], rendered.rules[4]);
    netns.exec(`ip6tables-${tool}-restore`, ['-c'], rendered.rules[6]);
  }

  const accountant = (netns: Netns, backend: Backend): { accountant: Accountant; metrics: MetricsPipeline } => world.accountant({ netns: netns.name, backend }, { maxSeries: 10_000 });

  /** Verdict series keyed as the expectation is: iface|direction|tier|policy|verdict (zero-valued series left out). */
  function verdictsOf(text: string, family: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const { labels, value } of samples(text, family)) {
      if (value === 0) continue;
      const key = `${labels.interface}|${labels.direction}|${labels.tier}|${labels.policy}|${labels.verdict}`;
      out.set(key, (out.get(key) ?? 0) + value);
    }
    return out;
  }

  /** Sums by a part of the key (for the apportioned endpoints). */
  function sumBy(map: ReadonlyMap<string, number>, select: (parts: string[]) => string | undefined): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, value] of map) {
      const group = select(key.split('|'));
      if (group !== undefined) out.set(group, (out.get(group) ?? 0) + value);
    }
    return out;
  }

  function compare(text: string, expected: Expected): void {
    const field = (name: 'packets' | 'bytes'): Map<string, number> => new Map([...expected.verdicts].map(([key, value]) => [key, value[name]]));
    for (const [family, name] of [['flowlens_policy_packets_total', 'packets'], ['flowlens_policy_bytes_total', 'bytes']] as const) {
      const actual = verdictsOf(text, family);
      const wanted = field(name);
      const exact = (key: string): boolean => !SHARED.has(key.split('|')[0]!);
      assert.deepEqual(new Map([...actual].filter(([key]) => exact(key)).sort()), new Map([...wanted].filter(([key]) => exact(key)).sort()), `${family}: exact endpoints`);
      // Shared group: exact per endpoint and verdict, and per policy over the endpoints (largest-remainder rounding: within one per endpoint).
      const perEndpoint = (parts: string[]): string | undefined => (SHARED.has(parts[0]!) ? `${parts[0]}|${parts[1]}|${parts[4]}` : undefined);
      assert.deepEqual(sumBy(actual, perEndpoint), sumBy(wanted, perEndpoint), `${family}: shared group, per endpoint`);
      const perPolicy = (parts: string[]): string | undefined => (SHARED.has(parts[0]!) ? `${parts[3]}|${parts[4]}` : undefined);
      const actualPolicies = sumBy(actual, perPolicy);
      for (const [policy, value] of sumBy(wanted, perPolicy)) assert.ok(Math.abs((actualPolicies.get(policy) ?? 0) - value) <= SHARED.size, `${family} ${policy}: ${actualPolicies.get(policy)} vs ${value}`);
    }
    // Drops outside policy.
    const drops = new Map<string, number>();
    for (const { labels, value } of samples(text, 'flowlens_dataplane_dropped_packets_total')) if (value > 0) drops.set(`${labels.interface}|${labels.direction}|${labels.reason}`, value);
    assert.deepEqual(new Map([...drops].sort()), new Map([...expected.drops].sort()), 'dataplane drops');
    // The seed families, for the exact workloads.
    const accepts = new Map<string, number>();
    const denies = new Map<string, number>();
    const noPolicy = new Map<string, number>();
    for (const [key, value] of expected.verdicts) {
      const [iface, direction, , policy, verdict] = key.split('|');
      const who = POD_OF[iface!];
      if (who === undefined || SHARED.has(iface!) || verdict === 'pass') continue;
      const target = verdict === 'allow' ? accepts : policy === '' ? noPolicy : denies;
      const k = `${who.pod}|${direction === 'ingress' ? 'tw' : 'fw'}|${policy}`;
      target.set(k, (target.get(k) ?? 0) + value.packets);
    }
    const actualSeed = (family: string): Map<string, number> => {
      const out = new Map<string, number>();
      for (const { labels, value } of samples(text, family)) {
        if (value === 0 || SHARED.has(Object.entries(POD_OF).find(([, who]) => who.pod === labels.pod)?.[0] ?? '')) continue;
        assert.equal(labels.pod_namespace, Object.values(POD_OF).find((who) => who.pod === labels.pod)?.namespace);
        out.set(`${labels.pod}|${labels.type}|${labels.policy ?? ''}`, value);
      }
      return out;
    };
    assert.deepEqual(new Map([...actualSeed('policy_accept_counter')].sort()), new Map([...accepts].sort()), 'policy_accept_counter');
    assert.deepEqual(new Map([...actualSeed('policy_accept_drop_counter')].sort()), new Map([...denies].sort()), 'policy_accept_drop_counter');
    assert.deepEqual(new Map([...actualSeed('no_policy_drop_counter')].sort()), new Map([...noPolicy].sort()), 'no_policy_drop_counter');
  }

  const cases: Array<{ name: string; scenario: Scenario; backends: Backend[] }> = [
    { name: 'Calico 3.26', scenario: classic('3.26'), backends: ['iptables-legacy'] },
    { name: 'Calico 3.27', scenario: classic('3.27'), backends: ['iptables-nft'] },
    { name: 'Calico 3.28 (policy groups)', scenario: classic('3.28'), backends: ['iptables-legacy', 'iptables-nft'] },
    { name: 'Calico 3.29 (tiers, nftables mode hashing at 28)', scenario: tiered('3.29'), backends: ['iptables-nft', 'nft'] },
    { name: 'Calico 3.30 (flow logs: NFLOG rules, staged policies)', scenario: tiered('3.30', { flowLogs: true }), backends: ['iptables-legacy', 'nft'] },
    { name: 'Calico 3.31 (Reject, a non-default mark mask)', scenario: tiered('3.31', { denyAction: 'Reject', marks: { accept: 0x1000000, pass: 0x2000000, drop: 0x4000000, scratch0: 0x8000000 } }), backends: ['iptables-nft', 'nft'] },
    { name: 'Calico 3.32 (kind-named chains, ClusterNetworkPolicy)', scenario: tiered('3.32', { flowLogs: true }), backends: ['iptables-nft', 'nft'] },
  ];

  test('a policy keeps its series when Felix starts grouping it (3.27 inline, 3.28 in a group chain): the same label sets', async () => {
    const labelSets = async (scenario: Scenario): Promise<string[]> => {
      const rendered = expectationOf(scenario);
      const netns = world.namespace();
      load(netns, 'iptables-legacy', rendered);
      const { accountant: instance, metrics } = accountant(netns, 'iptables-legacy');
      await instance.start();
      const text = await metrics.render('text');
      await instance.stop();
      return ['flowlens_policy_packets_total', 'policy_accept_counter'].flatMap((family) => samples(text, family).map((sample) => `${family} ${JSON.stringify(sample.labels)}`)).sort();
    };
    const inline = await labelSets(classic('3.27'));
    const grouped = await labelSets(classic('3.28'));
    assert.deepEqual(grouped, inline);
    assert.ok(inline.some((set) => set.includes('default/knp.default.allow-web')) && inline.some((set) => set.includes('default/knp.default.allow-tls')));
  });

  for (const { name, scenario, backends } of cases) {
    for (const backend of backends) {
      test(`${name} via ${backend}: every series as the model says`, async () => {
        // ip6tables-nft-restore (iptables 1.8.9) ignores -c: with that backend the IPv6 rules load with zero counters.
        const model = { ...scenario, nft: backend === 'nft', packets: backend === 'iptables-nft' ? scenario.packets.filter((packet) => (packet.family ?? 4) === 4) : scenario.packets };
        const rendered = expectationOf(model);
        const netns = world.namespace();
        load(netns, backend, rendered);
        const { accountant: instance, metrics } = accountant(netns, backend);
        await instance.start();
        const text = await metrics.render('text');
        compare(text, rendered.expected);
        const lint = promtoolCheck(text);
        assert.ok(lint.status === 0 || lint.status === 3, lint.problems.join('\n'));
        // A later scrape with three times the traffic: exact again, and nothing went backwards.
        const later = expectationOf(more(model, 3));
        load(netns, backend, later);
        const next = await metrics.render('text');
        compare(next, later.expected);
        for (const family of ['flowlens_policy_packets_total', 'flowlens_policy_bytes_total', 'policy_accept_counter']) {
          const before = new Map(samples(text, family).map((s) => [JSON.stringify(s.labels), s.value]));
          for (const sample of samples(next, family)) assert.ok(sample.value >= (before.get(JSON.stringify(sample.labels)) ?? 0), `${family} ${JSON.stringify(sample.labels)} went backwards`);
        }
        await instance.stop();
      });
    }
  }
});
