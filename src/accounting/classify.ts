import type { Chain, Rule, Ruleset } from './ruleset.js';

// Felix's workload chains read by their comments (never by mark bits: the mark
// mask is configurable), for every layout of Calico 3.26-3.32 (projectcalico/calico
// felix/rules/endpoints.go and policy.go at those tags):
//
// - in `cali-tw-<iface>` (to the workload: ingress) and `cali-fw-<iface>`
//   (egress), a jump to a policy chain (`cali-pi-`/`cali-po-`) or a policy
//   group (`cali-gi-`/`cali-go-`) is followed by "Return if policy
//   accepted": its counters are the packets that policy accepted for this
//   workload;
// - "[End of tier <t>. ]Drop|Reject if no policies passed packet" rules (one
//   per tier from 3.29) are summed per endpoint: packets no policy accepted;
// - tiers come from "Start of tier <t>" (3.29+) or the "End of tier" text,
//   else `default`.
//
// Policy names are read from the policy chain itself, so no datastore is
// needed: its first rule carries "Policy <name> ingress|egress" (3.26-3.31)
// or "<Kind> <ns>/<name> ingress|egress" (3.32+); names are given in the
// seed's form (`default/knp.default.allow-nginx`).

export type Direction = 'tw' | 'fw';

export interface Tally {
  packets: bigint;
  bytes: bigint;
}

export interface AcceptCount extends Tally {
  /** The seed's policy label: one name, or a group's member names sorted and joined by ",". */
  readonly policy: string;
  readonly tier: string;
}

export interface DropCount extends Tally {
  /** Per tier, for the flowlens families (the seed's sample is their sum). */
  readonly tiers: Map<string, Tally>;
}

export interface EndpointCounts {
  readonly iface: string;
  readonly direction: Direction;
  /** By policy label (a policy reached through two jumps is summed). */
  readonly accepts: Map<string, AcceptCount>;
  /** Undefined when the chain has no "no policies passed" rule (a profile-only endpoint). */
  drops: DropCount | undefined;
}

const ENDPOINT_CHAIN = /^cali-(tw|fw)-(.+)$/;
const POLICY_CHAIN = /^cali-p[io]-/;
const GROUP_CHAIN = /^cali-g[io]-/;
const NO_POLICY = /^(?:End of tier (.+)\. )?(?:Drop|Reject) if no policies passed packet$/;
const START_OF_TIER = /^Start of tier (.+)$/;

/**
 * Per endpoint chain of the filter table: accepts by policy and no-policy
 * drops. `hashedName` names a hashed policy chain that carries no comment
 * (from the policies the cluster is known to have), else the chain name stays.
 */
export function classify(ruleset: Ruleset, hashedName: (chain: string) => string | undefined = () => undefined): EndpointCounts[] {
  const filter = ruleset.get('filter');
  if (filter === undefined) return [];
  const names = new PolicyNames(ruleset, hashedName);
  const out: EndpointCounts[] = [];
  for (const chain of filter.chains.values()) {
    const match = ENDPOINT_CHAIN.exec(chain.name);
    if (match === null) continue;
    out.push(endpoint(chain, match[1] as Direction, match[2]!, names));
  }
  return out;
}

function endpoint(chain: Chain, direction: Direction, iface: string, names: PolicyNames): EndpointCounts {
  const counts: EndpointCounts = { iface, direction, accepts: new Map(), drops: undefined };
  let tier = 'default';
  let lastJump: { target: string; tier: string } | undefined;
  for (const rule of chain.rules) {
    const texts = rule.comments;
    if (texts.length < 2 && rule.target === '') continue; // the cali: hash alone, no verdict
    const start = firstMatch(texts, START_OF_TIER, 'Start of tier ');
    if (start) tier = start[1]!;
    if (POLICY_CHAIN.test(rule.target) || GROUP_CHAIN.test(rule.target)) {
      lastJump = { target: rule.target, tier };
      continue;
    }
    if (texts.some((text) => text === 'Return if policy accepted')) {
      if (lastJump === undefined) continue; // nothing to attribute it to
      const policy = names.label(lastJump.target, lastJump.tier);
      const entry = counts.accepts.get(policy) ?? { policy, tier: lastJump.tier, packets: 0n, bytes: 0n };
      add(entry, rule);
      counts.accepts.set(policy, entry);
      continue;
    }
    const drop = rule.target === 'DROP' || rule.target === 'REJECT' ? firstMatch(texts, NO_POLICY) : undefined;
    if (drop && (rule.target === 'DROP' || rule.target === 'REJECT')) {
      const dropTier = drop[1] ?? tier;
      counts.drops ??= { packets: 0n, bytes: 0n, tiers: new Map() };
      add(counts.drops, rule);
      const perTier = counts.drops.tiers.get(dropTier) ?? { packets: 0n, bytes: 0n };
      add(perTier, rule);
      counts.drops.tiers.set(dropTier, perTier);
    }
  }
  return counts;
}

function add(tally: Tally, rule: Rule): void {
  tally.packets += rule.packets;
  tally.bytes += rule.bytes;
}

/** The first comment matching `pattern` (only comments starting with `prefix` are tried). */
function firstMatch(texts: readonly string[], pattern: RegExp, prefix = ''): RegExpExecArray | undefined {
  for (const text of texts) {
    if (prefix !== '' && !text.startsWith(prefix)) continue;
    const match = pattern.exec(text);
    if (match) return match;
  }
  return undefined;
}

// ---- policy names -------------------------------------------------------------

/** Calico 3.32's kinds, as the policy chain's comment names them, to the backend name prefix of the seed's form. */
const KIND_PREFIX: Readonly<Record<string, (tier: string) => string>> = {
  KubernetesNetworkPolicy: () => 'knp.default.',
  NetworkPolicy: (tier) => `${tier}.`,
  CalicoNetworkPolicy: (tier) => `${tier}.`,
  GlobalNetworkPolicy: (tier) => `${tier}.`,
  KubernetesAdminNetworkPolicy: () => 'kanp.adminnetworkpolicy.',
  AdminNetworkPolicy: () => 'kanp.adminnetworkpolicy.',
  KubernetesBaselineAdminNetworkPolicy: () => 'kbanp.baselineadminnetworkpolicy.',
  BaselineAdminNetworkPolicy: () => 'kbanp.baselineadminnetworkpolicy.',
  KubernetesClusterNetworkPolicy: (tier) => `kcnp.${tier}.`,
  ClusterNetworkPolicy: (tier) => `kcnp.${tier}.`,
};

const LEGACY_COMMENT = /^Policy (.+) (?:ingress|egress)$/;
const KIND_COMMENT = /^([A-Za-z]+) (.+) (?:ingress|egress)$/;

class PolicyNames {
  private readonly memo = new Map<string, string>();

  constructor(
    private readonly ruleset: Ruleset,
    private readonly hashedName: (chain: string) => string | undefined,
  ) {}

  /** The label for a jump target: a policy's name, or a group's member names (sorted, joined by ","). */
  label(target: string, tier: string): string {
    const key = `${tier}\u0000${target}`;
    let label = this.memo.get(key);
    if (label === undefined) {
      if (GROUP_CHAIN.test(target)) {
        const members = this.chain(target)?.rules.filter((rule) => POLICY_CHAIN.test(rule.target)).map((rule) => this.policy(rule.target, tier)) ?? [];
        label = members.length > 0 ? [...new Set(members)].sort().join(',') : target;
      } else {
        label = this.policy(target, tier);
      }
      this.memo.set(key, label);
    }
    return label;
  }

  private chain(name: string): Chain | undefined {
    return this.ruleset.get('filter')?.chains.get(name);
  }

  /** One policy chain's name in the seed's form; the chain name itself when nothing tells. */
  private policy(chainName: string, tier: string): string {
    const first = this.chain(chainName)?.rules[0];
    for (const comment of first?.comments ?? []) {
      const legacy = LEGACY_COMMENT.exec(comment);
      if (legacy) return legacy[1]!;
      const kinded = KIND_COMMENT.exec(comment);
      if (kinded && KIND_PREFIX[kinded[1]!] !== undefined) return seedForm(kinded[1]!, kinded[2]!, tier);
    }
    // A readable (unhashed) chain name carries the name: 3.26-3.28 "<ns>/<v1 name>", 3.29-3.31
    // "<tier>/<ns>/<v1 name>", 3.32 "<kind>/<ns>/<name>" (nft mode: never hashed from 3.30).
    const suffix = chainName.slice('cali-pi-'.length);
    if (!suffix.startsWith('_') && suffix !== '') return readable(suffix, tier);
    return this.hashedName(chainName) ?? chainName;
  }
}

const SHORT_KINDS: Readonly<Record<string, string>> = {
  np: 'NetworkPolicy',
  gnp: 'GlobalNetworkPolicy',
  knp: 'KubernetesNetworkPolicy',
  kcnp: 'KubernetesClusterNetworkPolicy',
};

function seedForm(kind: string, name: string, tier: string): string {
  const slash = name.indexOf('/');
  const namespace = slash >= 0 ? name.slice(0, slash) : '';
  const bare = slash >= 0 ? name.slice(slash + 1) : name;
  const prefix = KIND_PREFIX[kind]!(tier);
  const v1 = bare.startsWith(prefix) ? bare : `${prefix}${bare}`;
  return namespace === '' ? v1 : `${namespace}/${v1}`;
}

function readable(suffix: string, tier: string): string {
  const parts = suffix.split('/');
  const kind = SHORT_KINDS[parts[0]!];
  if (kind !== undefined && parts.length >= 2) return seedForm(kind, parts.slice(1).join('/'), tier);
  // 3.29-3.31: the tier leads ("default/ns/knp.default.x" or "default/default.x").
  if (parts.length === 3 || (parts.length === 2 && parts[1]!.startsWith(`${parts[0]}.`))) return parts.slice(1).join('/');
  return suffix;
}
