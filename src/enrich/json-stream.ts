import { isUtf8 } from 'node:buffer';
import type { JsonLineEnricher } from './json-lines.js';

// stdin bytes to enriched lines, for `flowlens enrich`'s JSON input. Lines are
// cut from the bytes (a newline is searched for in each new chunk only, so a
// long line costs time linear in its length), and every input byte that is
// not part of an added field comes out as it came in:
//
// - a line that is not valid UTF-8 is read through a lossy decoding (its
//   mapped IP fields are ASCII), but its own bytes are written, never U+FFFD;
//   only the added fields are spliced in, before its last '}';
// - a line longer than `maxLine` bytes is passed through unchanged, as it
//   arrives, and counted (tooLong).

const NEWLINE = 0x0a;
const CLOSE_BRACE = 0x7d;
const NEWLINE_BUFFER = Buffer.from('\n');

/** Output pieces, kept as one string while every piece is text. */
class Output {
  private text = '';
  private readonly parts: Buffer[] = [];

  line(text: string): void {
    this.text += `${text}\n`;
  }

  raw(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.text !== '') {
      this.parts.push(Buffer.from(this.text));
      this.text = '';
    }
    this.parts.push(bytes);
  }

  result(): string | Buffer {
    if (this.parts.length === 0) return this.text;
    if (this.text !== '') this.parts.push(Buffer.from(this.text));
    return Buffer.concat(this.parts);
  }
}

export class JsonLineStream {
  /** Lines read (complete, or the last one without a newline). */
  lines = 0;
  /** Lines passed through unchanged because they were longer than maxLine. */
  tooLong = 0;
  /** Lines that were not valid UTF-8 (their bytes were kept). */
  notUtf8 = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Inside a line longer than maxLine: its bytes pass through until its newline. */
  private passing = false;

  constructor(
    private readonly enricher: JsonLineEnricher,
    private readonly maxLine: number,
  ) {}

  push(chunk: Buffer): string | Buffer {
    const out = new Output();
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      this.lines++;
      if (this.passing) {
        out.raw(piece);
        out.raw(NEWLINE_BUFFER);
        this.passing = false;
        continue;
      }
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      this.enrich(line, out, true);
    }
    const rest = chunk.subarray(start);
    if (this.passing) {
      out.raw(rest);
    } else if (rest.length > 0) {
      this.pending.push(rest);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxLine) {
        out.raw(Buffer.concat(this.pending));
        this.pending = [];
        this.pendingBytes = 0;
        this.passing = true;
        this.tooLong++;
      }
    }
    return out.result();
  }

  /** End of input: the last line, when it had no newline. */
  end(): string | Buffer {
    const out = new Output();
    if (this.pending.length > 0) {
      this.lines++;
      this.enrich(Buffer.concat(this.pending), out, false);
      this.pending = [];
      this.pendingBytes = 0;
    }
    return out.result();
  }

  private enrich(raw: Buffer, out: Output, newline: boolean): void {
    if (isUtf8(raw)) {
      const enriched = this.enricher.enrich(raw.toString('utf8'));
      if (newline) out.line(enriched);
      else out.raw(Buffer.from(enriched));
      return;
    }
    this.notUtf8++;
    // The record's own bytes, with the added fields (if any) spliced in before its last '}'.
    const lossy = raw.toString('utf8');
    const enriched = this.enricher.enrich(lossy);
    const close = lossy.lastIndexOf('}');
    const rawClose = raw.lastIndexOf(CLOSE_BRACE);
    const tail = lossy.slice(close);
    const spliced = enriched !== lossy && close >= 0 && rawClose >= 0 && enriched.startsWith(lossy.slice(0, close)) && enriched.endsWith(tail);
    if (spliced) {
      out.raw(raw.subarray(0, rawClose));
      out.raw(Buffer.from(enriched.slice(close, enriched.length - tail.length)));
      out.raw(raw.subarray(rawClose));
    } else {
      out.raw(raw);
    }
    if (newline) out.raw(NEWLINE_BUFFER);
  }
}
