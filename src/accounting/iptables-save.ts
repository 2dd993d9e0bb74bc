import { chainOf, counter, ParseNotes, type MarkChange, type MarkMatch, type ParseResult, type Rule, type Ruleset, type SkipReason, type Table } from './ruleset.js';

// `iptables-save -c` (and ip6tables-save) output into the ruleset model:
// `*table` ... `COMMIT` blocks, `:chain policy [p:b]` declarations and
// `[p:b] -A chain <matches> -j|-g target [options]` rules. Comments are read
// from `-m comment --comment X`, quoted ("a b", \" inside) or a single word.
// Matches the accounting reads: `-m mark [!] --mark V/M`, `-j MARK
// --set-xmark V/M` (and --set-mark, --or-mark, --and-mark), `--ctstate S`.
// Lines the model has no use for are passed over; a rule line that cannot be
// read is skipped and counted by reason (its chain marked damaged), never
// thrown.

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
  const notes = new ParseNotes();
  let table: Table | undefined;
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
    if (line.startsWith(':')) {
      const name = line.slice(1).split(/\s+/)[0];
      if (table === undefined) notes.skip('outside_table', line);
      else if (name) chainOf(table, name);
      continue;
    }
    const parsed = parseRule(line);
    if (typeof parsed === 'string') {
      notes.skip(parsed, line, table?.name, chainName(line));
      continue;
    }
    if (table === undefined) {
      notes.skip('outside_table', line);
      continue;
    }
    chainOf(table, parsed.chain).rules.push(parsed.rule);
  }
  return notes.result(ruleset);
}

/** The chain a rule line appends to, read leniently (for a line that could not be read whole). */
function chainName(line: string): string | undefined {
  return /(?:^|\s)-A\s+(\S+)/.exec(line)?.[1];
}

/** `0x10000/0x10000` (or a bare value: mask all ones). */
function markPair(text: string | undefined): { value: number; mask: number } | undefined {
  if (text === undefined) return undefined;
  const slash = text.indexOf('/');
  const v = Number(slash < 0 ? text : text.slice(0, slash));
  const m = slash < 0 ? 0xffffffff : Number(text.slice(slash + 1));
  return Number.isInteger(v) && Number.isInteger(m) && text !== '' ? { value: v >>> 0, mask: m >>> 0 } : undefined;
}

/** Whether the word at [start, start + size) of `line` is `option`. */
function is(line: string, start: number, size: number, option: string): boolean {
  return size === option.length && line.startsWith(option, start);
}

/** The index just past the word starting at `start` (quoted words included); -1 for an unterminated quote. */
function wordEnd(line: string, start: number): number {
  if (line.charCodeAt(start) !== 34) {
    let end = start;
    while (end < line.length && line.charCodeAt(end) !== 32 && line.charCodeAt(end) !== 9) end++;
    return end;
  }
  let close = start + 1;
  for (;;) {
    close = line.indexOf('"', close);
    if (close < 0) return -1;
    let backslashes = 0;
    for (let j = close - 1; j > start && line.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    close++;
  }
}

function parseRule(line: string): { chain: string; rule: Rule } | SkipReason {
  let packets = 0n;
  let bytes = 0n;
  const cursor = { pos: 0 };
  if (line.charCodeAt(0) === 91) {
    // [packets:bytes]
    const colon = line.indexOf(':');
    const close = line.indexOf(']');
    if (colon < 0 || close < colon) return 'malformed';
    const p = counter(line.slice(1, colon));
    const b = counter(line.slice(colon + 1, close));
    if (p === 'negative' || b === 'negative') return 'negative_counter';
    if (p === undefined || b === undefined) return /^\[\d+:\d+\]/.test(line) ? 'counter_overflow' : 'malformed';
    packets = p;
    bytes = b;
    cursor.pos = close + 1;
  }
  if (nextWord(line, cursor) !== '-A') return 'malformed';
  const chain = nextWord(line, cursor);
  if (typeof chain !== 'string') return 'malformed';
  const comments: string[] = [];
  let target = '';
  let isGoto = false;
  let negate = false;
  let mark: MarkMatch | undefined;
  let setMark: MarkChange | undefined;
  let ctstate: string | undefined;
  // Options are compared in place; only the values the model keeps are sliced out (a dump holds
  // tens of thousands of rules of a dozen words each).
  const length = line.length;
  for (;;) {
    let i = cursor.pos;
    while (i < length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= length) break;
    const first = line.charCodeAt(i);
    if (first !== 45 && first !== 33) {
      // a value ("tcp", "0x10000/0x10000", a quoted text): not an option
      const end = wordEnd(line, i);
      if (end < 0) return 'malformed';
      cursor.pos = end;
      negate = false;
      continue;
    }
    let end = i;
    while (end < length && line.charCodeAt(end) !== 32 && line.charCodeAt(end) !== 9) end++;
    cursor.pos = end;
    const size = end - i;
    if (size === 1 && first === 33) {
      negate = true;
      continue;
    }
    if (is(line, i, size, '--comment')) {
      const comment = nextWord(line, cursor);
      if (comment === null) return 'malformed';
      if (comment !== undefined) comments.push(comment);
    } else if (is(line, i, size, '-j') || is(line, i, size, '-g') || is(line, i, size, '--jump') || is(line, i, size, '--goto')) {
      const name = nextWord(line, cursor);
      if (name === null) return 'malformed';
      if (name !== undefined) {
        target = name;
        isGoto = is(line, i, size, '-g') || is(line, i, size, '--goto');
      }
    } else if (is(line, i, size, '--mark') && target === '') {
      const pair = markPair(nextWord(line, cursor) ?? undefined);
      if (pair === undefined) return 'malformed';
      mark = { value: pair.value, mask: pair.mask, negated: negate };
    } else if (is(line, i, size, '--set-xmark') || is(line, i, size, '--set-mark')) {
      const pair = markPair(nextWord(line, cursor) ?? undefined);
      if (pair === undefined) return 'malformed';
      setMark = { set: pair.value, clear: (pair.mask & ~pair.value) >>> 0 };
    } else if (is(line, i, size, '--or-mark') || is(line, i, size, '--and-mark')) {
      const pair = markPair(nextWord(line, cursor) ?? undefined);
      if (pair === undefined) return 'malformed';
      setMark = is(line, i, size, '--or-mark') ? { set: pair.value, clear: 0 } : { set: 0, clear: ~pair.value >>> 0 };
    } else if (is(line, i, size, '--ctstate') || is(line, i, size, '--state')) {
      const states = nextWord(line, cursor);
      if (typeof states !== 'string') return 'malformed';
      ctstate = negate ? `!${states}` : states;
    }
    negate = false;
  }
  return { chain, rule: { packets, bytes, target, goto: isGoto, comments, mark, setMark, ctstate } };
}
