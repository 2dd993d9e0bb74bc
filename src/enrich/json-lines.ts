import { GenerationMemo } from '../kube/generation-memo.js';
import { ADDED_FIELDS, DEFAULT_MAPPING, DEFAULT_MAPPING_V2, parseMapping, type IpEnrichment, type MappingEntry } from './enricher.js';

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

/** The members one (prefix, IP) adds: each key and its `"key":"value"` text, and all of them joined. */
interface Fragment {
  readonly keys: readonly string[];
  readonly members: readonly string[];
  readonly text: string;
}

const NO_FRAGMENT: Fragment = Object.freeze({ keys: Object.freeze([]), members: Object.freeze([]), text: '' });
const V1 = parseMapping(DEFAULT_MAPPING);
const V2 = parseMapping(DEFAULT_MAPPING_V2);
const MAX_MEMO = 200_000;

/**
 * Whether a record may hold a field the default mappings (prefixes Src and
 * Dst) add. Named property reads: each is one inline-cached load, where a
 * lookup by computed key costs tens of nanoseconds (bench/enrich.bench.ts).
 */
function holdsDefaultFields(f: Record<string, unknown>): boolean {
  return (
    f.SrcPod !== undefined || f.SrcNamespace !== undefined || f.SrcHostIP !== undefined || f.SrcWorkload !== undefined || f.SrcWorkloadKind !== undefined || f.SrcWarn !== undefined ||
    f.DstPod !== undefined || f.DstNamespace !== undefined || f.DstHostIP !== undefined || f.DstWorkload !== undefined || f.DstWorkloadKind !== undefined || f.DstWarn !== undefined
  );
}

export class JsonLineEnricher {
  readonly stats: EnrichStats = { records: 0, enriched: 0, invalid: 0, notString: 0 };
  private readonly fragments: GenerationMemo<Fragment>;
  /** Two mapping entries with one prefix: their fields must be merged, the later winning. */
  private readonly sharedPrefixes: boolean;
  /** Whether a record may already hold a field this mapping adds (false: it surely does not). */
  private readonly mayHoldAdded: (fields: Record<string, unknown>) => boolean;

  constructor(
    private readonly enricher: IpEnrichment,
    /** The -mapping given; undefined: by dialect. */
    private readonly mapping?: readonly MappingEntry[],
  ) {
    this.fragments = new GenerationMemo(() => enricher.generation, MAX_MEMO);
    const prefixes = new Set((mapping ?? V1).map((entry) => entry.prefix));
    this.sharedPrefixes = mapping !== undefined && prefixes.size < mapping.length;
    const keys = [...prefixes].flatMap((prefix) => ADDED_FIELDS.map((name) => prefix + name));
    this.mayHoldAdded = [...prefixes].every((prefix) => prefix === 'Src' || prefix === 'Dst') ? holdsDefaultFields : (fields) => keys.some((key) => Object.hasOwn(fields, key));
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
    for (const { field, prefix } of mapping) {
      const value = fields[field];
      if (typeof value !== 'string') {
        if (value !== undefined) this.stats.notString++;
        continue;
      }
      const fragment = this.fragment(prefix, value);
      if (fragment.text !== '') added += added === '' ? fragment.text : `,${fragment.text}`;
    }
    if (added === '') return line;
    this.stats.enriched++;
    if (this.sharedPrefixes || this.mayHoldAdded(fields)) return this.rewrite(line, fields, mapping);
    // Something is added, so the object holds a mapped field: never empty, the comma always belongs.
    const close = line.lastIndexOf('}');
    return `${line.slice(0, close)},${added}${line.slice(close)}`;
  }

  /** The rare case: fields to replace, or mapping entries sharing a prefix (the later one's value wins). */
  private rewrite(line: string, fields: Record<string, unknown>, mapping: readonly MappingEntry[]): string {
    const members = new Map<string, string>();
    for (const { field, prefix } of mapping) {
      const value = fields[field];
      if (typeof value !== 'string') continue;
      const fragment = this.fragment(prefix, value);
      fragment.keys.forEach((key, index) => members.set(key, fragment.members[index]!));
    }
    const existing = new Set([...members.keys()].filter((key) => Object.hasOwn(fields, key)));
    const base = existing.size === 0 ? line : withoutMembers(line, existing);
    const close = base.lastIndexOf('}');
    const empty = !/[^\s{]/.test(base.slice(base.indexOf('{') + 1, close));
    return `${base.slice(0, close)}${empty ? '' : ','}${[...members.values()].join(',')}${base.slice(close)}`;
  }

  /** `"<P>Pod":"...",...` for one (prefix, IP); empty when the IP adds nothing. */
  private fragment(prefix: string, ip: string): Fragment {
    const key = `${prefix}\u0000${ip}`;
    const kept = this.fragments.get(key);
    if (kept !== undefined) return kept;
    const enrichment = this.enricher.lookup(ip);
    if (enrichment.length === 0) return this.fragments.set(key, NO_FRAGMENT);
    const keys = enrichment.map(([name]) => prefix + name);
    const members = enrichment.map(([, value], index) => `${JSON.stringify(keys[index])}:${JSON.stringify(value)}`);
    return this.fragments.set(key, { keys, members, text: members.join(',') });
  }
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
