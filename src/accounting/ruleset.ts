// A firewall ruleset as the accounting reads it, whatever printed it
// (iptables-save -c, or nft -j): tables of chains of ordered rules, each rule
// with exact 64-bit counters (BigInt), its verdict, its comments and the few
// matches the accounting needs (the packet mark, conntrack state). Parsers
// build this whole model before anything interprets it, and say what they
// could not read: lines skipped by reason, and the chains those lines belong
// to (a chain with a rule missing cannot be balanced).

/** `-m mark --mark value/mask` (`! --mark`: negated), or nft `meta mark & mask ==|!= value`. */
export interface MarkMatch {
  readonly value: number;
  readonly mask: number;
  readonly negated: boolean;
}

/** What a MARK target does to the mark: bits set, bits cleared. */
export interface MarkChange {
  readonly set: number;
  readonly clear: number;
}

export interface Rule {
  readonly packets: bigint;
  readonly bytes: bigint;
  /** The verdict or jump target: ACCEPT, DROP, REJECT, RETURN, MARK, NFLOG, LOG, a chain name; '' when the rule has none. */
  readonly target: string;
  /** `-g` (goto) rather than `-j` (jump). */
  readonly goto: boolean;
  /** Every comment of the rule, in order (`cali:<hash>` included). */
  readonly comments: readonly string[];
  readonly mark?: MarkMatch | undefined;
  readonly setMark?: MarkChange | undefined;
  /** Conntrack states matched, upper case, comma-joined (`INVALID`, `RELATED,ESTABLISHED`). */
  readonly ctstate?: string | undefined;
}

export interface Chain {
  readonly name: string;
  readonly rules: Rule[];
}

export interface Table {
  readonly name: string;
  /** By name; iptables-save sorts chains by name, so order means nothing. */
  readonly chains: Map<string, Chain>;
}

/** Tables by name (`filter`). */
export type Ruleset = Map<string, Table>;

/** Why a line was not read. */
export type SkipReason = 'malformed' | 'negative_counter' | 'counter_overflow' | 'outside_table';

export interface ParseResult {
  readonly ruleset: Ruleset;
  /** Lines (or nft rule objects) not read, by reason. */
  readonly skipped: ReadonlyMap<SkipReason, number>;
  /** `table/chain` of every chain that lost a rule that way. */
  readonly damaged: ReadonlySet<string>;
  /** A few of the unread lines, for the log. */
  readonly samples: readonly string[];
}

export class ParseNotes {
  readonly skipped = new Map<SkipReason, number>();
  readonly damaged = new Set<string>();
  readonly samples: string[] = [];

  skip(reason: SkipReason, line: string, table?: string, chain?: string): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    if (table !== undefined && chain !== undefined) this.damaged.add(`${table}/${chain}`);
    if (this.samples.length < 3) this.samples.push(line.length > 200 ? `${line.slice(0, 200)}...` : line);
  }

  result(ruleset: Ruleset): ParseResult {
    return { ruleset, skipped: this.skipped, damaged: this.damaged, samples: this.samples };
  }
}

const U64 = 1n << 64n;

/**
 * An unsigned 64-bit counter printed by a tool. A negative value (seen in real
 * dumps, e.g. `[-1:180]`) is no counter at all: 'negative'.
 */
export function counter(text: string): bigint | 'negative' | undefined {
  const length = text.length;
  if (length === 0 || length > 21) return undefined;
  const negative = text.charCodeAt(0) === 45;
  if (negative && length === 1) return undefined;
  for (let i = negative ? 1 : 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  if (negative) return 'negative';
  // Small values (almost all of them) skip BigInt's string parsing.
  const value = length < 16 ? BigInt(Number(text)) : BigInt(text);
  return value < U64 ? value : undefined;
}

export function chainOf(table: Table, name: string): Chain {
  let chain = table.chains.get(name);
  if (chain === undefined) table.chains.set(name, (chain = { name, rules: [] }));
  return chain;
}
