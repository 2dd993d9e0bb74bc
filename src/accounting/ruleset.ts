// A firewall ruleset as the accounting reads it, whatever printed it
// (iptables-save -c, or nft -j): tables of chains of ordered rules, each rule
// with exact 64-bit counters (BigInt), its verdict and its comments. Parsers
// build this whole model before anything interprets it.

export interface Rule {
  readonly packets: bigint;
  readonly bytes: bigint;
  /** The verdict or jump target: ACCEPT, DROP, REJECT, RETURN, MARK, a chain name; '' when the rule has none. */
  readonly target: string;
  /** `-g` (goto) rather than `-j` (jump). */
  readonly goto: boolean;
  /** Every comment of the rule, in order (`cali:<hash>` included). */
  readonly comments: readonly string[];
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

/** An unsigned 64-bit counter printed by a tool; negative values are 2^64 + v (nft prints u64 as signed). */
export function counter(text: string): bigint | undefined {
  const length = text.length;
  if (length === 0 || length > 21) return undefined;
  for (let i = text.charCodeAt(0) === 45 && length > 1 ? 1 : 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  // Small values (almost all of them) skip BigInt's string parsing.
  let value = length < 16 ? BigInt(Number(text)) : BigInt(text);
  if (value < 0n) value += 1n << 64n;
  return value >= 0n && value < 1n << 64n ? value : undefined;
}

export function chainOf(table: Table, name: string): Chain {
  let chain = table.chains.get(name);
  if (chain === undefined) table.chains.set(name, (chain = { name, rules: [] }));
  return chain;
}
