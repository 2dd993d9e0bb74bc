import { GenerationMemo } from '../kube/generation-memo.js';
import { DEFAULT_MAPPING, DEFAULT_MAPPING_V2, parseMapping, type IpEnrichment, type MappingEntry } from './enricher.js';

// Enrichment of goflow2 JSON lines without touching a byte of the record: the
// line is parsed only to validate it and read the mapped IP fields; the added
// fields are spliced in before its closing brace. Numbers are never
// re-serialized (goflow2 v2's nanosecond times exceed 2^53), key order and
// spacing stay as goflow2 wrote them. A line that is not a JSON object passes
// through unchanged and is counted.
//
// A record that already holds a field about to be added (enriched before)
// gets it replaced, as goflow2-kube-enricher's map assignment did: the old
// member is cut out of the line first, so no key appears twice. Mapping
// entries sharing a prefix overwrite each other in order, as in the seed.
//
// Dialects: goflow2 v1.0-1.1 (SrcAddr, IPTos, ...) and v1.2-1.3 (SrcAddr,
// IpTos, ...) share the default mapping SrcAddr=Src,DstAddr=Dst; v2
// (snake_case src_addr) defaults to src_addr=Src,dst_addr=Dst. Without
// -mapping the dialect is read from each line.

export interface EnrichStats {
  /** Lines that were JSON objects (enriched or not). */
  records: number;
  /** Records that gained at least one field. */
  enriched: number;
  /** Lines passed through unchanged because they were not JSON objects. */
  invalid: number;
  /** Mapped fields that were present but not a string. */
  notString: number;
}

/** The members one (prefix, IP) adds: their keys, and their JSON text without braces. */
interface Fragment {
  readonly keys: readonly string[];
  readonly text: string;
}

const NO_FRAGMENT: Fragment = Object.freeze({ keys: Object.freeze([]), text: '' });
const V1 = parseMapping(DEFAULT_MAPPING);
const V2 = parseMapping(DEFAULT_MAPPING_V2);
const MAX_MEMO = 200_000;

export class JsonLineEnricher {
  readonly stats: EnrichStats = { records: 0, enriched: 0, invalid: 0, notString: 0 };
  private readonly fragments: GenerationMemo<Fragment>;
  /** Two mapping entries with one prefix: their fields must be merged, the later winning. */
  private readonly sharedPrefixes: boolean;

  constructor(
    private readonly enricher: IpEnrichment,
    /** The -mapping given; undefined: by dialect. */
    private readonly mapping?: readonly MappingEntry[],
  ) {
    this.fragments = new GenerationMemo(() => enricher.generation, MAX_MEMO);
    this.sharedPrefixes = mapping !== undefined && new Set(mapping.map((entry) => entry.prefix)).size < mapping.length;
  }

  /** The line (without its newline) with the added fields; the line itself when nothing applies. */
  enrich(line: string): string {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      if (line.trim() !== '') this.stats.invalid++;
      return line;
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      this.stats.invalid++;
      return line;
    }
    this.stats.records++;
    const fields = record as Record<string, unknown>;
    const mapping = this.mapping ?? ('src_addr' in fields || 'dst_addr' in fields ? V2 : V1);
    let added = '';
    let found: Fragment[] | undefined;
    let existing: Set<string> | undefined;
    for (const { field, prefix } of mapping) {
      const value = fields[field];
      if (typeof value !== 'string') {
        if (value !== undefined) this.stats.notString++;
        continue;
      }
      const fragment = this.fragment(prefix, value);
      if (fragment.text === '') continue;
      added += added === '' ? fragment.text : `,${fragment.text}`;
      if (this.sharedPrefixes) (found ??= []).push(fragment);
      for (const key of fragment.keys) if (Object.hasOwn(fields, key)) (existing ??= new Set()).add(key);
    }
    if (added === '') return line;
    this.stats.enriched++;
    if (found !== undefined) added = mergeFragments(found);
    const base = existing === undefined ? line : withoutMembers(line, existing);
    // Something is added, so the comma belongs unless the object is now empty.
    const close = base.lastIndexOf('}');
    const comma = existing === undefined || /[^\s{]/.test(base.slice(base.indexOf('{') + 1, close)) ? ',' : '';
    return `${base.slice(0, close)}${comma}${added}${base.slice(close)}`;
  }

  /** `"<P>Pod":"...",...` for one (prefix, IP); empty when the IP adds nothing. */
  private fragment(prefix: string, ip: string): Fragment {
    const key = `${prefix}\u0000${ip}`;
    const kept = this.fragments.get(key);
    if (kept !== undefined) return kept;
    const enrichment = this.enricher.lookup(ip);
    if (enrichment.length === 0) return this.fragments.set(key, NO_FRAGMENT);
    const keys = enrichment.map(([name]) => prefix + name);
    const text = enrichment.map(([, value], index) => `${JSON.stringify(keys[index])}:${JSON.stringify(value)}`).join(',');
    return this.fragments.set(key, { keys, text });
  }
}

/** Fragments whose keys repeat (mapping entries sharing a prefix): a later value wins, in the first one's place. */
function mergeFragments(found: readonly Fragment[]): string {
  const members = new Map<string, string>();
  for (const fragment of found) {
    const texts = splitMembers(`{${fragment.text}}`);
    fragment.keys.forEach((key, index) => members.set(key, texts[index]!.text));
  }
  return [...members.values()].join(',');
}

/** The line with every top-level member named in `keys` cut out (the line is valid JSON: JSON.parse read it). */
export function withoutMembers(line: string, keys: ReadonlySet<string>): string {
  const open = line.indexOf('{');
  const close = line.lastIndexOf('}');
  const kept = splitMembers(line.slice(open, close + 1)).filter((member) => !keys.has(member.key));
  return `${line.slice(0, open)}{${kept.map((member) => member.text).join(',')}}${line.slice(close + 1)}`;
}

/** The top-level members of a JSON object text: each key (decoded) and its text from key to the end of its value. */
function splitMembers(object: string): { key: string; text: string }[] {
  const members: { key: string; text: string }[] = [];
  let pos = 1;
  const skipSpace = (): void => {
    while (pos < object.length && /\s/.test(object[pos]!)) pos++;
  };
  const skipString = (): void => {
    pos++; // opening quote
    while (pos < object.length && object[pos] !== '"') pos += object[pos] === '\\' ? 2 : 1;
    pos++; // closing quote
  };
  for (;;) {
    skipSpace();
    if (pos >= object.length || object[pos] === '}') return members;
    const start = pos;
    skipString();
    const key = JSON.parse(object.slice(start, pos)) as string;
    skipSpace();
    pos++; // colon
    skipSpace();
    let depth = 0;
    while (pos < object.length) {
      const char = object[pos]!;
      if (char === '"') {
        skipString();
        continue;
      }
      if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') {
        if (depth === 0) break;
        depth--;
      } else if (char === ',' && depth === 0) break;
      pos++;
    }
    members.push({ key, text: object.slice(start, pos).trimEnd() });
    if (object[pos] === ',') pos++;
  }
}
