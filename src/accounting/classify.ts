import { Apportioner } from './apportion.js';
import type { Chain, Rule, Ruleset } from './ruleset.js';

// Felix's endpoint chains read by their comments and their mark matches, for
// every layout of Calico 3.26-3.32 (projectcalico/calico felix/rules/
// endpoints.go and policy.go at those tags):
//
//   cali-tw-<iface> / cali-fw-<iface>      workload, to (ingress) / from (egress)
//   cali-th-, cali-thfw- / cali-fh-, cali-fhfw-   host endpoint, egress / ingress
//
// An endpoint chain holds, in order: conntrack rules (RELATED,ESTABLISHED
// accepted; INVALID denied), marks cleared, (from workloads) encapsulated
// packets denied, then per tier a "Start of tier" rule (3.26-3.27: "Start of
// policies"; 3.28: none), per policy or policy group a jump guarded by "pass
// mark clear" followed by "Return if policy accepted", and at the tier's end
// the "[End of tier <t>. ]Drop|Reject if no policies passed packet" rule
// (none when the tier's default action is Pass); then profiles.
//
// Counters are per rule, so per endpoint:
// - accepted by a policy = its "Return if policy accepted" rule;
// - decided otherwise (denied or passed) = packets into its jump, minus the
//   accepted, minus those the next pass-guarded rule of the tier saw (they
//   left the policy without a verdict). After the tier's last policy, with no
//   such rule, the next unguarded rule sees the tier's passes plus the
//   undecided, which still pins the denies exactly;
// - denied versus passed: the policy chain's own rules say which it can do;
//   when it can do both, or the chain is a policy group (one chain jumping to
//   each member policy, 3.28+), the exact per-endpoint count is split in
//   proportion to the node-wide counts of the chains' own rules (exact when
//   the chain serves one endpoint; see apportion.ts).
//
// Other drops (conntrack INVALID, encapsulation from workloads, admin-down
// endpoints, no profile matched, rate limits, unknown interfaces) are counted
// by reason. Policy names are read from the policy chains themselves, so no
// datastore is needed.

export type Direction = 'ingress' | 'egress';
export type EndpointType = 'workload' | 'host';
export type Verdict = 'allow' | 'deny' | 'pass';

export interface Tally {
  packets: bigint;
  bytes: bigint;
}

export interface VerdictCount extends Tally {
  readonly policy: string;
  readonly tier: string;
  readonly verdict: Verdict;
}

export interface EndpointCounts {
  readonly type: EndpointType;
  readonly iface: string;
  /** tw, fw, th, fh, thfw, fhfw. */
  readonly chain: string;
  readonly direction: Direction;
  /** By tier, policy and verdict. */
  readonly verdicts: Map<string, VerdictCount>;
  /** "No policies passed" drops by tier; undefined when the chain has no such rule (a profile-only endpoint). */
  noPolicy: Map<string, Tally> | undefined;
  /** Drops before or after policy, by reason. */
  readonly drops: Map<string, Tally>;
}

export interface NodeDrop extends Tally {
  readonly reason: string;
  readonly direction: Direction;
}

export interface Classified {
  readonly endpoints: EndpointCounts[];
  /** Drops in Felix's node-wide chains (dispatch, host input), by reason and direction. */
  readonly nodeDrops: NodeDrop[];
  /** Endpoint chains whose derived denies and passes were left out: a rule of theirs could not be read. */
  readonly unbalanced: number;
  /** Verdict counts split from a shared chain's counts (not exact per endpoint). */
  readonly apportioned: number;
}

export interface ClassifyOptions {
  /** Names a hashed policy chain that carries no readable comment. */
  readonly hashedName?: (chain: string, comment: string | undefined) => string | undefined;
  /** Keeps apportioned counts monotone across scrapes (one per address family). */
  readonly apportioner?: Apportioner;
  /** `table/chain` of chains that lost rules in parsing. */
  readonly damaged?: ReadonlySet<string>;
}

const ENDPOINT_CHAIN = /^cali-(tw|fw|thfw|fhfw|th|fh)-(.+)$/;
const POLICY_CHAIN = /^cali-p[io]-/;
const GROUP_CHAIN = /^cali-g[io]-/;
const NO_POLICY = /^(?:End of tier (.+)\. )?(?:Drop|Reject) if no policies passed packet$/;
const START_OF_TIER = /^Start of tier (.+)$/;
const ACCEPT_RETURN = 'Return if policy accepted';

const ENDPOINT_KINDS: Readonly<Record<string, { type: EndpointType; direction: Direction }>> = {
  tw: { type: 'workload', direction: 'ingress' },
  fw: { type: 'workload', direction: 'egress' },
  th: { type: 'host', direction: 'egress' },
  thfw: { type: 'host', direction: 'egress' },
  fh: { type: 'host', direction: 'ingress' },
  fhfw: { type: 'host', direction: 'ingress' },
};

/** Felix's drops outside policy, by the comment (or match) that marks them. */
const ENDPOINT_DROPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Endpoint admin disabled$/, 'endpoint_admin_down'],
  [/VXLAN encapped packets originating in workloads$/, 'vxlan_from_workload'],
  [/IPinIP encapped packets originating in workloads$/, 'ipip_from_workload'],
  [/packet rate limit$/, 'packet_rate_limit'],
  [/connection limit$/, 'connection_limit'],
  [/if no profiles matched$/, 'no_profile_matched'],
];
const NODE_DROPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Unknown interface$/, 'unknown_interface'],
  [/^Unknown endpoint$/, 'unknown_endpoint'],
  [/IPIP packets from non-Calico hosts$/, 'ipip_from_unknown_host'],
  [/VXLAN packets from non-allowed hosts$/, 'vxlan_from_unknown_host'],
];

const isDeny = (rule: Rule): boolean => rule.target === 'DROP' || rule.target === 'REJECT';

/** `cali-pi-`, `cali-po-`, `cali-gi-`, `cali-go-` (the regexes, without running them on every rule). */
function isPolicyOrGroup(target: string): boolean {
  if (target.length < 9 || target.charCodeAt(7) !== 45 || !target.startsWith('cali-')) return false;
  const kind = target.charCodeAt(5);
  const direction = target.charCodeAt(6);
  return (kind === 112 || kind === 103) && (direction === 105 || direction === 111);
}

function dropReason(rule: Rule, table: ReadonlyArray<readonly [RegExp, string]>): string | undefined {
  if (!isDeny(rule)) return undefined;
  if (table === ENDPOINT_DROPS && rule.ctstate === 'INVALID') return 'conntrack_invalid';
  for (const text of rule.comments) {
    for (const [pattern, reason] of table) if (pattern.test(text)) return reason;
  }
  return undefined;
}

/** Per endpoint chain of the filter table: verdicts by policy, no-policy drops by tier, other drops by reason. */
export function classify(ruleset: Ruleset, options: ClassifyOptions = {}): Classified {
  const filter = ruleset.get('filter');
  const out: EndpointCounts[] = [];
  const nodeDrops = new Map<string, NodeDrop>();
  if (filter === undefined) return { endpoints: out, nodeDrops: [], unbalanced: 0, apportioned: 0 };
  const graph = new ChainGraph(ruleset, options.hashedName ?? (() => undefined));
  const apportioner = options.apportioner ?? new Apportioner();
  const damaged = options.damaged ?? new Set<string>();
  let unbalanced = 0;
  let apportioned = 0;
  for (const chain of filter.chains.values()) {
    const match = ENDPOINT_CHAIN.exec(chain.name);
    if (match === null) {
      if (!chain.name.startsWith('cali-')) continue;
      const direction: Direction = /from-wl|-fw|from-hep/.test(chain.name) ? 'egress' : 'ingress';
      for (const rule of chain.rules) {
        const reason = dropReason(rule, NODE_DROPS);
        if (reason === undefined) continue;
        const key = `${reason}\u0000${direction}`;
        const entry = nodeDrops.get(key) ?? { reason, direction, packets: 0n, bytes: 0n };
        add(entry, rule);
        nodeDrops.set(key, entry);
      }
      continue;
    }
    const kind = ENDPOINT_KINDS[match[1]!]!;
    const counts: EndpointCounts = { type: kind.type, direction: kind.direction, iface: match[2]!, chain: match[1]!, verdicts: new Map(), noPolicy: undefined, drops: new Map() };
    const walked = walk(chain, graph);
    for (const [reason, rule] of walked.drops) tally(counts.drops, reason, rule);
    for (const [tier, rule] of walked.noPolicy) {
      counts.noPolicy ??= new Map();
      tally(counts.noPolicy, tier, rule);
    }
    const balanced = damaged.size === 0 || ![chain.name, ...walked.tiers.flatMap((tier) => tier.units.flatMap((unit) => [unit.target, ...graph.members(unit.target)]))].some((name) => damaged.has(`filter/${name}`));
    if (!balanced) unbalanced++;
    apportioned += attribute(counts, walked.tiers, graph, apportioner, chain.name, balanced);
    out.push(counts);
  }
  apportioner.sweep();
  return { endpoints: out, nodeDrops: [...nodeDrops.values()], unbalanced, apportioned };
}

function add(tally: Tally, rule: Tally): void {
  tally.packets += rule.packets;
  tally.bytes += rule.bytes;
}

function tally(into: Map<string, Tally>, key: string, rule: Tally): void {
  const entry = into.get(key) ?? { packets: 0n, bytes: 0n };
  add(entry, rule);
  into.set(key, entry);
}

// ---- walking an endpoint chain ----------------------------------------------------

interface Unit {
  /** The policy or group chain jumped to. */
  readonly target: string;
  readonly jump: Rule;
  accept?: Rule;
  /** The first rule after this policy: pass-guarded (sees the undecided only) or not (sees the passed too). */
  follower?: { rule: Rule; guarded: boolean };
}

interface TierSegment {
  readonly name: string;
  readonly units: Unit[];
  /** The tier ends in a no-policy drop (its default action is not Pass). */
  endDrop: boolean;
  /** The first rule after the tier: it sees the tier's passes (and, without an end drop, the undecided). */
  exit?: Rule;
}

interface Walked {
  readonly tiers: TierSegment[];
  readonly noPolicy: Array<readonly [string, Rule]>;
  readonly drops: Array<readonly [string, Rule]>;
}

function tierStart(rule: Rule): string | undefined {
  for (const text of rule.comments) {
    if (!text.startsWith('Start of ')) continue;
    if (text === 'Start of policies') return 'default';
    const match = START_OF_TIER.exec(text);
    if (match) return match[1];
  }
  return undefined;
}

function noPolicyTier(rule: Rule): string | null | undefined {
  if (!isDeny(rule)) return undefined;
  for (const text of rule.comments) {
    const match = NO_POLICY.exec(text);
    if (match) return match[1] ?? null;
  }
  return undefined;
}

function walk(chain: Chain, graph: ChainGraph): Walked {
  const tiers: TierSegment[] = [];
  const noPolicy: Array<readonly [string, Rule]> = [];
  const drops: Array<readonly [string, Rule]> = [];
  let tier: TierSegment | undefined;
  const last = (): Unit | undefined => tier?.units[tier.units.length - 1];
  const follow = (rule: Rule, guarded: boolean): void => {
    const unit = last();
    if (unit !== undefined && unit.follower === undefined) unit.follower = { rule, guarded };
    if (!guarded && tier !== undefined) tier.exit ??= rule;
  };
  for (const rule of chain.rules) {
    const start = rule.target === 'MARK' ? tierStart(rule) : undefined; // a tier starts by clearing the pass mark
    if (start !== undefined) {
      follow(rule, false);
      tiers.push((tier = { name: start, units: [], endDrop: false }));
      continue;
    }
    if (isPolicyOrGroup(rule.target)) {
      if (tier === undefined) tiers.push((tier = { name: 'default', units: [], endDrop: false })); // 3.28: no tier start rule
      follow(rule, true);
      tier.units.push({ target: rule.target, jump: rule });
      continue;
    }
    if (tier !== undefined) {
      const unit = last();
      if (rule.comments.includes(ACCEPT_RETURN)) {
        if (unit !== undefined && unit.accept === undefined && unit.follower === undefined) unit.accept = rule;
        continue;
      }
      const dropTier = noPolicyTier(rule);
      if (dropTier !== undefined) {
        noPolicy.push([dropTier ?? tier.name, rule]);
        tier.endDrop = true;
        follow(rule, true);
        continue;
      }
      if (graph.passGuarded(rule)) {
        follow(rule, true); // the end-of-tier NFLOG rules
        continue;
      }
      follow(rule, false);
      tier = undefined; // profiles, or the end of the policies
    }
    const reason = dropReason(rule, ENDPOINT_DROPS);
    if (reason !== undefined) drops.push([reason, rule]);
  }
  return { tiers, noPolicy, drops };
}

// ---- attributing verdicts ------------------------------------------------------------

type Field = 'packets' | 'bytes';

/** A policy chain a unit's verdict can come from (the arrays of UnitView say which verdict). */
interface Category {
  readonly chain: string;
  /** Node-wide weight, per field. */
  readonly weight: Tally;
}

const max0 = (value: bigint): bigint => (value < 0n ? 0n : value);
const sum = (values: readonly bigint[]): bigint => values.reduce((a, b) => a + b, 0n);

/**
 * Fills `counts.verdicts` from the tiers' units; returns how many verdict
 * counts were apportioned. Per tier and field:
 * - each unit's accepts are its "Return if policy accepted" rule;
 * - each unit's decided-otherwise count (denied + passed) is exact when the
 *   next rule is pass-guarded;
 * - a tier with a no-policy drop: the first rule after the tier sees exactly
 *   the tier's passes, which settles deny versus pass for the one unit that
 *   can do both;
 * - a tier without one (default action Pass): that rule sees the passes plus
 *   the last unit's undecided, which still settles the last unit's denies;
 * - what stays open is split by the chains' node-wide counts.
 */
function attribute(counts: EndpointCounts, tiers: readonly TierSegment[], graph: ChainGraph, apportioner: Apportioner, chainName: string, balanced: boolean): number {
  let apportioned = 0;
  // By policy chain (each belongs to one tier), then verdict: no key strings built per count.
  const byChain = new Map<string, { tier: string; verdicts: Partial<Record<Verdict, Tally>> }>();
  const record = (chain: string, tier: string, verdict: Verdict, field: Field, value: bigint): void => {
    let entry = byChain.get(chain);
    if (entry === undefined) byChain.set(chain, (entry = { tier, verdicts: {} }));
    const tally = (entry.verdicts[verdict] ??= { packets: 0n, bytes: 0n });
    tally[field] += value;
  };
  tiers.forEach((tier, tierIndex) => {
    const views = tier.units.map((unit) => graph.unit(unit.target));
    for (const field of ['packets', 'bytes'] as const) {
      const key = `${chainName}|${tierIndex}|${field}`;
      const units = tier.units.map((unit, index) => ({ unit, view: views[index]!, jumped: unit.jump[field], accepted: unit.accept?.[field] ?? 0n }));
      /** Splits `total` by `weights`, monotonically; counts it as apportioned when a shared chain's weights really split it. */
      const split = (name: string, total: bigint, weights: readonly bigint[], shared: boolean): bigint[] => {
        if (weights.length === 1) return [max0(total)]; // one category: nothing to apportion
        if (field === 'packets' && shared && total > 0n && weights.filter((weight) => weight > 0n).length > 1) apportioned++;
        return apportioner.split(`${key}|${name}`, max0(total), weights);
      };
      const weight = (categories: readonly Category[]): bigint => sum(categories.map((category) => category.weight[field]));
      units.forEach(({ unit, view, accepted }, index) => {
        split(`${index}|allow`, accepted, view.accepts.map((category) => category.weight[field]), view.shared).forEach((value, i) => record(view.accepts[i]!.chain, tier.name, 'allow', field, value));
      });
      if (!balanced || units.length === 0) continue; // a rule could not be read: no derived counts
      if (units.every(({ view }) => view.denies.length === 0 && view.passes.length === 0)) continue; // allow-only policies (most Kubernetes ones): nothing else to derive
      const denied = units.map(() => 0n);
      const passed = units.map(() => 0n);
      const decided = units.map(({ unit, jumped, accepted }) => (unit.follower?.guarded ? max0(jumped - accepted - unit.follower.rule[field]) : undefined));
      const exit = tier.exit?.[field];
      /** A unit's decided count by what its chains can do; both: split by their node-wide counts. */
      const byCapability = (index: number, total: bigint): void => {
        const { view } = units[index]!;
        const canDeny = view.denies.length > 0;
        const canPass = view.passes.length > 0;
        if (canDeny && canPass) [denied[index], passed[index]] = split(`${index}|decided`, total, [weight(view.denies), weight(view.passes)], view.shared) as [bigint, bigint];
        else if (canDeny) denied[index] = total;
        else if (canPass) passed[index] = total;
      };
      if (tier.endDrop && exit !== undefined && decided.every((value) => value !== undefined)) {
        let passLeft = exit;
        const both: number[] = [];
        units.forEach(({ view }, index) => {
          if (view.denies.length > 0 && view.passes.length > 0) both.push(index);
          else {
            byCapability(index, decided[index]!);
            passLeft -= passed[index]!;
          }
        });
        const shares = both.length <= 1 ? [max0(passLeft)] : split('passes', passLeft, both.map((index) => weight(units[index]!.view.passes)), true);
        both.forEach((index, i) => {
          const total = decided[index]!;
          passed[index] = shares[i]! > total ? total : shares[i]!;
          denied[index] = total - passed[index]!;
        });
      } else {
        const last = units.length - 1;
        units.forEach(({ unit, view, jumped, accepted }, index) => {
          if (decided[index] !== undefined) return byCapability(index, decided[index]!);
          if (index !== last) return;
          if (unit.follower !== undefined) {
            // The next rule saw this tier's passes and the undecided: the denies are what is left.
            const continuing = max0(unit.follower.rule[field] - sum(passed.slice(0, last)));
            denied[index] = max0(jumped - accepted - continuing);
            if (view.passes.length > 0) passed[index] = split(`${index}|pass`, continuing, [weight(view.passes), view.undecided[field]], view.shared)[0]!;
          } else {
            const [deny, pass] = split(`${index}|rest`, jumped - accepted, [weight(view.denies), weight(view.passes), view.undecided[field]], view.shared);
            denied[index] = view.denies.length > 0 ? deny! : 0n;
            passed[index] = view.passes.length > 0 ? pass! : 0n;
          }
        });
      }
      // Each unit's denies and passes among its policies (a group's members).
      units.forEach(({ view }, index) => {
        for (const [verdict, categories, total] of [['deny', view.denies, denied[index]!], ['pass', view.passes, passed[index]!]] as const) {
          if (categories.length === 0 || total === 0n) continue;
          split(`${index}|${verdict}`, total, categories.map((category) => category.weight[field]), view.shared).forEach((value, i) => record(categories[i]!.chain, tier.name, verdict, field, value));
        }
      });
    }
  });
  for (const [chain, { tier, verdicts }] of byChain) {
    const policy = graph.names.label(chain, tier);
    for (const verdict of ['allow', 'deny', 'pass'] as const) {
      const tally = verdicts[verdict];
      if (tally === undefined || (verdict !== 'allow' && tally.packets === 0n && tally.bytes === 0n)) continue;
      const key = `${tier}\u0000${policy}\u0000${verdict}`;
      const entry = counts.verdicts.get(key);
      if (entry === undefined) counts.verdicts.set(key, { policy, tier, verdict, packets: tally.packets, bytes: tally.bytes });
      else add(entry, tally);
    }
  }
  return apportioned;
}

// ---- the node's policy and group chains ----------------------------------------------

interface PolicySummary {
  readonly accept: Tally;
  readonly deny: Tally;
  readonly pass: Tally;
  readonly canDeny: boolean;
  readonly canPass: boolean;
}

/** A jump target seen from an endpoint chain: its verdict categories with node-wide weights. */
interface UnitView {
  readonly accepts: Category[];
  readonly denies: Category[];
  readonly passes: Category[];
  /** Node-wide packets that left without a verdict. */
  readonly undecided: Tally;
  /** More than one endpoint (or group) feeds these chains: splits are proportional, not exact. */
  readonly shared: boolean;
}

const zero = (): Tally => ({ packets: 0n, bytes: 0n });
const minus = (a: Tally, ...rest: Tally[]): Tally => {
  const out = { ...a };
  for (const b of rest) {
    out.packets -= b.packets;
    out.bytes -= b.bytes;
  }
  if (out.packets < 0n) out.packets = 0n;
  if (out.bytes < 0n) out.bytes = 0n;
  return out;
};
const scale = (value: Tally, part: Tally, whole: Tally): Tally => ({
  packets: whole.packets === 0n ? 0n : (value.packets * part.packets) / whole.packets,
  bytes: whole.bytes === 0n ? 0n : (value.bytes * part.bytes) / whole.bytes,
});

class ChainGraph {
  readonly names: PolicyNames;
  private readonly chains: Map<string, Chain>;
  /** Packets into each policy or group chain, over every jump to it, and how many jumps there are. */
  private readonly inflow = new Map<string, { tally: Tally; users: number }>();
  private readonly acceptBit: number;
  private readonly passBit: number;
  private readonly summaries = new Map<string, PolicySummary>();
  private readonly views = new Map<string, UnitView>();

  constructor(ruleset: Ruleset, hashedName: (chain: string, comment: string | undefined) => string | undefined) {
    this.chains = ruleset.get('filter')?.chains ?? new Map();
    this.names = new PolicyNames(this.chains, hashedName);
    let acceptBit = 0;
    let passBit = 0;
    for (const chain of this.chains.values()) {
      const endpoint = ENDPOINT_CHAIN.test(chain.name);
      for (const rule of chain.rules) {
        if (isPolicyOrGroup(rule.target)) {
          const entry = this.inflow.get(rule.target) ?? { tally: zero(), users: 0 };
          add(entry.tally, rule);
          entry.users++;
          this.inflow.set(rule.target, entry);
          if (endpoint && passBit === 0 && rule.mark && !rule.mark.negated && rule.mark.value === 0) passBit = rule.mark.mask;
        }
        if (endpoint && acceptBit === 0 && rule.mark && rule.mark.value !== 0 && rule.comments.includes(ACCEPT_RETURN)) acceptBit = rule.mark.value;
      }
    }
    // Felix's default mark bits when no rule shows them (no policy applies anywhere).
    this.acceptBit = acceptBit || 0x10000;
    this.passBit = passBit || 0x20000;
  }

  /** A rule matching "pass mark clear": it sees only packets no policy of the tier decided. */
  passGuarded(rule: Rule): boolean {
    return rule.mark !== undefined && !rule.mark.negated && rule.mark.value === 0 && (rule.mark.mask & this.passBit) !== 0;
  }

  /** The member policy chains of a group chain (none for a policy chain). */
  members(target: string): string[] {
    return this.memberJumps(target).map((rule) => rule.target);
  }

  /** A group chain's jump to each member policy chain, the first per member (none for a policy chain). */
  private memberJumps(target: string): Rule[] {
    if (!GROUP_CHAIN.test(target)) return [];
    const jumps = new Map<string, Rule>();
    for (const rule of this.chains.get(target)?.rules ?? []) if (POLICY_CHAIN.test(rule.target) && !jumps.has(rule.target)) jumps.set(rule.target, rule);
    return [...jumps.values()];
  }

  private summary(name: string): PolicySummary {
    let summary = this.summaries.get(name);
    if (summary === undefined) {
      const out = { accept: zero(), deny: zero(), pass: zero(), canDeny: false, canPass: false };
      for (const rule of this.chains.get(name)?.rules ?? []) {
        if (isDeny(rule)) {
          add(out.deny, rule);
          out.canDeny = true;
        } else if (rule.setMark !== undefined && (rule.setMark.set & this.acceptBit) !== 0) {
          add(out.accept, rule);
        } else if (rule.setMark !== undefined && (rule.setMark.set & this.passBit) !== 0) {
          add(out.pass, rule);
          out.canPass = true;
        }
      }
      this.summaries.set(name, (summary = out));
    }
    return summary;
  }

  unit(target: string): UnitView {
    let view = this.views.get(target);
    if (view !== undefined) return view;
    const inflow = (name: string): { tally: Tally; users: number } => this.inflow.get(name) ?? { tally: zero(), users: 0 };
    if (!GROUP_CHAIN.test(target)) {
      const summary = this.summary(target);
      view = {
        accepts: [{ chain: target, weight: summary.accept }],
        denies: summary.canDeny ? [{ chain: target, weight: summary.deny }] : [],
        passes: summary.canPass ? [{ chain: target, weight: summary.pass }] : [],
        undecided: minus(inflow(target).tally, summary.accept, summary.deny, summary.pass),
        shared: inflow(target).users > 1,
      };
    } else {
      // A group: each member's node-wide counts, scaled to the share of its packets that came through this group.
      const accepts: Category[] = [];
      const denies: Category[] = [];
      const passes: Category[] = [];
      const decided = zero();
      let shared = inflow(target).users > 1;
      for (const rule of this.memberJumps(target)) {
        const summary = this.summary(rule.target);
        const whole = inflow(rule.target);
        if (whole.users > 1) shared = true;
        const accept = scale(summary.accept, rule, whole.tally);
        const deny = scale(summary.deny, rule, whole.tally);
        const pass = scale(summary.pass, rule, whole.tally);
        accepts.push({ chain: rule.target, weight: accept });
        if (summary.canDeny) denies.push({ chain: rule.target, weight: deny });
        if (summary.canPass) passes.push({ chain: rule.target, weight: pass });
        for (const verdict of [accept, deny, pass]) add(decided, verdict);
      }
      if (accepts.length === 0) accepts.push({ chain: target, weight: zero() });
      view = { accepts, denies, passes, undecided: minus(inflow(target).tally, decided), shared };
    }
    this.views.set(target, view);
    return view;
  }
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
/** A comment nftables cut short (Felix limits a rule's comment to 128 characters). */
const CUT_COMMENT = /^(?:Policy|[A-Za-z]+Policy) (\S+)$/;

class PolicyNames {
  /** By tier, then chain. */
  private readonly memo = new Map<string, Map<string, string>>();

  constructor(
    private readonly chains: Map<string, Chain>,
    private readonly hashedName: (chain: string, comment: string | undefined) => string | undefined,
  ) {}

  /** A policy chain's name in the seed's form (`default/knp.default.allow-nginx`); the chain name itself when nothing tells. */
  label(chainName: string, tier: string): string {
    let byChain = this.memo.get(tier);
    if (byChain === undefined) this.memo.set(tier, (byChain = new Map()));
    let label = byChain.get(chainName);
    if (label === undefined) byChain.set(chainName, (label = this.policy(chainName, tier)));
    return label;
  }

  private policy(chainName: string, tier: string): string {
    const first = this.chains.get(chainName)?.rules[0];
    let cut: string | undefined;
    for (const comment of first?.comments ?? []) {
      const legacy = LEGACY_COMMENT.exec(comment);
      if (legacy) return legacy[1]!;
      const kinded = KIND_COMMENT.exec(comment);
      if (kinded && KIND_PREFIX[kinded[1]!] !== undefined) return seedForm(kinded[1]!, kinded[2]!, tier);
      cut ??= CUT_COMMENT.exec(comment)?.[1];
    }
    // A readable (unhashed) chain name carries the whole name: 3.26-3.28 "<ns>/<v1 name>", 3.29-3.31
    // "<tier>/[<ns>/]<v1 name>", 3.32 "<kind>/[<ns>/]<name>" (nft mode: unhashed up to 256 characters from 3.30).
    const suffix = chainName.slice('cali-pi-'.length);
    if (!suffix.startsWith('_') && suffix !== '' && !GROUP_CHAIN.test(chainName)) return readable(suffix, tier);
    // Hashed: the cluster's policies whose chain names hash to it, or whose name the cut comment begins.
    return this.hashedName(chainName, cut) ?? (cut !== undefined ? `${cut}...` : chainName);
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

/** Whether `name` is a v1 policy name of `tier` (`<tier>.x`, `kanp.<tier>.x`, `kbanp.<tier>.x`); `ns/knp.default.x` is 3.26-3.28's namespaced form. */
function ofTier(name: string, tier: string): boolean {
  return name.startsWith(`${tier}.`) || name.startsWith(`kanp.${tier}.`) || name.startsWith(`kbanp.${tier}.`);
}

function readable(suffix: string, tier: string): string {
  const parts = suffix.split('/');
  const kind = SHORT_KINDS[parts[0]!];
  if (kind !== undefined && parts.length >= 2) return seedForm(kind, parts.slice(1).join('/'), tier);
  // 3.29-3.31: the tier leads ("default/ns/knp.default.x", "default/default.x",
  // "adminnetworkpolicy/kanp.adminnetworkpolicy.x").
  if (parts.length === 3 || (parts.length === 2 && ofTier(parts[1]!, parts[0]!))) return parts.slice(1).join('/');
  return suffix;
}
