import protobuf from 'protobufjs/minimal.js';
import type { DecodeFailure } from './codec.js';

// The stream's hot path decoder. Goldmane re-sends the same flow keys every
// 15 seconds, and the key (names, namespaces, policy trace) is most of each
// message. This decoder reads FlowResult and Flow with protobufjs' Reader but
// leaves the FlowKey as a view on its encoded bytes: the source decodes a key
// (with the generated decoder) only the first time those bytes appear.
// bench/goldmane-stream.bench.ts measures the difference. Field numbers are
// those of proto/goldmane.proto; unknown fields are skipped.

export interface FlowReport {
  readonly id: number;
  /** The encoded FlowKey (a view on the message), or undefined when absent. */
  readonly key: Uint8Array | undefined;
  readonly startTime: number;
  readonly endTime: number;
  /**
   * The encoded label fields (source_labels, dest_labels) as one view, for
   * decodeLabels: their own span when contiguous (as Go writes them), else the
   * whole Flow. Labels rarely change between a key's reports, so the source
   * decodes them only when these bytes differ from the last ones.
   */
  readonly labels: Uint8Array | undefined;
  readonly packetsIn: number;
  readonly packetsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly numConnectionsStarted: number;
  readonly numConnectionsCompleted: number;
  readonly numConnectionsLive: number;
  /** False when the FlowResult carried no Flow. */
  readonly hasFlow: boolean;
}

type MutableReport = { -readonly [K in keyof FlowReport]: FlowReport[K] };

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const TWO_32 = 2 ** 32;

/**
 * An int64 varint as a JS number, read straight from the reader's bytes in
 * two 32-bit halves (as protobufjs' LongBits does): exact below 2^53
 * (Goldmane's seconds and counters), negative values (ten bytes, two's
 * complement) come out negative. protobufjs' own int64() returns a Long where
 * the `long` package is installed, unless a process-wide switch turns that
 * off for every protobufjs user in the process.
 */
function int64(reader: protobuf.Reader): number {
  const { buf, len } = reader;
  let pos = reader.pos;
  let low = 0;
  let high = 0;
  const next = (): number => {
    if (pos >= len) throw new RangeError(`index out of range: ${pos + 1} > ${len}`);
    return buf[pos++] as number;
  };
  let byte = 0;
  let done = false;
  for (let index = 0; index < 4 && !done; index++) {
    byte = next();
    low = (low | ((byte & 127) << (index * 7))) >>> 0;
    done = byte < 128;
  }
  if (!done) {
    byte = next();
    low = (low | ((byte & 127) << 28)) >>> 0;
    high = (byte & 127) >>> 4;
    done = byte < 128;
  }
  for (let index = 0; index < 5 && !done; index++) {
    byte = next();
    high = (high | ((byte & 127) << (index * 7 + 3))) >>> 0;
    done = byte < 128;
  }
  if (!done) throw new Error('invalid varint encoding');
  reader.pos = pos;
  if (high >>> 31 === 0) return low + high * TWO_32;
  // Two's complement: negate both halves.
  const negLow = (~low + 1) >>> 0;
  const negHigh = negLow === 0 ? (~high + 1) >>> 0 : ~high >>> 0;
  return -(negLow + negHigh * TWO_32);
}

function decodeFlow(reader: protobuf.Reader, bytes: Uint8Array, end: number, report: MutableReport): void {
  const flowStart = reader.pos;
  let labelsStart = -1;
  let labelsEnd = -1;
  let contiguous = true;
  while (reader.pos < end) {
    const tagStart = reader.pos;
    const tag = reader.uint32();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (wireType === LENGTH_DELIMITED) {
      if (field === 1) {
        const length = reader.uint32();
        const start = reader.pos;
        if (start + length > end) throw new RangeError('FlowKey overruns its Flow');
        report.key = bytes.subarray(start, start + length);
        reader.pos = start + length;
        continue;
      }
      if (field === 4 || field === 5) {
        if (labelsStart < 0) labelsStart = tagStart;
        else if (labelsEnd !== tagStart) contiguous = false;
        reader.skipType(LENGTH_DELIMITED);
        labelsEnd = reader.pos;
        continue;
      }
    } else if (wireType === VARINT) {
      switch (field) {
        case 2:
          report.startTime = int64(reader);
          continue;
        case 3:
          report.endTime = int64(reader);
          continue;
        case 6:
          report.packetsIn = int64(reader);
          continue;
        case 7:
          report.packetsOut = int64(reader);
          continue;
        case 8:
          report.bytesIn = int64(reader);
          continue;
        case 9:
          report.bytesOut = int64(reader);
          continue;
        case 10:
          report.numConnectionsStarted = int64(reader);
          continue;
        case 11:
          report.numConnectionsCompleted = int64(reader);
          continue;
        case 12:
          report.numConnectionsLive = int64(reader);
          continue;
        default:
      }
    }
    reader.skipType(wireType);
  }
  if (reader.pos !== end) throw new RangeError('Flow overruns its FlowResult');
  if (labelsStart >= 0) report.labels = contiguous ? bytes.subarray(labelsStart, labelsEnd) : bytes.subarray(flowStart, end);
}

export interface FlowLabels {
  readonly source: readonly string[];
  readonly dest: readonly string[];
}

export const NO_LABELS: FlowLabels = { source: [], dest: [] };

/** The labels in FlowReport.labels. Throws on malformed bytes (decodeFlowReport has walked them already). */
export function decodeLabels(bytes: Uint8Array | undefined): FlowLabels {
  if (bytes === undefined) return NO_LABELS;
  const source: string[] = [];
  const dest: string[] = [];
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    const field = tag >>> 3;
    if (wireType === LENGTH_DELIMITED && field === 4) source.push(reader.string());
    else if (wireType === LENGTH_DELIMITED && field === 5) dest.push(reader.string());
    else reader.skipType(wireType);
  }
  return { source, dest };
}

/** Decodes a FlowResult without its FlowKey; never throws. */
export function decodeFlowReport(bytes: Uint8Array): FlowReport | DecodeFailure {
  const report: MutableReport = {
    id: 0,
    key: undefined,
    startTime: 0,
    endTime: 0,
    labels: undefined,
    packetsIn: 0,
    packetsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    numConnectionsStarted: 0,
    numConnectionsCompleted: 0,
    numConnectionsLive: 0,
    hasFlow: false,
  };
  try {
    const reader = protobuf.Reader.create(bytes);
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const wireType = tag & 7;
      const field = tag >>> 3;
      if (field === 1 && wireType === VARINT) {
        report.id = int64(reader);
        continue;
      }
      if (field === 2 && wireType === LENGTH_DELIMITED) {
        const length = reader.uint32();
        const end = reader.pos + length;
        if (end > reader.len) throw new RangeError('Flow overruns the message');
        report.hasFlow = true;
        decodeFlow(reader, bytes, end, report);
        continue;
      }
      reader.skipType(wireType);
    }
    return report;
  } catch (error) {
    return { decodeError: (error as Error).message };
  }
}
