import protobuf from 'protobufjs/minimal.js';
import type { Logger } from '../log/logger.js';
import { ConfigError } from '../config/errors.js';
import { ADDED_FIELDS, DEFAULT_MAPPING, parseMapping, type IpEnrichment, type MappingEntry } from './enricher.js';
import { parseFlowMessage, readVarint, scanFields, type FlowMessage } from './flow-message.js';
import { goflowIpText, renderFlowMessage } from './goflow2-json.js';

// goflow2 protobuf in, protobuf or JSON out. Input: FlowMessage (v1 or v2),
// each prefixed by its varint length (goflow2 v1 -format=pb with
// -format.protobuf.fixedlen=true, v2 -format=bin), optionally followed by the
// "\n" goflow2 v1's file transport adds. Each message is written as soon as
// it is complete; whether a "\n" after it is a separator or the length (10) of
// the next message is told from the bytes after it, and a separator is
// written back (protobuf output) when it is read.
//
// Protobuf out: the message bytes exactly as read, plus the added fields as
// strings at field numbers 2000 + 10 * (mapping index) + n, n = 0 Pod,
// 1 Namespace, 2 HostIP, 3 Workload, 4 WorkloadKind, 5 Warn
// (proto/flowlens-enrich.proto); readers with goflow2's schema skip them. An
// input that already holds one of the fields being added (enriched before)
// has it replaced. JSON out: the message rendered as goflow2 renders it
// (goflow2-json.ts), then the added fields.

export const ENRICH_FIELD_BASE = 2000;
const NEWLINE = Buffer.from('\n');
const EMPTY = Buffer.alloc(0);
const MAX_MESSAGE = 16 * 1024 * 1024;

/** FlowMessage fields holding addresses, by the names a -mapping may use. */
const ADDRESS_FIELDS: Readonly<Record<string, number>> = {
  SrcAddr: 6,
  src_addr: 6,
  DstAddr: 7,
  dst_addr: 7,
  SamplerAddress: 11,
  sampler_address: 11,
  NextHop: 12,
  next_hop: 12,
  BgpNextHop: 100,
  bgp_next_hop: 100,
};

/** The FlowMessage field numbers a -mapping names; a ConfigError for a field that holds no address. */
export function addressFields(mapping: readonly MappingEntry[] | undefined): { number: number; prefix: string }[] {
  return (mapping ?? parseMapping(DEFAULT_MAPPING)).map(({ field, prefix }) => {
    const number = ADDRESS_FIELDS[field];
    if (number === undefined) throw new ConfigError(`-mapping: "${field}" is not an address field of goflow2's FlowMessage (protobuf input: ${Object.keys(ADDRESS_FIELDS).join(', ')})`);
    return { number, prefix };
  });
}

export interface ProtobufStats {
  records: number;
  enriched: number;
  /** Input bytes that could not be read as a FlowMessage (the rest of the stream is skipped). */
  invalid: number;
}

export class ProtobufEnricher {
  readonly stats: ProtobufStats = { records: 0, enriched: 0, invalid: 0 };
  private buffer: Buffer = Buffer.alloc(0);
  /** goflow2 v1's file transport separator: not yet known, present, absent. */
  private separator: 'unknown' | 'newline' | 'none' = 'unknown';
  /** The last thing read was a message: a separator may follow. */
  private afterMessage = false;
  private readonly fields: readonly { number: number; prefix: string }[];
  /** Why the stream stopped being goflow2 protobuf (at which byte); nothing after it is read as records. */
  failure: string | undefined;
  /** Input bytes before the current buffer. */
  private consumed = 0;

  constructor(
    private readonly enricher: IpEnrichment,
    private readonly output: 'json' | 'pb',
    mapping: readonly MappingEntry[] | undefined,
    private readonly logger: Logger,
  ) {
    this.fields = addressFields(mapping);
  }

  /** Takes input bytes; returns the output for every complete message in them. */
  push(chunk: Buffer): Buffer {
    if (this.failure !== undefined) {
      // After the point of failure every byte is counted as lost, none silently.
      this.stats.invalid += chunk.length;
      return EMPTY;
    }
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    return this.drain(false);
  }

  /** End of input: whatever remains. */
  end(): Buffer {
    const out = this.failure === undefined ? this.drain(true) : EMPTY;
    if (this.buffer.length > 0 && this.failure === undefined) {
      this.stats.invalid += this.buffer.length;
      this.logger.warn({ bytes: this.buffer.length }, 'input ended inside a protobuf message: skipped');
    }
    this.buffer = Buffer.alloc(0);
    return out;
  }

  private drain(final: boolean): Buffer {
    const out: Buffer[] = [];
    const buf = this.buffer;
    let pos = 0;
    while (this.failure === undefined && pos < buf.length) {
      if (this.afterMessage && this.separator !== 'none' && buf[pos] === 0x0a) {
        if (this.separator === 'unknown') {
          const mode = detectSeparator(buf, pos, final);
          if (mode === undefined) break; // need more bytes to tell
          this.separator = mode;
        }
        if (this.separator === 'newline') {
          if (this.output === 'pb') out.push(NEWLINE);
          this.afterMessage = false;
          pos++;
          continue;
        }
      } else if (this.afterMessage && this.separator === 'unknown') {
        this.separator = 'none';
      }
      const length = readVarint(buf, pos);
      if (length === undefined) {
        // Ten bytes without an end are no varint at all: not worth waiting for more.
        if (buf.length - pos >= 10) this.fail(buf, pos, 'a length prefix longer than ten bytes');
        break;
      }
      if (typeof length[0] !== 'number' || length[0] > MAX_MESSAGE) {
        this.fail(buf, pos, `a message length of ${length[0]} bytes (16 MiB at most)`);
        break;
      }
      const start = length[1];
      const end = start + length[0];
      if (end > buf.length) break;
      const message = parseFlowMessage(buf.subarray(start, end));
      if (message === undefined) {
        this.fail(buf, pos, 'a message that is not a well-formed FlowMessage');
        break;
      }
      out.push(this.render(buf.subarray(start, end), message));
      this.afterMessage = true;
      pos = end;
    }
    this.consumed += pos;
    this.buffer = this.failure !== undefined ? EMPTY : buf.subarray(pos);
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** Stops reading records at `pos`: what is left is counted as invalid, and so is everything after it. */
  private fail(buf: Buffer, pos: number, why: string): void {
    const at = this.consumed + pos;
    this.failure = `byte ${at}: ${why}, not goflow2's varint-delimited protobuf`;
    this.stats.invalid += buf.length - pos;
    this.logger.error({ byte: at }, `protobuf input: ${why}; nothing after it is read as records`);
  }

  private render(raw: Uint8Array, message: FlowMessage): Buffer {
    this.stats.records++;
    const added: [string, string, number][] = [];
    this.fields.forEach(({ number, prefix }, index) => {
      const ip = goflowIpText(message.bytes.get(number), 2);
      if (ip === '') return;
      for (const [name, value] of this.enricher.lookup(ip)) added.push([prefix + name, value, ENRICH_FIELD_BASE + 10 * index + ADDED_FIELDS.indexOf(name)]);
    });
    if (added.length > 0) this.stats.enriched++;
    if (this.output === 'json') {
      const extra = added.map(([name, value]) => `,${JSON.stringify(name)}:${JSON.stringify(value)}`).join('');
      return Buffer.from(`${renderFlowMessage(message)}${extra}}\n`);
    }
    const tail = protobuf.Writer.create();
    for (const [, value, field] of added) tail.uint32(field * 8 + 2).string(value);
    const fields = tail.finish();
    const body = added.some(([, , field]) => message.bytes.has(field)) ? withoutFields(raw, new Set(added.map(([, , field]) => field))) : raw;
    return Buffer.concat([protobuf.Writer.create().uint32(body.length + fields.length).finish(), body, fields]);
  }
}

/**
 * At a 0x0a after the first message: goflow2 v1's "\n" separator when a
 * well-formed message follows it and ends where the input ends or at another
 * 0x0a; otherwise the length (10) of the next message. undefined: more bytes
 * are needed to tell.
 */
function detectSeparator(buf: Buffer, at: number, final: boolean): 'newline' | 'none' | undefined {
  if (at + 1 >= buf.length) return final ? 'newline' : undefined;
  const length = readVarint(buf, at + 1);
  if (length === undefined || typeof length[0] !== 'number') return final ? 'none' : undefined;
  const nextEnd = length[1] + length[0];
  if (nextEnd > buf.length) return final ? 'none' : undefined;
  const separated = parseFlowMessage(buf.subarray(length[1], nextEnd)) !== undefined && (nextEnd === buf.length || buf[nextEnd] === 0x0a);
  return separated ? 'newline' : 'none';
}

/** A message body without the given fields (an earlier enrichment's, about to be written again). */
function withoutFields(raw: Uint8Array, fields: ReadonlySet<number>): Uint8Array {
  const kept: Uint8Array[] = [];
  scanFields(raw, ({ field, start, end }) => {
    if (!fields.has(field)) kept.push(raw.subarray(start, end));
  });
  return Buffer.concat(kept);
}
