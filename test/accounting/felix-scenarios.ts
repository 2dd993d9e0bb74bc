import type { Endpoint, Packet, Policy, Scenario, Tier, Version } from './felix-render.js';

// Model clusters for the Felix-rendered fixtures: the tiers a 3.29+ cluster
// has (adminnetworkpolicy, a custom tier, default, baselineadminnetworkpolicy),
// policies that allow, deny (explicitly, after a log rule, by a BANP default
// deny), pass, staged ones, policy groups (exclusive to one pod, and shared by
// two), a host endpoint with forward policy, dual stack, and the drops
// outside policy. Workloads are pods the tests' Kubernetes server serves.

export const LONG_ANP = `lockdown-of-the-legacy-mail-relay-${'and-its-neighbours-'.repeat(4)}until-migrated`;

export const IFACES = {
  nginx: 'calic440f455693', // default/nginx
  web: 'cali0d7763386da', // default/web-0
  api1: 'calie2366dbbe1f', // prod/api-1
  api2: 'cali92cec8330c8', // prod/api-2
  host: 'eth0',
} as const;

const allow = (port: number, proto: 'tcp' | 'udp' = 'tcp') => ({ action: 'allow' as const, port, proto });
const deny = (port: number) => ({ action: 'deny' as const, port });

function endpoints(): Endpoint[] {
  const profiles = (ns: string): string[] => [`kns.${ns}`, `ksa.${ns}.default`];
  return [
    { type: 'workload', iface: IFACES.nginx, selectors: ['all', 'app=nginx', 'app=nginx,tier=web'], profiles: profiles('default') },
    { type: 'workload', iface: IFACES.web, selectors: ['all'], profiles: profiles('default') },
    { type: 'workload', iface: IFACES.api1, selectors: ['all', 'app=api'], profiles: profiles('prod') },
    { type: 'workload', iface: IFACES.api2, selectors: ['all', 'app=api'], profiles: profiles('prod') },
    { type: 'host', iface: IFACES.host, selectors: ['host'] },
  ];
}

/** The default tier's policies, in order (Felix orders by `order`, then name). */
function defaultTier(version: Version): Policy[] {
  return [
    // Two KNPs with one selector: a policy group from 3.28, used by nginx alone.
    { kind: 'knp', namespace: 'default', name: 'allow-web', selector: 'app=nginx', ingress: [allow(80)] },
    { kind: 'knp', namespace: 'default', name: 'allow-tls', selector: 'app=nginx', ingress: [allow(443)], egress: [allow(53, 'udp')] },
    // Calico policy with an explicit deny, then an allow; a staged one that would deny 8081 (ignored from 3.30).
    { kind: 'np', namespace: 'default', name: 'deny-8080', selector: 'app=nginx,tier=web', ingress: [deny(8080), allow(8081)] },
    ...(version >= '3.30' ? [{ kind: 'np' as const, namespace: 'default', name: 'staged-lockdown', selector: 'app=nginx,tier=web', staged: true, ingress: [deny(8081)] }] : []),
    // Two KNPs shared by two pods: one group chain for both.
    { kind: 'knp', namespace: 'prod', name: 'api-a', selector: 'app=api', ingress: [allow(8080)] },
    { kind: 'knp', namespace: 'prod', name: 'api-b', selector: 'app=api', ingress: [allow(9090)] },
    // The host endpoint's policy, also for forwarded traffic.
    { kind: 'gnp', name: 'host-ssh', selector: 'host', applyOnForward: true, ingress: [allow(22), deny(6443)], egress: [allow(443)] },
  ];
}

/** Calico 3.29-3.32: four tiers. */
export function tiered(version: Version, options: Partial<Scenario> = {}): Scenario {
  const tiers: Tier[] = [
    {
      name: 'adminnetworkpolicy',
      defaultAction: 'Pass',
      // A name so long that nftables cuts the policy chain's comment (Felix keeps 128 characters).
      policies: version >= '3.32' ? [] : [{ kind: 'anp', name: 'block-telnet', selector: 'all', ingress: [deny(23)] }, { kind: 'anp', name: LONG_ANP, selector: 'app=nginx', ingress: [deny(24)] }],
    },
    {
      name: 'security',
      defaultAction: 'Deny',
      policies: [
        // "log then deny"
        { kind: 'np', namespace: 'default', name: 'log-smtp', selector: 'app=nginx', ingress: [{ action: 'log', port: 25 }, deny(25)] },
        // One chain that denies and passes, shared by every workload.
        { kind: 'gnp', name: 'guard', selector: 'all', ingress: [deny(22), { action: 'pass' }], egress: [{ action: 'pass' }] },
      ],
    },
    { name: 'default', defaultAction: 'Deny', policies: defaultTier(version) },
    {
      name: version >= '3.32' ? 'kube-baseline' : 'baselineadminnetworkpolicy',
      defaultAction: 'Pass',
      policies: [version >= '3.32' ? { kind: 'cnp', name: 'baseline', selector: 'all', ingress: [allow(8443), { action: 'deny' }] } : { kind: 'banp', name: 'default', selector: 'all', ingress: [allow(8443), { action: 'deny' }] }],
    },
  ];
  return { version, tiers, endpoints: endpoints(), packets: packets(true), unknownInterfacePackets: 3, ...options };
}

/** Calico 3.26-3.28: the default tier only; pass goes to the profiles. */
export function classic(version: Version, options: Partial<Scenario> = {}): Scenario {
  const policies: Policy[] = [{ kind: 'np', namespace: 'default', name: 'pass-9000', selector: 'app=nginx,tier=mail', ingress: [{ action: 'pass', port: 9000 }, deny(25)] }, ...defaultTier(version)];
  const scenario = { version, tiers: [{ name: 'default', defaultAction: 'Deny' as const, policies }], endpoints: endpoints(), packets: packets(false), unknownInterfacePackets: 3, ...options };
  (scenario.endpoints as Endpoint[])[0] = { ...scenario.endpoints[0]!, selectors: [...scenario.endpoints[0]!.selectors, 'app=nginx,tier=mail'] };
  return scenario;
}

function packets(tiered: boolean): Packet[] {
  const p = (iface: string, direction: 'ingress' | 'egress', port: number, count: number, extra: Partial<Packet> = {}): Packet => ({ iface, direction, proto: 'tcp', port, count, size: 60 + (port % 7), ...extra });
  const { nginx, web, api1, api2, host } = IFACES;
  return [
    p(nginx, 'ingress', 80, 5),
    p(nginx, 'ingress', 443, 3),
    p(nginx, 'ingress', 22, 2),
    p(nginx, 'ingress', 23, 4),
    p(nginx, 'ingress', 25, 1),
    p(nginx, 'ingress', 24, 2),
    p(nginx, 'ingress', 8080, 2),
    p(nginx, 'ingress', 8081, 1),
    p(nginx, 'ingress', 9000, 2),
    p(nginx, 'ingress', 9999, 3),
    p(nginx, 'ingress', 80, 10, { ct: 'established' }),
    p(nginx, 'ingress', 80, 2, { ct: 'invalid' }),
    p(nginx, 'ingress', 80, 2, { family: 6 }),
    p(nginx, 'ingress', 9999, 1, { family: 6 }),
    p(nginx, 'egress', 53, 4, { proto: 'udp' }),
    p(nginx, 'egress', 80, 2),
    p(nginx, 'egress', 4789, 1, { proto: 'udp' }),
    p(nginx, 'egress', 0, 1, { proto: 'ipip' }),
    p(web, 'ingress', 80, 3),
    p(web, 'ingress', 22, 1),
    p(web, 'ingress', 8443, 2),
    p(web, 'egress', 443, 2),
    p(api1, 'ingress', 8080, 4),
    p(api1, 'ingress', 9090, 1),
    p(api1, 'ingress', 7000, 2),
    p(api2, 'ingress', 8080, 1),
    p(api2, 'ingress', 9090, 5),
    p(host, 'ingress', 22, 3),
    p(host, 'ingress', 6443, 2),
    p(host, 'ingress', 7, 1),
    p(host, 'egress', 443, 2),
    p(host, 'ingress', 22, 1, { forward: true }),
    p(host, 'ingress', 6443, 1, { forward: true }),
    ...(tiered ? [] : [p(nginx, 'ingress', 25, 2)]),
  ];
}

/** More of the same traffic (a later scrape). */
export function more(scenario: Scenario, times: number): Scenario {
  return { ...scenario, packets: scenario.packets.map((packet) => ({ ...packet, count: packet.count * times })), unknownInterfacePackets: (scenario.unknownInterfacePackets ?? 0) * times };
}
