import { chainOf, counter, ParseNotes, type MarkChange, type MarkMatch, type ParseResult, type Rule, type Ruleset, type SkipReason, type Table } from './ruleset.js';

// `nft -j list table ip calico` (and `ip6 calico`) into the ruleset model.
// Felix's native nftables mode puts every iptables table into one nft table,
// naming chains `<table>-<iptables chain>` (`filter-cali-tw-cali1234`); they
// are split back into tables, so the classifier reads both modes alike.
// Counters above 2^53 would lose digits in JSON.parse: the counter values are
// quoted before parsing and read as BigInt. A negative counter (nft prints
// u64 as signed; no real counter reaches 2^63) is skipped and counted, like
// iptables-save's. Text that is not nft's JSON is an error, not an empty
// ruleset.

const TABLE_PREFIXES = ['filter', 'mangle', 'nat', 'raw'] as const;

/** Quotes the numbers of "packets" and "bytes" keys so JSON.parse keeps every digit. */
function quoteCounters(json: string): string {
  return json.replace(/("(?:packets|bytes)"\s*:\s*)(-?\d+)/g, '$1"$2"');
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json | undefined => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined);

export function parseNftJson(text: string): ParseResult {
  let document: unknown;
  try {
    document = JSON.parse(quoteCounters(text));
  } catch (error) {
    throw new Error(`nft -j output is not JSON (${(error as Error).message}): was \`nft\` run without -j?`);
  }
  const items = object(document)?.nftables;
  if (!Array.isArray(items)) throw new Error('nft -j output has no "nftables" array');
  const ruleset: Ruleset = new Map();
  const notes = new ParseNotes();
  for (const item of items) {
    const entry = object(item);
    const chain = object(entry?.chain);
    const rule = object(entry?.rule);
    if (chain !== undefined && typeof chain.name === 'string') {
      const split = splitName(chain.name);
      chainOf(tableOf(ruleset, split.table), split.chain);
    } else if (rule !== undefined) {
      const split = typeof rule.chain === 'string' ? splitName(rule.chain) : undefined;
      const parsed = split === undefined ? 'malformed' : parseRule(rule);
      if (typeof parsed === 'string') {
        notes.skip(parsed, JSON.stringify(rule), split?.table, split?.chain);
        continue;
      }
      chainOf(tableOf(ruleset, split!.table), split!.chain).rules.push(parsed);
    }
  }
  return notes.result(ruleset);
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

const isMark = (value: unknown): boolean => object(object(value)?.meta)?.key === 'mark';
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) ? value >>> 0 : undefined);

/** `meta mark & M ==|!= V`. */
function markMatch(match: Json): MarkMatch | undefined {
  const and = object(match.left)?.['&'];
  if (!Array.isArray(and) || !isMark(and[0])) return undefined;
  const mask = num(and[1]);
  const value = num(match.right);
  if (mask === undefined || value === undefined) return undefined;
  return { value, mask, negated: match.op === '!=' };
}

/** `meta mark set mark | X`, `mark & Y`, `mark & Y ^ X` (or a constant). */
function markChange(value: unknown): MarkChange | undefined {
  const constant = num(value);
  if (constant !== undefined) return { set: constant, clear: ~constant >>> 0 };
  const expression = object(value);
  if (expression === undefined) return undefined;
  const or = expression['|'];
  if (Array.isArray(or) && isMark(or[0]) && num(or[1]) !== undefined) return { set: num(or[1])!, clear: 0 };
  const and = expression['&'];
  if (Array.isArray(and) && isMark(and[0]) && num(and[1]) !== undefined) return { set: 0, clear: ~num(and[1])! >>> 0 };
  const xor = expression['^'];
  if (Array.isArray(xor) && num(xor[1]) !== undefined) {
    const inner = markChange(xor[0]);
    if (inner !== undefined) return { set: (inner.set | num(xor[1])!) >>> 0, clear: (inner.clear & ~num(xor[1])!) >>> 0 };
  }
  return undefined;
}

function parseRule(rule: Json): Rule | SkipReason {
  const expressions = Array.isArray(rule.expr) ? rule.expr : [];
  let packets = 0n;
  let bytes = 0n;
  let target = '';
  let isGoto = false;
  let mark: MarkMatch | undefined;
  let setMark: MarkChange | undefined;
  let ctstate: string | undefined;
  for (const expression of expressions) {
    const entry = object(expression);
    if (entry === undefined) continue;
    const count = object(entry.counter);
    if (count !== undefined) {
      const p = counter(String(count.packets ?? '0'));
      const b = counter(String(count.bytes ?? '0'));
      if (p === 'negative' || b === 'negative') return 'negative_counter';
      if (p === undefined || b === undefined) return 'malformed';
      packets = p;
      bytes = b;
    }
    const match = object(entry.match);
    if (match !== undefined) {
      mark = markMatch(match) ?? mark;
      if (object(object(match.left)?.ct)?.key === 'state') {
        const states = Array.isArray(match.right) ? match.right : [match.right];
        ctstate = `${match.op === '!=' ? '!' : ''}${states.map((state) => String(state).toUpperCase()).join(',')}`;
      }
    }
    const mangle = object(entry.mangle);
    if (mangle !== undefined && isMark(mangle.key)) {
      setMark = markChange(mangle.value);
      target = 'MARK';
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
    if ('log' in entry) target = object(entry.log)?.group === undefined ? 'LOG' : 'NFLOG';
  }
  // Felix writes "cali:<hash>; <comments>"; the free comments are joined by spaces and kept as one.
  const comment = typeof rule.comment === 'string' ? rule.comment : '';
  const comments = comment === '' ? [] : comment.split('; ').map((part) => part.trim()).filter((part) => part !== '');
  return { packets, bytes, target, goto: isGoto, comments, mark, setMark, ctstate };
}
