// goflow2's FlowMessage on the wire (package flowpb; v1: pb/flow.proto of
// goflow2 v1.x, v2: pb/flow.proto of v2.x). Read by hand rather than with
// protobufjs: goflow2's uint64 fields (v2 nanosecond times, byte counters)
// must come out exact, and the reader has to tell v1 from v2 per message.
// Pure functions; they never throw.

export type Scalar = number | bigint;

export interface FlowMessage {
  /** v1 has time_received (field 2), v2 time_received_ns (110) and its siblings. */
  readonly version: 1 | 2;
  /** Varint fields (the last value of a field wins, as in proto3). */
  readonly scalars: Map<number, Scalar>;
  /** Length-delimited singular fields (addresses). */
  readonly bytes: Map<number, Uint8Array>;
  /** Repeated varint fields, packed or not, in order. */
  readonly repeated: Map<number, Scalar[]>;
  /** Repeated bytes fields (mpls_ip, ipv6_routing_header_addresses), in order. */
  readonly repeatedBytes: Map<number, Uint8Array[]>;
}

/** v2 repeated varint fields: bgp_communities, as_path, mpls_ttl, mpls_label, layer_stack, layer_size. */
const REPEATED = new Set([101, 102, 80, 81, 103, 104]);
/** v2 repeated bytes fields: mpls_ip, ipv6_routing_header_addresses. */
const REPEATED_BYTES = new Set([82, 105]);

/**
 * A varint at pos: [value, next position], or undefined when the buffer ends
 * first or it is longer than ten bytes. Values beyond 2^53 come out as BigInt.
 */
export function readVarint(buf: Uint8Array, pos: number): [Scalar, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    if (pos >= buf.length) return undefined;
    const byte = buf[pos++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
  // Beyond 49 bits: exact with BigInt, wrapped to 64 bits as protobuf does.
  let big = BigInt(value);
  let shift = 49n;
  for (let i = 7; i < 10; i++) {
    if (pos >= buf.length) return undefined;
    const byte = buf[pos++]!;
    big |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) {
      big = BigInt.asUintN(64, big);
      return [big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big, pos];
    }
    shift += 7n;
  }
  return undefined;
}

function push<T>(map: Map<number, T[]>, field: number, value: T): void {
  const list = map.get(field);
  if (list === undefined) map.set(field, [value]);
  else list.push(value);
}

/** One field of a message: its number, and its value (varint) or bytes (length-delimited); `start`/`end` span the whole field. */
export interface WireField {
  readonly field: number;
  readonly wire: number;
  readonly value?: Scalar;
  readonly data?: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/** Visits each field of a message body in order; false when the body is not well-formed protobuf. */
export function scanFields(buf: Uint8Array, visit: (field: WireField) => boolean | void): boolean {
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const tag = readVarint(buf, pos);
    if (tag === undefined || typeof tag[0] !== 'number') return false;
    pos = tag[1];
    const field = Math.floor(tag[0] / 8);
    const wire = tag[0] % 8;
    if (field === 0) return false;
    let value: Scalar | undefined;
    let data: Uint8Array | undefined;
    if (wire === 0) {
      const read = readVarint(buf, pos);
      if (read === undefined) return false;
      [value, pos] = read;
    } else if (wire === 2) {
      const length = readVarint(buf, pos);
      if (length === undefined || typeof length[0] !== 'number' || length[1] + length[0] > buf.length) return false;
      data = buf.subarray(length[1], length[1] + length[0]);
      pos = length[1] + length[0];
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) return false;
    } else {
      return false;
    }
    if (visit({ field, wire, ...(value !== undefined ? { value } : {}), ...(data !== undefined ? { data } : {}), start, end: pos }) === false) return false;
  }
  return true;
}

/** Parses a FlowMessage body; undefined when it is not well-formed protobuf. */
export function parseFlowMessage(buf: Uint8Array): FlowMessage | undefined {
  const scalars = new Map<number, Scalar>();
  const bytes = new Map<number, Uint8Array>();
  const repeated = new Map<number, Scalar[]>();
  const repeatedBytes = new Map<number, Uint8Array[]>();
  const wellFormed = scanFields(buf, ({ field, value, data }) => {
    if (value !== undefined) {
      if (REPEATED.has(field)) push(repeated, field, value);
      else scalars.set(field, value);
    } else if (data !== undefined) {
      if (REPEATED_BYTES.has(field)) push(repeatedBytes, field, data);
      else if (REPEATED.has(field)) {
        // packed repeated varints
        for (let p = 0; p < data.length; ) {
          const item = readVarint(data, p);
          if (item === undefined) return false;
          push(repeated, field, item[0]);
          p = item[1];
        }
      } else bytes.set(field, data);
    }
    return true;
  });
  if (!wellFormed) return undefined;
  const version = scalars.has(110) || scalars.has(111) || scalars.has(112) ? 2 : 1;
  return { version, scalars, bytes, repeated, repeatedBytes };
}
