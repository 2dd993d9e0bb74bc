import { createHash } from 'node:crypto';
import { lengthLimitedId, NFT_MAX } from '../../src/accounting/policy-hash.js';

// Felix's filter-table rules for a model cluster node, rendered the way
// projectcalico/calico felix/rules (endpoints.go, policy.go, static.go,
// dispatch.go) renders them at each release 3.26-3.32, as iptables-restore
// or nft text; and the rules' counters, from pushing the model's packets
// through those rules (a small netfilter evaluator: marks, jumps, gotos,
// returns, verdicts, first match wins).
//
// The expected accounting is not read from the rules: `expectation` walks
// the same packets through the *policy model* (tiers in order, policies in
// order, first matching rule; pass skips to the next tier; a tier's end
// denies unless its default action is Pass), independently of the rendering,
// and every packet's fate is checked against what the rendered rules did to
// it, so a rendering mistake fails the fixture rather than hiding in it.

export type Version = '3.26' | '3.27' | '3.28' | '3.29' | '3.30' | '3.31' | '3.32';
export const VERSIONS: readonly Version[] = ['3.26', '3.27', '3.28', '3.29', '3.30', '3.31', '3.32'];

export type Action = 'allow' | 'deny' | 'pass' | 'log';
export type Direction = 'ingress' | 'egress';

export interface PolicyRule {
  readonly action: Action;
  /** Matches TCP/UDP packets to this port; no port: every packet. */
  readonly port?: number;
  readonly proto?: 'tcp' | 'udp';
}

export type PolicyKind = 'knp' | 'np' | 'gnp' | 'anp' | 'banp' | 'cnp';

export interface Policy {
  readonly kind: PolicyKind;
  readonly name: string;
  readonly namespace?: string;
  /** Policies with one selector next to each other in a tier form a group (3.28+). */
  readonly selector: string;
  readonly staged?: boolean;
  /** Rules per direction; a policy without a direction's list does not apply in that direction. */
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
  /** Host endpoints: also applies to forwarded traffic. */
  readonly applyOnForward?: boolean;
}

export interface Tier {
  readonly name: string;
  readonly defaultAction: 'Deny' | 'Pass';
  readonly policies: readonly Policy[];
}

export interface Endpoint {
  readonly type: 'workload' | 'host';
  readonly iface: string;
  /** The selectors it matches. */
  readonly selectors: readonly string[];
  readonly adminUp?: boolean;
  /** Profile chains (workloads: kns.<ns>, which allow everything). */
  readonly profiles?: readonly string[];
}

export interface Packet {
  readonly iface: string;
  readonly direction: Direction;
  /** Host endpoints: forwarded through the host (cali-thfw-/cali-fhfw-) rather than to or from it. */
  readonly forward?: boolean;
  readonly proto: 'tcp' | 'udp' | 'ipip';
  readonly port: number;
  readonly ct?: 'new' | 'invalid' | 'established';
  readonly count: number;
  /** Bytes per packet. */
  readonly size: number;
  readonly family?: 4 | 6;
}

export interface Marks {
  readonly accept: number;
  readonly pass: number;
  readonly drop: number;
  readonly scratch0: number;
}
export const DEFAULT_MARKS: Marks = { accept: 0x10000, pass: 0x20000, drop: 0x40000, scratch0: 0x80000 };

export interface Scenario {
  readonly version: Version;
  readonly nft?: boolean;
  readonly flowLogs?: boolean;
  readonly denyAction?: 'Drop' | 'Reject';
  readonly marks?: Marks;
  readonly tiers: readonly Tier[];
  readonly endpoints: readonly Endpoint[];
  readonly packets: readonly Packet[];
  /** Packets to interfaces no endpoint has (the dispatch chain's "Unknown interface" drop). */
  readonly unknownInterfacePackets?: number;
}

// ---- the rendered form ------------------------------------------------------------

interface Match {
  readonly mark?: { value: number; mask: number; negated?: boolean };
  readonly ctstate?: 'RELATED,ESTABLISHED' | 'INVALID';
  readonly proto?: 'tcp' | 'udp' | 'ipip';
  readonly port?: number;
  readonly iface?: string;
}

type RuleAction =
  | { type: 'jump' | 'goto'; target: string }
  | { type: 'return' | 'accept' | 'drop' | 'reject' | 'none' }
  | { type: 'mark'; set: number; clear: number }
  | { type: 'nflog'; prefix: string }
  | { type: 'log' };

export interface RenderedRule {
  readonly match: Match;
  readonly action: RuleAction;
  readonly comments: string[];
  packets: number;
  bytes: number;
}

export type Chains = Map<string, RenderedRule[]>;

const rule = (match: Match, action: RuleAction, ...comments: string[]): RenderedRule => ({ match, action, comments, packets: 0, bytes: 0 });
const NONE: Match = {};

/** Felix's names for a policy at a version. */
export function policyNames(policy: Policy, tier: string, version: Version): { v1: string; seed: string; id: string; comment: string } {
  const ns = policy.namespace;
  const v1Bare = { knp: `knp.default.${policy.name}`, np: `${tier}.${policy.name}`, gnp: `${tier}.${policy.name}`, anp: `kanp.adminnetworkpolicy.${policy.name}`, banp: `kbanp.baselineadminnetworkpolicy.${policy.name}`, cnp: `kcnp.${tier}.${policy.name}` }[policy.kind];
  const v1 = ns ? `${ns}/${v1Bare}` : v1Bare;
  const kind = { knp: 'KubernetesNetworkPolicy', np: 'NetworkPolicy', gnp: 'GlobalNetworkPolicy', anp: 'KubernetesAdminNetworkPolicy', banp: 'KubernetesBaselineAdminNetworkPolicy', cnp: 'KubernetesClusterNetworkPolicy' }[policy.kind];
  const short = { knp: 'knp', np: 'np', gnp: 'gnp', anp: 'kanp', banp: 'kbanp', cnp: 'kcnp' }[policy.kind];
  if (version === '3.32') {
    return { v1, seed: v1, id: ns ? `${short}/${ns}/${policy.name}` : `${short}/${policy.name}`, comment: `${kind} ${ns ? `${ns}/` : ''}${policy.name}` };
  }
  const id = version < '3.29' ? v1 : `${tier}/${v1}`;
  return { v1, seed: v1, id, comment: `Policy ${v1}` };
}

export class Renderer {
  readonly chains: Chains = new Map();
  private readonly marks: Marks;
  private readonly deny: RuleAction;
  private readonly denyText: string;
  private readonly v: Version;
  private readonly nft: boolean;

  constructor(private readonly scenario: Scenario) {
    this.marks = scenario.marks ?? DEFAULT_MARKS;
    this.deny = { type: scenario.denyAction === 'Reject' ? 'reject' : 'drop' };
    this.denyText = scenario.denyAction ?? 'Drop';
    this.v = scenario.version;
    this.nft = scenario.nft ?? false;
    this.render();
  }

  private get maxName(): number {
    return this.nft && this.v >= '3.30' ? NFT_MAX : 28;
  }

  private set(bit: number): RuleAction {
    return { type: 'mark', set: bit, clear: 0 };
  }

  private clear(bits: number): RuleAction {
    return { type: 'mark', set: 0, clear: bits };
  }

  private clearMatch(bits: number): Match {
    return { mark: { value: 0, mask: bits } };
  }

  private bitMatch(bit: number): Match {
    return { mark: { value: bit, mask: bit } };
  }

  policyChain(policy: Policy, tier: string, direction: Direction): string {
    return lengthLimitedId(direction === 'ingress' ? 'cali-pi-' : 'cali-po-', policyNames(policy, tier, this.v).id, this.maxName);
  }

  private groupChain(tier: string, members: readonly Policy[], direction: Direction): string {
    const hash = createHash('sha3-224');
    for (const part of [members[0]!.selector, direction === 'ingress' ? 'inbound' : 'outbound', String(members.length), ...members.map((p) => `${this.v < '3.32' ? `${tier}/` : ''}${p.name}`)]) hash.update(`${part}\n`);
    return `${direction === 'ingress' ? 'cali-gi-' : 'cali-go-'}${hash.digest('base64url').slice(0, 20)}`;
  }

  private render(): void {
    const { tiers, endpoints } = this.scenario;
    for (const tier of tiers) {
      for (const policy of tier.policies) {
        if (policy.staged && this.v >= '3.30') continue; // staged policies get no chains
        for (const direction of ['ingress', 'egress'] as const) {
          const rules = policy[direction];
          if (rules === undefined) continue;
          this.chains.set(this.policyChain(policy, tier.name, direction), this.policyRules(policy, tier.name, direction, rules));
        }
      }
    }
    const dispatch: RenderedRule[] = [];
    for (const endpoint of endpoints) {
      const kinds = endpoint.type === 'workload' ? (['tw', 'fw'] as const) : (['th', 'fh', 'thfw', 'fhfw'] as const);
      for (const kind of kinds) {
        const direction: Direction = kind === 'tw' || kind === 'fh' || kind === 'fhfw' ? 'ingress' : 'egress';
        this.chains.set(`cali-${kind}-${endpoint.iface}`, this.endpointRules(endpoint, kind, direction));
      }
      if (endpoint.type === 'workload') dispatch.push(rule({ iface: endpoint.iface }, { type: 'goto', target: `cali-fw-${endpoint.iface}` }));
    }
    dispatch.push(rule(NONE, this.deny, 'Unknown interface'));
    this.chains.set('cali-from-wl-dispatch', dispatch);
  }

  private policyRules(policy: Policy, tier: string, direction: Direction, rules: readonly PolicyRule[]): RenderedRule[] {
    const out: RenderedRule[] = [];
    const { accept, pass, drop } = this.marks;
    for (const spec of rules) {
      const match: Match = spec.port !== undefined ? { proto: spec.proto ?? 'tcp', port: spec.port } : NONE;
      const prefix = (letter: string): string => `${letter}${direction === 'ingress' ? 'I' : 'E'}|${tier}|${policy.name}`.slice(0, 63); // Felix cuts NFLOG prefixes to 63 characters
      if (spec.action === 'log') {
        out.push(rule(match, { type: 'log' }));
        continue;
      }
      if (this.v < '3.30') {
        if (spec.action === 'deny') out.push(rule(match, this.deny));
        else {
          const bit = spec.action === 'allow' ? accept : pass;
          out.push(rule(match, this.set(bit)), rule(this.bitMatch(bit), { type: 'return' }));
        }
        continue;
      }
      const bit = spec.action === 'allow' ? accept : spec.action === 'pass' ? pass : drop;
      out.push(rule(match, this.set(bit)));
      if (this.scenario.flowLogs) out.push(rule(this.bitMatch(bit), { type: 'nflog', prefix: prefix(spec.action === 'allow' ? 'A' : spec.action === 'pass' ? 'P' : 'D') }));
      out.push(rule(this.bitMatch(bit), spec.action === 'deny' ? this.deny : { type: 'return' }));
    }
    if (this.v >= '3.28') while (out.length > 0 && out[out.length - 1]!.action.type === 'return') out.pop();
    if (out.length === 0) out.push(rule(NONE, { type: 'none' }));
    out[0]!.comments.push(`${policyNames(policy, tier, this.v).comment} ${direction}`);
    return out;
  }

  private endpointRules(endpoint: Endpoint, kind: string, direction: Direction): RenderedRule[] {
    const out: RenderedRule[] = [];
    const { accept, pass } = this.marks;
    if (endpoint.adminUp === false) return [rule(NONE, this.deny, 'Endpoint admin disabled')];
    out.push(rule({ ctstate: 'RELATED,ESTABLISHED' }, { type: 'accept' }), rule({ ctstate: 'INVALID' }, this.deny));
    if (kind === 'th' || kind === 'fh') {
      const failsafe = kind === 'th' ? 'cali-failsafe-out' : 'cali-failsafe-in';
      this.chains.set(failsafe, []);
      out.push(rule(NONE, { type: 'jump', target: failsafe }));
    }
    out.push(rule(NONE, this.clear(accept | pass)));
    if (kind === 'fw') {
      out.push(rule({ proto: 'udp', port: 4789 }, this.deny, `${this.denyText} VXLAN encapped packets originating in workloads`));
      out.push(rule({ proto: 'ipip' }, this.deny, `${this.denyText} IPinIP encapped packets originating in workloads`));
    }
    const forward = kind === 'thfw' || kind === 'fhfw';
    const applying = this.scenario.tiers
      .map((tier) => ({ tier, policies: tier.policies.filter((p) => p[direction] !== undefined && p.selector !== '' && endpoint.selectors.includes(p.selector) && (!forward || p.applyOnForward)) }))
      .filter((entry) => entry.policies.length > 0);
    if (this.v < '3.29' && applying.length > 0) {
      if (this.v < '3.28') out.push(rule(NONE, this.clear(pass), 'Start of policies'));
    }
    for (const [index, { tier, policies }] of applying.entries()) {
      if (this.v >= '3.29') out.push(rule(NONE, this.clear(pass), `Start of tier ${tier.name}`));
      const live = (p: Policy): boolean => !(p.staged && this.v >= '3.30');
      for (const group of this.groups(policies)) {
        const hasLive = group.some(live);
        const members = group.filter(live);
        const targets = this.v < '3.28' || members.length <= 1 ? members.map((p) => this.policyChain(p, tier.name, direction)) : [this.groupChainFor(tier.name, group, direction)];
        for (const target of targets) {
          out.push(rule(this.clearMatch(pass), { type: 'jump', target }));
          if (hasLive) out.push(rule(this.bitMatch(accept), { type: 'return' }, 'Return if policy accepted'));
        }
      }
      const endOfTierDrop = policies.some(live) && tier.defaultAction !== 'Pass' && (this.v >= '3.30' || index >= 0);
      if (endOfTierDrop) {
        const prefix = `DP${direction === 'ingress' ? 'I' : 'E'}|${tier.name}`;
        if (this.scenario.flowLogs && this.v >= '3.30') out.push(rule(this.clearMatch(pass), { type: 'nflog', prefix }));
        const text = this.v >= '3.30' ? `End of tier ${tier.name}. ${this.denyText} if no policies passed packet` : `${this.denyText} if no policies passed packet`;
        out.push(rule(this.clearMatch(pass), this.deny, text));
      } else if (this.scenario.flowLogs && this.v >= '3.30') {
        out.push(rule(this.clearMatch(pass), { type: 'nflog', prefix: `PP${direction === 'ingress' ? 'I' : 'E'}|${tier.name}` }));
      }
    }
    if (forward) {
      if (applying.length === 0) out.push(rule(NONE, this.set(accept), 'Allow forwarded traffic by default'), rule(NONE, { type: 'return' }, 'Return for accepted forward traffic'));
      return out;
    }
    for (const profile of endpoint.profiles ?? []) {
      const chain = lengthLimitedId(direction === 'ingress' ? 'cali-pri-' : 'cali-pro-', profile, this.maxName);
      this.chains.set(chain, [rule(NONE, this.set(accept), `Profile ${profile} ${direction}`)]);
      out.push(rule(NONE, { type: 'jump', target: chain }), rule(this.bitMatch(accept), { type: 'return' }, 'Return if profile accepted'));
    }
    if (this.scenario.flowLogs && this.v >= '3.30') out.push(rule(NONE, { type: 'nflog', prefix: `DRI|${kind}` }));
    out.push(rule(NONE, this.deny, `${this.denyText} if no profiles matched`));
    return out;
  }

  /** Felix's policy groups: neighbours with one selector (3.28+); before 3.28 each policy alone. */
  private groups(policies: readonly Policy[]): Policy[][] {
    const out: Policy[][] = [];
    for (const policy of policies) {
      const last = out[out.length - 1];
      if (this.v >= '3.28' && last !== undefined && last[0]!.selector === policy.selector) last.push(policy);
      else out.push([policy]);
    }
    return out;
  }

  private groupChainFor(tier: string, group: readonly Policy[], direction: Direction): string {
    const name = this.groupChain(tier, group, direction);
    if (this.chains.has(name)) return name;
    const rules: RenderedRule[] = [];
    const { accept, pass } = this.marks;
    let count = -1;
    for (const policy of group) {
      if (policy.staged && this.v >= '3.30') continue;
      count++;
      if (count !== 0 && count % 5 === 0) rules.push(rule({ mark: { value: 0, mask: accept | pass, negated: true } }, { type: 'return' }, 'Return on verdict'));
      rules.push(rule(count % 5 === 0 ? NONE : this.clearMatch(accept | pass), { type: 'jump', target: this.policyChain(policy, tier, direction) }));
    }
    this.chains.set(name, rules);
    return name;
  }

  // ---- the evaluator -------------------------------------------------------------

  /** Sends a packet through its endpoint chain; returns what became of it. */
  send(packet: Packet): 'accept' | 'drop' | 'reject' | 'return' {
    const kind = packet.forward ? (packet.direction === 'ingress' ? 'fhfw' : 'thfw') : this.endpoint(packet.iface)?.type === 'host' ? (packet.direction === 'ingress' ? 'fh' : 'th') : packet.direction === 'ingress' ? 'tw' : 'fw';
    const state = { mark: 0 };
    return this.run(`cali-${kind}-${packet.iface}`, packet, state, 0);
  }

  /** Packets to an interface no endpoint has, through the dispatch chain. */
  sendUnknown(count: number): void {
    this.run('cali-from-wl-dispatch', { iface: 'cali-nowhere', direction: 'egress', proto: 'tcp', port: 1, count, size: 60 }, { mark: 0 }, 0);
  }

  endpoint(iface: string): Endpoint | undefined {
    return this.scenario.endpoints.find((endpoint) => endpoint.iface === iface);
  }

  private matches(match: Match, packet: Packet, mark: number): boolean {
    const ct = packet.ct ?? 'new';
    if (match.ctstate === 'RELATED,ESTABLISHED' && ct !== 'established') return false;
    if (match.ctstate === 'INVALID' && ct !== 'invalid') return false;
    if (match.proto !== undefined && match.proto !== packet.proto) return false;
    if (match.port !== undefined && match.port !== packet.port) return false;
    if (match.iface !== undefined && match.iface !== packet.iface) return false;
    if (match.mark !== undefined) {
      const equal = (mark & match.mark.mask) === match.mark.value;
      if (equal === (match.mark.negated ?? false)) return false;
    }
    return true;
  }

  private run(chain: string, packet: Packet, state: { mark: number }, depth: number): 'accept' | 'drop' | 'reject' | 'return' {
    if (depth > 10) throw new Error('chain loop');
    for (const r of this.chains.get(chain) ?? []) {
      if (!this.matches(r.match, packet, state.mark)) continue;
      r.packets += packet.count;
      r.bytes += packet.count * packet.size;
      const action = r.action;
      switch (action.type) {
        case 'mark':
          state.mark = ((state.mark & ~action.clear) | action.set) >>> 0;
          continue;
        case 'nflog':
        case 'log':
        case 'none':
          continue;
        case 'jump': {
          const result = this.run(action.target, packet, state, depth + 1);
          if (result !== 'return') return result;
          continue;
        }
        case 'goto':
          return this.run(action.target, packet, state, depth + 1);
        default:
          return action.type;
      }
    }
    return 'return';
  }

  // ---- text ----------------------------------------------------------------------

  private hash(chain: string, index: number): string {
    return createHash('sha224').update(`${chain}/${index}`).digest('base64url').slice(0, 16);
  }

  /** `iptables-restore -c` input (one family). */
  iptables(family: 4 | 6 = 4): string {
    const names = [...this.chains.keys()].sort();
    const lines = ['*filter', ...names.map((name) => `:${name} - [0:0]`)];
    for (const name of names) {
      this.chains.get(name)!.forEach((r, index) => {
        const parts = [`[${r.packets}:${r.bytes}]`, '-A', name];
        const m = r.match;
        if (m.iface) parts.push('-o', m.iface);
        if (m.proto === 'ipip') parts.push('-p', '4');
        else if (m.proto) parts.push('-p', m.proto);
        for (const comment of [`cali:${this.hash(name, index)}`, ...r.comments]) parts.push('-m', 'comment', '--comment', /^[\w:.-]+$/.test(comment) ? comment : `"${comment}"`);
        if (m.ctstate) parts.push('-m', 'conntrack', '--ctstate', m.ctstate);
        if (m.mark) parts.push('-m', 'mark', ...(m.mark.negated ? ['!'] : []), '--mark', `${hex(m.mark.value)}/${hex(m.mark.mask)}`);
        if (m.port !== undefined) parts.push('-m', m.proto ?? 'tcp', '--dport', String(m.port));
        const a = r.action;
        if (a.type === 'jump' || a.type === 'goto') parts.push(a.type === 'jump' ? '-j' : '-g', a.target);
        else if (a.type === 'mark') parts.push('-j', 'MARK', '--set-xmark', `${hex(a.set)}/${hex((a.set | a.clear) >>> 0)}`);
        else if (a.type === 'nflog') parts.push('-j', 'NFLOG', '--nflog-prefix', `"${a.prefix}"`, '--nflog-group', '1');
        else if (a.type === 'log') parts.push('-j', 'LOG', '--log-prefix', '"calico-packet: "');
        else if (a.type === 'reject') parts.push('-j', 'REJECT', '--reject-with', family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable');
        else if (a.type !== 'none') parts.push('-j', a.type.toUpperCase());
        lines.push(parts.join(' '));
      });
    }
    return `${lines.join('\n')}\nCOMMIT\n`;
  }

  /** `nft -f` input: table <family> calico, chains `filter-<name>`, comments as Felix's nft renderer cuts them. */
  nftText(family: 'ip' | 'ip6' = 'ip'): string {
    const lines = [`table ${family} calico {`];
    for (const [name, rules] of this.chains) {
      lines.push(`  chain filter-${name} {`);
      rules.forEach((r, index) => {
        const parts: string[] = [];
        const m = r.match;
        if (m.iface) parts.push(`oifname "${m.iface}"`);
        if (m.ctstate) parts.push(`ct state ${m.ctstate.toLowerCase()}`);
        if (m.mark) parts.push(`meta mark & ${hex8(m.mark.mask)} ${m.mark.negated ? '!=' : '=='} ${hex8(m.mark.value)}`);
        if (m.proto === 'ipip') parts.push(family === 'ip' ? 'ip protocol 4' : 'ip6 nexthdr 4');
        else if (m.port !== undefined) parts.push(`${m.proto ?? 'tcp'} dport ${m.port}`);
        else if (m.proto) parts.push(`meta l4proto ${m.proto}`);
        parts.push(`counter packets ${r.packets} bytes ${r.bytes}`);
        const a = r.action;
        if (a.type === 'jump' || a.type === 'goto') parts.push(`${a.type} filter-${a.target}`);
        else if (a.type === 'mark') parts.push(a.clear === 0 ? `meta mark set mark or ${hex8(a.set)}` : `meta mark set mark & ${hex8(~a.clear >>> 0)}${a.set ? ` ^ ${hex8(a.set)}` : ''}`);
        else if (a.type === 'nflog') parts.push(`log prefix "${a.prefix}" group 1`);
        else if (a.type === 'log') parts.push('log prefix "calico-packet: " level info');
        else if (a.type === 'reject') parts.push('reject');
        else if (a.type !== 'none') parts.push(a.type);
        parts.push(`comment "${nftComment(this.hash(name, index), r.comments)}"`);
        lines.push(`    ${parts.join(' ')}`);
      });
      lines.push('  }');
    }
    lines.push('}');
    return `${lines.join('\n')}\n`;
  }
}

const hex = (value: number): string => `0x${(value >>> 0).toString(16)}`;
const hex8 = (value: number): string => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;

/** Felix's nftables comment: "cali:<hash>;" and the comments, each cut to its share of 128 characters, then the whole cut to 128. */
export function nftComment(hash: string, comments: readonly string[]): string {
  const fragments = [`cali:${hash};`];
  if (comments.length > 0) {
    const per = Math.floor((128 - fragments.join(' ').length) / comments.length);
    for (const comment of comments) fragments.push(comment.replace(/[^\w @%+=:,./-]/g, '_').slice(0, per));
  }
  return fragments.join(' ').slice(0, 128);
}

// ---- the expected accounting, from the policy model -------------------------------------

export interface Expected {
  /** `<iface>|<direction>|<tier>|<policy>|<verdict>` (policy '' for a tier's no-policy drop) -> packets, bytes. */
  readonly verdicts: Map<string, { packets: number; bytes: number }>;
  /** `<iface>|<direction>|<reason>` ('' iface: node-wide). */
  readonly drops: Map<string, number>;
}

type Fate = { fate: 'accept' } | { fate: 'drop'; reason: string } | { fate: 'policy'; steps: Array<{ tier: string; policy: string; verdict: 'allow' | 'deny' | 'pass' | 'nopolicy' }> };

/** What the policy model says happens to a packet (no rules consulted). */
export function fate(scenario: Scenario, packet: Packet): Fate {
  const endpoint = scenario.endpoints.find((e) => e.iface === packet.iface)!;
  const v = scenario.version;
  if (endpoint.adminUp === false) return { fate: 'drop', reason: 'endpoint_admin_down' };
  const ct = packet.ct ?? 'new';
  if (ct === 'established') return { fate: 'accept' };
  if (ct === 'invalid') return { fate: 'drop', reason: 'conntrack_invalid' };
  if (endpoint.type === 'workload' && packet.direction === 'egress') {
    if (packet.proto === 'udp' && packet.port === 4789) return { fate: 'drop', reason: 'vxlan_from_workload' };
    if (packet.proto === 'ipip') return { fate: 'drop', reason: 'ipip_from_workload' };
  }
  const steps: Array<{ tier: string; policy: string; verdict: 'allow' | 'deny' | 'pass' | 'nopolicy' }> = [];
  let anyTier = false;
  for (const tier of scenario.tiers) {
    const policies = tier.policies.filter((p) => p[packet.direction] !== undefined && endpoint.selectors.includes(p.selector) && (!packet.forward || p.applyOnForward));
    if (policies.length === 0) continue;
    anyTier = true;
    let decided: 'pass' | undefined;
    for (const policy of policies) {
      if (policy.staged && v >= '3.30') continue;
      const hit = policy[packet.direction]!.find((r) => r.action !== 'log' && (r.port === undefined || (r.port === packet.port && (r.proto ?? 'tcp') === packet.proto)));
      if (hit === undefined) continue;
      const name = policyNames(policy, tier.name, v).seed;
      if (hit.action === 'pass') {
        steps.push({ tier: tier.name, policy: name, verdict: 'pass' });
        decided = 'pass';
        break;
      }
      steps.push({ tier: tier.name, policy: name, verdict: hit.action === 'allow' ? 'allow' : 'deny' });
      return { fate: 'policy', steps };
    }
    if (decided === 'pass') continue;
    const live = policies.some((p) => !(p.staged && v >= '3.30'));
    if (live && tier.defaultAction === 'Deny') {
      steps.push({ tier: tier.name, policy: '', verdict: 'nopolicy' });
      return { fate: 'policy', steps };
    }
  }
  if (packet.forward) return anyTier ? (steps.length > 0 ? { fate: 'policy', steps } : { fate: 'accept' }) : { fate: 'accept' };
  if ((endpoint.profiles ?? []).length > 0) return steps.length > 0 ? { fate: 'policy', steps } : { fate: 'accept' };
  return steps.length > 0 ? { fate: 'policy', steps: [...steps, { tier: '', policy: '', verdict: 'nopolicy' }] } : { fate: 'drop', reason: 'no_profile_matched' };
}

/** Renders the scenario for one family, sends its packets through the rules, and checks each packet's fate against the model. */
export function build(scenario: Scenario, family: 4 | 6 = 4): { renderer: Renderer; expected: Expected } {
  const renderer = new Renderer(scenario);
  const verdicts = new Map<string, { packets: number; bytes: number }>();
  const drops = new Map<string, number>();
  const bump = <T>(map: Map<string, T>, key: string, add: (old: T | undefined) => T): void => void map.set(key, add(map.get(key)));
  for (const packet of scenario.packets) {
    if ((packet.family ?? 4) !== family) continue;
    const result = renderer.send(packet);
    const expected = fate(scenario, packet);
    const dropped = result === 'drop' || result === 'reject';
    const expectDrop = expected.fate === 'drop' || (expected.fate === 'policy' && expected.steps.at(-1)!.verdict !== 'allow' && expected.steps.at(-1)!.verdict !== 'pass');
    if (dropped !== expectDrop) throw new Error(`rendering disagrees with the model for ${JSON.stringify(packet)}: rules ${result}, model ${JSON.stringify(expected)}`);
    const bytes = packet.count * packet.size;
    const direction = packet.direction;
    if (expected.fate === 'drop') bump(drops, `${packet.iface}|${direction}|${expected.reason}`, (old: number | undefined) => (old ?? 0) + packet.count);
    if (expected.fate === 'policy') {
      for (const step of expected.steps) {
        if (step.verdict === 'nopolicy' && step.tier === '') {
          bump(drops, `${packet.iface}|${direction}|no_profile_matched`, (old: number | undefined) => (old ?? 0) + packet.count);
          continue;
        }
        const verdict = step.verdict === 'nopolicy' ? 'deny' : step.verdict;
        bump(verdicts, `${packet.iface}|${direction}|${step.tier}|${step.policy}|${verdict}`, (old) => ({ packets: (old?.packets ?? 0) + packet.count, bytes: (old?.bytes ?? 0) + bytes }));
      }
    }
  }
  if (scenario.unknownInterfacePackets) {
    renderer.sendUnknown(scenario.unknownInterfacePackets);
    drops.set('|egress|unknown_interface', scenario.unknownInterfacePackets);
  }
  return { renderer, expected: { verdicts, drops } };
}
