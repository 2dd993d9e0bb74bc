import type { HrTime } from '@opentelemetry/api';
import type { AnyValue } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer, type IExportLogsServiceResponse, type ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

// OTLP ExportLogsServiceRequest encoders (protobuf and JSON) for the SDK's
// log records, plugged into the SDK's own OTLP/HTTP export delegate in place
// of its serializers. They produce the same messages (test/sinks/otlp proves
// it by decoding both with the official schema), faster: flow logs repeat the
// same attribute values (names, namespaces, enum names) in record after
// record, so each (key, string value) pair is encoded once and copied after.
// bench/otlp-export.bench.ts measures both against the SDK's serializers.

type Attributes = ReadableLogRecord['attributes'];

const MAX_MEMO_VALUES = 50_000;
const MEMO_MAX_LENGTH = 256;

/** Groups records by resource and scope, keeping first-seen order, as the SDK does. */
function groups(records: readonly ReadableLogRecord[]): Map<ReadableLogRecord['resource'], Map<ReadableLogRecord['instrumentationScope'], ReadableLogRecord[]>> {
  const byResource = new Map<ReadableLogRecord['resource'], Map<ReadableLogRecord['instrumentationScope'], ReadableLogRecord[]>>();
  for (const record of records) {
    let byScope = byResource.get(record.resource);
    if (byScope === undefined) byResource.set(record.resource, (byScope = new Map()));
    let list = byScope.get(record.instrumentationScope);
    if (list === undefined) byScope.set(record.instrumentationScope, (list = []));
    list.push(record);
  }
  return byResource;
}

/** A (key, value) → encoding cache, two levels deep so lookups never build a combined string. */
class PairMemo<T> {
  private readonly byKey = new Map<string, Map<string, T>>();
  private size = 0;

  get(key: string, value: string): T | undefined {
    return this.byKey.get(key)?.get(value);
  }

  /** The encoding of (key, value), made by `make` the first time. */
  getOrCreate(key: string, value: string, make: (key: string, value: string) => T): T {
    let encoded = this.get(key, value);
    if (encoded === undefined) {
      encoded = make(key, value);
      this.set(key, value, encoded);
    }
    return encoded;
  }

  set(key: string, value: string, encoded: T): void {
    if (value.length > MEMO_MAX_LENGTH) return;
    if (this.size >= MAX_MEMO_VALUES) {
      this.byKey.clear();
      this.size = 0;
    }
    let values = this.byKey.get(key);
    if (values === undefined) this.byKey.set(key, (values = new Map()));
    values.set(value, encoded);
    this.size++;
  }
}

/**
 * Encodings of frozen array values by (key, array object): a frozen array
 * cannot change, so its encoding can be kept. Flow logs freeze the arrays
 * they share between the records of one flow key (policy names).
 */
class FrozenArrayMemo<T> {
  private readonly byKey = new Map<string, WeakMap<readonly unknown[], T>>();

  getOrCreate<V extends readonly unknown[]>(key: string, value: V, make: (key: string, value: V) => T): T {
    let arrays = this.byKey.get(key);
    if (arrays === undefined) {
      arrays = new WeakMap();
      if (this.byKey.size < MAX_MEMO_VALUES) this.byKey.set(key, arrays);
    }
    let encoded = arrays.get(value);
    if (encoded === undefined) {
      encoded = make(key, value);
      arrays.set(value, encoded);
    }
    return encoded;
  }
}

// ---- protobuf -------------------------------------------------------------

const LENGTH_DELIMITED = 2;

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}
const tag = (field: number, wireType: number): number => (field << 3) | wireType;

/** A growable buffer with protobuf primitives. */
class Out {
  buf: Buffer;
  pos = 0;

  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  varint(value: number): void {
    this.ensure(10);
    if (value < 0) {
      // int64 two's complement: ten bytes.
      let big = BigInt.asUintN(64, BigInt(value));
      while (big >= 0x80n) {
        this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      this.buf[this.pos++] = Number(big);
      return;
    }
    while (value >= 0x80) {
      this.buf[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buf[this.pos++] = value;
  }

  /** Bytes as they are, without a length. */
  raw(data: Uint8Array): void {
    this.ensure(data.length);
    if (data.length > 64) {
      this.buf.set(data, this.pos);
      this.pos += data.length;
      return;
    }
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < data.length; i++) buf[pos++] = data[i] as number;
    this.pos = pos;
  }

  bytes(data: Uint8Array, length = data.length): void {
    this.varint(length);
    this.ensure(length);
    if (length > 64) {
      if (length === data.length) this.buf.set(data, this.pos);
      else Buffer.prototype.copy.call(data, this.buf, this.pos, 0, length);
    } else {
      // Small copies: a loop beats the native call.
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < length; i++) buf[pos++] = data[i] as number;
    }
    this.pos += length;
  }

  string(value: string): void {
    const length = Buffer.byteLength(value);
    this.varint(length);
    this.ensure(length);
    this.pos += this.buf.write(value, this.pos, length, 'utf8');
  }

  field(field: number, data: Uint8Array | Out): void {
    this.varint(tag(field, LENGTH_DELIMITED));
    if (data instanceof Out) this.bytes(data.buf, data.pos);
    else this.bytes(data);
  }

  stringField(field: number, value: string): void {
    this.varint(tag(field, LENGTH_DELIMITED));
    this.string(value);
  }

  private lastTime: HrTime = [0, 0];
  private lastTimeLow = 0;
  private lastTimeHigh = 0;

  /** fixed64 nanoseconds; records of one batch share their times, so the last one is kept. */
  hrTimeField(field: number, time: HrTime): void {
    this.varint(tag(field, 1));
    this.ensure(8);
    if (time[0] !== this.lastTime[0] || time[1] !== this.lastTime[1]) {
      const nanos = BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
      this.lastTime = time;
      this.lastTimeLow = Number(nanos & 0xffffffffn);
      this.lastTimeHigh = Number(nanos >> 32n);
    }
    const buf = this.buf;
    let pos = this.pos;
    const low = this.lastTimeLow;
    const high = this.lastTimeHigh;
    buf[pos] = low & 0xff;
    buf[pos + 1] = (low >>> 8) & 0xff;
    buf[pos + 2] = (low >>> 16) & 0xff;
    buf[pos + 3] = low >>> 24;
    buf[pos + 4] = high & 0xff;
    buf[pos + 5] = (high >>> 8) & 0xff;
    buf[pos + 6] = (high >>> 16) & 0xff;
    buf[pos + 7] = high >>> 24;
    this.pos = pos + 8;
  }

  copy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

function hexBytes(hex: string): Uint8Array {
  return Buffer.from(hex, 'hex');
}

export class FastProtobufLogsSerializer implements ISerializer<ReadableLogRecord[], IExportLogsServiceResponse> {
  private readonly pairs = new PairMemo<Buffer>();
  /** Encoded KeyValue.key fields of numeric attributes. */
  private readonly keys = new Map<string, Buffer>();
  private readonly arrays = new FrozenArrayMemo<Buffer>();
  // Scratch buffers, one per nesting level, reused across calls.
  private readonly request = new Out(64 * 1024);
  private readonly resourceLogs = new Out(64 * 1024);
  private readonly scopeLogs = new Out(64 * 1024);
  private readonly record = new Out(64 * 1024);
  private readonly value = new Out(64 * 1024);
  private readonly nested: Out[] = [];

  serializeRequest(records: ReadableLogRecord[]): Uint8Array | undefined {
    const request = this.request.reset();
    for (const [resource, byScope] of groups(records)) {
      const resourceLogs = this.resourceLogs.reset();
      const resourceOut = this.nestedOut(0);
      this.attributes(resourceOut, 1, resource.attributes as Attributes);
      resourceLogs.field(1, resourceOut);
      for (const [scope, list] of byScope) {
        const scopeLogs = this.scopeLogs.reset();
        const scopeOut = this.nestedOut(0);
        if (scope.name) scopeOut.stringField(1, scope.name);
        if (scope.version) scopeOut.stringField(2, scope.version);
        scopeLogs.field(1, scopeOut);
        for (const log of list) scopeLogs.field(2, this.logRecord(log));
        if (scope.schemaUrl) scopeLogs.stringField(3, scope.schemaUrl);
        resourceLogs.field(2, scopeLogs);
      }
      if (resource.schemaUrl) resourceLogs.stringField(3, resource.schemaUrl);
      request.field(1, resourceLogs);
    }
    return request.copy();
  }

  deserializeResponse(data: Uint8Array): IExportLogsServiceResponse {
    return ProtobufLogsSerializer.deserializeResponse(data);
  }

  private nestedOut(depth: number): Out {
    let out = this.nested[depth];
    if (out === undefined) this.nested[depth] = out = new Out();
    return out.reset();
  }

  private logRecord(log: ReadableLogRecord): Out {
    const out = this.record.reset();
    out.hrTimeField(1, log.hrTime);
    if (log.severityNumber) {
      out.varint(tag(2, 0));
      out.varint(log.severityNumber);
    }
    if (log.severityText) out.stringField(3, log.severityText);
    const body = log.body;
    if (typeof body === 'string') {
      // The common case, written in place: AnyValue { string_value }.
      const length = Buffer.byteLength(body);
      out.varint(tag(5, LENGTH_DELIMITED));
      out.varint(1 + varintSize(length) + length);
      out.varint(tag(1, LENGTH_DELIMITED));
      out.varint(length);
      out.ensure(length);
      out.pos += out.buf.write(body, out.pos, length, 'utf8');
    } else if (body !== undefined && body !== null) {
      out.field(5, this.anyValue(this.value.reset(), body, 1));
    }
    this.attributes(out, 6, log.attributes);
    if (log.droppedAttributesCount) {
      out.varint(tag(7, 0));
      out.varint(log.droppedAttributesCount);
    }
    const span = log.spanContext;
    if (span !== undefined) {
      out.varint(tag(8, 5));
      out.ensure(4);
      out.buf.writeUInt32LE(span.traceFlags >>> 0, out.pos);
      out.pos += 4;
      out.field(9, hexBytes(span.traceId));
      out.field(10, hexBytes(span.spanId));
    }
    out.hrTimeField(11, log.hrTimeObserved);
    if (log.eventName) out.stringField(12, log.eventName);
    return out;
  }

  /** Writes each attribute as a KeyValue under `field` of `out`. */
  private attributes(out: Out, field: number, attributes: Attributes): void {
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined) continue;
      if (typeof value === 'string') {
        out.varint(tag(field, LENGTH_DELIMITED));
        out.bytes(this.pairs.getOrCreate(key, value, this.encodePair));
      } else if (typeof value === 'number' && value >= 0 && Number.isSafeInteger(value)) {
        // Counters: the encoded key is kept, the value is a varint.
        let prefix = this.keys.get(key);
        if (prefix === undefined) {
          const scratch = this.nestedOut(1);
          scratch.stringField(1, key);
          prefix = scratch.copy();
          if (this.keys.size < MAX_MEMO_VALUES) this.keys.set(key, prefix);
        }
        const size = varintSize(value);
        out.varint(tag(field, LENGTH_DELIMITED));
        out.varint(prefix.length + 3 + size);
        out.raw(prefix);
        out.varint(tag(2, LENGTH_DELIMITED));
        out.varint(1 + size);
        out.varint(tag(3, 0));
        out.varint(value);
      } else if (Array.isArray(value) && Object.isFrozen(value)) {
        out.varint(tag(field, LENGTH_DELIMITED));
        out.bytes(this.arrays.getOrCreate(key, value, this.encodePair));
      } else {
        out.field(field, this.keyValue(key, value, 1));
      }
    }
  }

  private readonly encodePair = (key: string, value: AnyValue): Buffer => this.keyValue(key, value, 1).copy();

  /** A KeyValue in a scratch buffer (valid until the next call at this depth). */
  private keyValue(key: string, value: AnyValue, depth: number): Out {
    const out = this.nestedOut(depth);
    out.stringField(1, key);
    out.field(2, this.anyValue(this.nestedOut(depth + 1), value, depth + 2));
    return out;
  }

  private anyValue(out: Out, value: AnyValue, depth: number): Out {
    if (typeof value === 'string') {
      out.stringField(1, value);
    } else if (typeof value === 'boolean') {
      out.varint(tag(2, 0));
      out.varint(value ? 1 : 0);
    } else if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) {
        out.varint(tag(3, 0));
        out.varint(value);
      } else {
        out.varint(tag(4, 1));
        out.ensure(8);
        out.buf.writeDoubleLE(value, out.pos);
        out.pos += 8;
      }
    } else if (value instanceof Uint8Array) {
      out.field(7, value);
    } else if (Array.isArray(value)) {
      // Scratch buffers two levels below this value's own depth are free here.
      const list = this.nestedOut(depth);
      for (const item of value) {
        if (item === null || item === undefined) {
          list.varint(tag(1, LENGTH_DELIMITED));
          list.varint(0);
        } else {
          list.field(1, this.anyValue(this.nestedOut(depth + 1), item, depth + 2));
        }
      }
      out.field(5, list);
    } else if (value !== null && value !== undefined && typeof value === 'object') {
      const list = this.nestedOut(depth);
      for (const key in value) {
        const item = (value as Record<string, AnyValue>)[key];
        if (item === undefined) continue;
        const entry = this.nestedOut(depth + 1);
        entry.stringField(1, key);
        if (item !== null) entry.field(2, this.anyValue(this.nestedOut(depth + 2), item, depth + 3));
        list.field(1, entry);
      }
      out.field(6, list);
    }
    return out;
  }
}

// ---- JSON -----------------------------------------------------------------

function hrTimeJson(time: HrTime): string {
  return `"${(BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString()}"`;
}

function anyValueJson(value: AnyValue): string {
  if (typeof value === 'string') return `{"stringValue":${JSON.stringify(value)}}`;
  if (typeof value === 'boolean') return `{"boolValue":${value}}`;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return `{"intValue":${value}}`;
    if (Number.isFinite(value)) return `{"doubleValue":${value}}`;
    return `{"doubleValue":${JSON.stringify(Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity')}}`;
  }
  if (value instanceof Uint8Array) return `{"bytesValue":"${Buffer.from(value).toString('base64')}"}`;
  if (Array.isArray(value)) return `{"arrayValue":{"values":[${value.map((item) => (item === null || item === undefined ? '{}' : anyValueJson(item))).join(',')}]}}`;
  if (value !== null && value !== undefined && typeof value === 'object') {
    const values: string[] = [];
    for (const key in value) {
      const item = (value as Record<string, AnyValue>)[key];
      if (item !== undefined) values.push(keyValueJson(key, item));
    }
    return `{"kvlistValue":{"values":[${values.join(',')}]}}`;
  }
  return '{}';
}

function keyValueJson(key: string, value: AnyValue): string {
  return value === null ? `{"key":${JSON.stringify(key)}}` : `{"key":${JSON.stringify(key)},"value":${anyValueJson(value)}}`;
}

/** A growable buffer of JSON text. */
class JsonOut extends Out {
  /** Text as it is (already JSON). */
  text(value: string): void {
    this.ensure(value.length * 3);
    if (value.length <= 2) {
      // Punctuation: a native call costs more than the bytes.
      for (let i = 0; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) {
          this.pos += this.buf.write(value.slice(i), this.pos, 'utf8');
          return;
        }
        this.buf[this.pos++] = code;
      }
      return;
    }
    this.pos += this.buf.write(value, this.pos, 'utf8');
  }

  /** A decimal integer. */
  int(value: number): void {
    if (value >= 0 && value < 10) {
      this.ensure(1);
      this.buf[this.pos++] = 0x30 + value;
    } else {
      this.text(String(value));
    }
  }

  /** Nanoseconds as a JSON string; records of one batch share their times, so the last one is kept. */
  private lastJsonTime: HrTime = [0, 0];
  private lastTimeJson = '""';
  hrTime(time: HrTime): void {
    if (time[0] !== this.lastJsonTime[0] || time[1] !== this.lastJsonTime[1]) {
      this.lastJsonTime = time;
      this.lastTimeJson = hrTimeJson(time);
    }
    this.text(this.lastTimeJson);
  }
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

export class FastJsonLogsSerializer implements ISerializer<ReadableLogRecord[], IExportLogsServiceResponse> {
  private readonly pairs = new PairMemo<Buffer>();
  private readonly intPrefixes = new Map<string, Buffer>();
  private readonly arrays = new FrozenArrayMemo<Buffer>();
  private readonly out = new JsonOut(256 * 1024);

  serializeRequest(records: ReadableLogRecord[]): Uint8Array | undefined {
    const out = this.out.reset();
    out.text('{"resourceLogs":[');
    let firstResource = true;
    for (const [resource, byScope] of groups(records)) {
      out.text(firstResource ? '{"resource":{"attributes":' : ',{"resource":{"attributes":');
      firstResource = false;
      this.attributes(resource.attributes as Attributes);
      out.text('},"scopeLogs":[');
      let firstScope = true;
      for (const [scope, list] of byScope) {
        out.text(`${firstScope ? '' : ','}{"scope":{"name":${JSON.stringify(scope.name)}`);
        firstScope = false;
        if (scope.version) out.text(`,"version":${JSON.stringify(scope.version)}`);
        out.text('},"logRecords":[');
        for (let i = 0; i < list.length; i++) {
          if (i > 0) out.text(',');
          this.logRecord(list[i]!);
        }
        out.text(scope.schemaUrl ? `],"schemaUrl":${JSON.stringify(scope.schemaUrl)}}` : ']}');
      }
      out.text(resource.schemaUrl ? `],"schemaUrl":${JSON.stringify(resource.schemaUrl)}}` : ']}');
    }
    out.text(']}');
    return out.copy();
  }

  deserializeResponse(data: Uint8Array): IExportLogsServiceResponse {
    return JsonLogsSerializer.deserializeResponse(data);
  }

  private logRecord(log: ReadableLogRecord): void {
    const out = this.out;
    out.text('{"timeUnixNano":');
    out.hrTime(log.hrTime);
    out.text(',"observedTimeUnixNano":');
    out.hrTime(log.hrTimeObserved);
    if (log.severityNumber) {
      out.text(',"severityNumber":');
      out.int(log.severityNumber);
    }
    if (log.severityText) out.text(`,"severityText":${JSON.stringify(log.severityText)}`);
    if (log.body !== undefined && log.body !== null) {
      out.text(',"body":');
      out.text(anyValueJson(log.body));
    }
    out.text(',"attributes":');
    this.attributes(log.attributes);
    if (log.droppedAttributesCount) out.text(`,"droppedAttributesCount":${log.droppedAttributesCount}`);
    const span = log.spanContext;
    if (span !== undefined) out.text(`,"flags":${span.traceFlags},"traceId":"${span.traceId}","spanId":"${span.spanId}"`);
    if (log.eventName) out.text(`,"eventName":${JSON.stringify(log.eventName)}`);
    out.text('}');
  }

  private readonly encodePair = (key: string, value: AnyValue): Buffer => utf8(keyValueJson(key, value));

  private attributes(attributes: Attributes): void {
    const out = this.out;
    out.text('[');
    let first = true;
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined) continue;
      if (!first) out.text(',');
      first = false;
      if (typeof value === 'string') {
        out.raw(this.pairs.getOrCreate(key, value, this.encodePair));
      } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
        let prefix = this.intPrefixes.get(key);
        if (prefix === undefined) {
          prefix = utf8(`{"key":${JSON.stringify(key)},"value":{"intValue":`);
          if (this.intPrefixes.size < MAX_MEMO_VALUES) this.intPrefixes.set(key, prefix);
        }
        out.raw(prefix);
        out.int(value);
        out.text('}}');
      } else if (Array.isArray(value) && Object.isFrozen(value)) {
        out.raw(this.arrays.getOrCreate(key, value, this.encodePair));
      } else {
        out.text(keyValueJson(key, value));
      }
    }
    out.text(']');
  }
}
