import { GenerationMemo } from '../kube/generation-memo.js';
import { DEFAULT_MAPPING, DEFAULT_MAPPING_V2, parseMapping, type Enricher, type MappingEntry } from './enricher.js';

// Enrichment of goflow2 JSON lines without touching a byte of the record: the
// line is parsed only to validate it and read the mapped IP fields; the added
// fields are spliced in before its closing brace. Numbers are never
// re-serialized (goflow2 v2's nanosecond times exceed 2^53), key order and
// spacing stay as goflow2 wrote them. A line that is not a JSON object passes
// through unchanged and is counted.
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

const V1 = parseMapping(DEFAULT_MAPPING);
const V2 = parseMapping(DEFAULT_MAPPING_V2);
const MAX_MEMO = 200_000;

export class JsonLineEnricher {
  readonly stats: EnrichStats = { records: 0, enriched: 0, invalid: 0, notString: 0 };
  private readonly fragments: GenerationMemo<string>;

  constructor(
    private readonly enricher: Enricher,
    /** The -mapping given; undefined: by dialect. */
    private readonly mapping?: readonly MappingEntry[],
  ) {
    this.fragments = new GenerationMemo(() => enricher.generation, MAX_MEMO);
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
      if (fragment !== '') added += added === '' ? fragment : `,${fragment}`;
    }
    if (added === '') return line;
    this.stats.enriched++;
    // Something was added, so the object holds a mapped field: never empty, the comma always belongs.
    const close = line.lastIndexOf('}');
    return `${line.slice(0, close)},${added}${line.slice(close)}`;
  }

  /** `"<P>Pod":"...",...` for one (prefix, IP); '' when the IP adds nothing. */
  private fragment(prefix: string, ip: string): string {
    const key = `${prefix}\u0000${ip}`;
    const kept = this.fragments.get(key);
    if (kept !== undefined) return kept;
    const fragment = this.enricher
      .lookup(ip)
      .map(([name, value]) => `${JSON.stringify(prefix + name)}:${JSON.stringify(value)}`)
      .join(',');
    return this.fragments.set(key, fragment);
  }
}
