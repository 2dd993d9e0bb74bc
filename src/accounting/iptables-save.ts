import { chainOf, counter, type Rule, type Ruleset, type Table } from './ruleset.js';

// `iptables-save -c` (and ip6tables-save) output into the ruleset model:
// `*table` ... `COMMIT` blocks, `:chain policy [p:b]` declarations and
// `[p:b] -A chain <matches> -j|-g target [options]` rules. Comments are read
// from `-m comment --comment X`, quoted ("a b", \" inside) or a single word.
// Lines the model has no use for are skipped; a malformed rule line is
// counted, never thrown.

export interface ParseResult {
  readonly ruleset: Ruleset;
  /** Lines that looked like rules but could not be read. */
  readonly skipped: number;
}

/** Splits a rule line into words, honouring double quotes and backslash escapes inside them. */
export function words(line: string): string[] | undefined {
  const out: string[] = [];
  const cursor = { pos: 0 };
  for (;;) {
    const word = nextWord(line, cursor);
    if (word === null) return undefined;
    if (word === undefined) return out;
    out.push(word);
  }
}

/**
 * The word at cursor.pos (moving it past the word): undefined at the end of
 * the line, null for an unterminated quote. Slices rather than building
 * strings character by character: a dump holds tens of thousands of rules.
 */
function nextWord(line: string, cursor: { pos: number }): string | undefined | null {
  let i = cursor.pos;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  if (i >= line.length) {
    cursor.pos = i;
    return undefined;
  }
  if (line.charCodeAt(i) === 34) {
    let close = i + 1;
    let escaped = false;
    for (;;) {
      close = line.indexOf('"', close);
      if (close < 0) return null;
      let backslashes = 0;
      for (let j = close - 1; j > i && line.charCodeAt(j) === 92; j--) backslashes++;
      if (backslashes % 2 === 0) break;
      escaped = true;
      close++;
    }
    const inner = line.slice(i + 1, close);
    cursor.pos = close + 1;
    return escaped || inner.includes('\\') ? inner.replace(/\\(.)/g, '$1') : inner;
  }
  let end = i;
  while (end < line.length && line.charCodeAt(end) !== 32 && line.charCodeAt(end) !== 9) end++;
  cursor.pos = end;
  return line.slice(i, end);
}

export function parseIptablesSave(text: string): ParseResult {
  const ruleset: Ruleset = new Map();
  let table: Table | undefined;
  let skipped = 0;
  for (const raw of text.split('\n')) {
    // iptables-save writes no surrounding blanks; trim (a copy) only when there are some.
    const first = raw.charCodeAt(0);
    const last = raw.charCodeAt(raw.length - 1);
    const line = first === 32 || first === 9 || last === 32 || last === 9 || last === 13 ? raw.trim() : raw;
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      const name = line.slice(1);
      table = ruleset.get(name) ?? { name, chains: new Map() };
      ruleset.set(name, table);
      continue;
    }
    if (line === 'COMMIT') {
      table = undefined;
      continue;
    }
    if (table === undefined) continue;
    if (line.startsWith(':')) {
      const name = line.slice(1).split(/\s+/)[0];
      if (name) chainOf(table, name);
      continue;
    }
    const rule = parseRule(line);
    if (rule === undefined) {
      skipped++;
      continue;
    }
    chainOf(table, rule.chain).rules.push(rule.rule);
  }
  return { ruleset, skipped };
}

function parseRule(line: string): { chain: string; rule: Rule } | undefined {
  let packets = 0n;
  let bytes = 0n;
  const cursor = { pos: 0 };
  if (line.charCodeAt(0) === 91) {
    // [packets:bytes]
    const colon = line.indexOf(':');
    const close = line.indexOf(']');
    if (colon < 0 || close < colon) return undefined;
    const p = counter(line.slice(1, colon));
    const b = counter(line.slice(colon + 1, close));
    if (p === undefined || b === undefined) return undefined;
    packets = p;
    bytes = b;
    cursor.pos = close + 1;
  }
  if (nextWord(line, cursor) !== '-A') return undefined;
  const chain = nextWord(line, cursor);
  if (typeof chain !== 'string') return undefined;
  const comments: string[] = [];
  let target = '';
  let isGoto = false;
  for (;;) {
    const token = nextWord(line, cursor);
    if (token === null) return undefined;
    if (token === undefined) break;
    if (token === '--comment') {
      const comment = nextWord(line, cursor);
      if (comment === null) return undefined;
      if (comment !== undefined) comments.push(comment);
    } else if (token === '-j' || token === '-g' || token === '--jump' || token === '--goto') {
      const name = nextWord(line, cursor);
      if (name === null) return undefined;
      if (name !== undefined) {
        target = name;
        isGoto = token === '-g' || token === '--goto';
      }
    }
  }
  return { chain, rule: { packets, bytes, target, goto: isGoto, comments } };
}
