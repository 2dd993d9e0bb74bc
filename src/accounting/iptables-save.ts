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
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let word = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined; // unterminated quote
        const char = line[i]!;
        if (char === '\\' && i + 1 < line.length) {
          word += line[i + 1];
          i += 2;
        } else if (char === '"') {
          i++;
          break;
        } else {
          word += char;
          i++;
        }
      }
    } else {
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') word += line[i++];
    }
    out.push(word);
  }
  return out;
}

export function parseIptablesSave(text: string): ParseResult {
  const ruleset: Ruleset = new Map();
  let table: Table | undefined;
  let skipped = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
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
  let rest = line;
  const counters = /^\[(\d+):(\d+)\]\s+/.exec(line);
  if (counters) {
    const p = counter(counters[1]!);
    const b = counter(counters[2]!);
    if (p === undefined || b === undefined) return undefined;
    packets = p;
    bytes = b;
    rest = line.slice(counters[0].length);
  }
  const tokens = words(rest);
  if (tokens === undefined || tokens[0] !== '-A' || tokens[1] === undefined) return undefined;
  const comments: string[] = [];
  let target = '';
  let isGoto = false;
  for (let i = 2; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '--comment' && i + 1 < tokens.length) comments.push(tokens[++i]!);
    else if ((token === '-j' || token === '-g' || token === '--jump' || token === '--goto') && i + 1 < tokens.length) {
      target = tokens[++i]!;
      isGoto = token === '-g' || token === '--goto';
    }
  }
  return { chain: tokens[1], rule: { packets, bytes, target, goto: isGoto, comments } };
}
