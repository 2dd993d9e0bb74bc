import { chainOf, counter, type Rule, type Ruleset, type Table } from './ruleset.js';

// `nft -j list table ip calico` (and `ip6 calico`) into the ruleset model.
// Felix's native nftables mode puts every iptables table into one nft table,
// naming chains `<table>-<iptables chain>` (`filter-cali-tw-cali1234`); they
// are split back into tables, so the classifier reads both modes alike.
// Counters above 2^53 would lose digits in JSON.parse, and nft prints u64
// values of 2^63 and more as negative numbers: the counter values are quoted
// before parsing and read as BigInt (negatives as 2^64 + v).

export interface NftParseResult {
  readonly ruleset: Ruleset;
  readonly skipped: number;
}

const TABLE_PREFIXES = ['filter', 'mangle', 'nat', 'raw'] as const;

/** Quotes the numbers of "packets" and "bytes" keys so JSON.parse keeps every digit. */
function quoteCounters(json: string): string {
  return json.replace(/("(?:packets|bytes)"\s*:\s*)(-?\d+)/g, '$1"$2"');
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json | undefined => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined);

export function parseNftJson(text: string): NftParseResult {
  let document: unknown;
  try {
    document = JSON.parse(quoteCounters(text));
  } catch (error) {
    throw new Error(`nft -j output is not JSON: ${(error as Error).message}`);
  }
  const items = object(document)?.nftables;
  if (!Array.isArray(items)) throw new Error('nft -j output has no "nftables" array');
  const ruleset: Ruleset = new Map();
  let skipped = 0;
  for (const item of items) {
    const entry = object(item);
    const chain = object(entry?.chain);
    const rule = object(entry?.rule);
    if (chain !== undefined && typeof chain.name === 'string') {
      const split = splitName(chain.name);
      chainOf(tableOf(ruleset, split.table), split.chain);
    } else if (rule !== undefined) {
      const parsed = typeof rule.chain === 'string' ? parseRule(rule) : undefined;
      if (parsed === undefined) {
        skipped++;
        continue;
      }
      const split = splitName(rule.chain as string);
      chainOf(tableOf(ruleset, split.table), split.chain).rules.push(parsed);
    }
  }
  return { ruleset, skipped };
}

function tableOf(ruleset: Ruleset, name: string): Table {
  let table = ruleset.get(name);
  if (table === undefined) ruleset.set(name, (table = { name, chains: new Map() }));
  return table;
}

function splitName(name: string): { table: string; chain: string } {
  for (const prefix of TABLE_PREFIXES) {
    if (name.startsWith(`${prefix}-`)) return { table: prefix, chain: name.slice(prefix.length + 1) };
  }
  return { table: '', chain: name };
}

function parseRule(rule: Json): Rule | undefined {
  const expressions = Array.isArray(rule.expr) ? rule.expr : [];
  let packets = 0n;
  let bytes = 0n;
  let target = '';
  let isGoto = false;
  for (const expression of expressions) {
    const entry = object(expression);
    if (entry === undefined) continue;
    const count = object(entry.counter);
    if (count !== undefined) {
      const p = counter(String(count.packets ?? '0'));
      const b = counter(String(count.bytes ?? '0'));
      if (p === undefined || b === undefined) return undefined;
      packets = p;
      bytes = b;
    }
    const jump = object(entry.jump) ?? object(entry.goto);
    if (jump !== undefined && typeof jump.target === 'string') {
      target = splitName(jump.target).chain;
      isGoto = 'goto' in entry;
    }
    if ('drop' in entry) target = 'DROP';
    if ('reject' in entry) target = 'REJECT';
    if ('accept' in entry) target = 'ACCEPT';
    if ('return' in entry) target = 'RETURN';
  }
  // Felix writes "cali:<hash>; <comments>"; the free comments are joined by spaces and kept as one.
  const comment = typeof rule.comment === 'string' ? rule.comment : '';
  const comments = comment === '' ? [] : comment.split('; ').map((part) => part.trim()).filter((part) => part !== '');
  return { packets, bytes, target, goto: isGoto, comments };
}
