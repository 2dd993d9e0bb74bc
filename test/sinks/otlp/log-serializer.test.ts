import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnyValue } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor, type ReadableLogRecord, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { FastJsonLogsSerializer, FastProtobufLogsSerializer } from '../../../src/sinks/otlp/log-serializer.js';
import { decodeExportRequest } from '../../support/otlp-receiver.js';

// flowlens' OTLP serializers against the SDK's own: both outputs decoded with
// the official OTLP schema must be the same messages, for every kind of value.

function collect(emit: (provider: LoggerProvider) => void): ReadableLogRecord[] {
  const records: ReadableLogRecord[] = [];
  const collector: LogRecordProcessor = {
    onEmit: (record: SdkLogRecord) => void records.push(record),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  emit(new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'flowlens', 'k8s.cluster.name': 'eu-1', shards: 3 }), processors: [collector] }));
  return records;
}

function same(records: ReadableLogRecord[], what: string): void {
  const official = decodeExportRequest(Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!), 'application/x-protobuf');
  const fast = new FastProtobufLogsSerializer();
  // Twice: the second pass reads the memo of encoded attribute values.
  for (const round of [1, 2]) {
    const ours = decodeExportRequest(Buffer.from(fast.serializeRequest(records)!), 'application/x-protobuf');
    assert.deepEqual(ours, official, `${what}: protobuf, round ${round}`);
  }
  const officialJson = decodeExportRequest(Buffer.from(JsonLogsSerializer.serializeRequest(records)!), 'application/json');
  const fastJson = new FastJsonLogsSerializer();
  for (const round of [1, 2]) {
    const ours = decodeExportRequest(Buffer.from(fastJson.serializeRequest(records)!), 'application/json');
    assert.deepEqual(ours, officialJson, `${what}: JSON, round ${round}`);
  }
}

test('the same OTLP messages as the SDK serializers: flow-log records', () => {
  const records = collect((provider) => {
    const logger = provider.getLogger('flowlens/flows', '0.1.0');
    for (let i = 0; i < 50; i++) {
      logger.emit({
        timestamp: [1_764_970_860 + i * 15, 0],
        severityNumber: i % 3 === 0 ? 13 : 9,
        severityText: i % 3 === 0 ? 'WARN' : 'INFO',
        body: `{"Key":{"sourceName":"web-${i % 4}-*","proto":"tcp"},"startTime":"${1_764_970_845 + i * 15}"}`,
        attributes: { action: i % 3 === 0 ? 'Deny' : 'Allow', source_name: `web-${i % 4}-*`, dest_port: 5432, enforced_policies: ['shop/allow-db', 'default:end-of-tier'], packets_in: i * 1_000_000_007 },
      });
    }
    // Frozen arrays are encoded once per (key, array): shared across records and keys.
    const frozen = Object.freeze(['shop/allow-db', 'tier:end-of-tier']) as string[];
    for (let i = 0; i < 3; i++) provider.getLogger('flowlens/flows', '0.1.0').emit({ body: `b${i}`, attributes: { enforced_policies: frozen, pending_policies: frozen, other: [`x${i}`] } });
    provider.getLogger('another-scope').emit({ body: 'plain text', attributes: { note: 'ünïcødé ✓ 日本' } });
  });
  same(records, 'flow logs');
});

test('the same OTLP messages as the SDK serializers: every kind of value', () => {
  let state = 7;
  const random = (): number => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const scalar = (): AnyValue => {
    const pick = Math.floor(random() * 7);
    if (pick === 0) return `s${Math.floor(random() * 5)}`;
    if (pick === 1) return random() < 0.5;
    if (pick === 2) return Math.floor((random() - 0.5) * 2 ** 40);
    if (pick === 3) return (random() - 0.5) * 1e6;
    if (pick === 4) return -Math.floor(random() * 100);
    if (pick === 5) return new Uint8Array([1, 2, Math.floor(random() * 256)]);
    return '';
  };
  const value = (depth: number): AnyValue => {
    const pick = random();
    if (depth < 2 && pick < 0.15) return [scalar(), scalar(), value(depth + 1)];
    if (depth < 2 && pick < 0.3) return { a: scalar(), b: value(depth + 1), 'c.d': scalar() };
    return scalar();
  };
  const records = collect((provider) => {
    const logger = provider.getLogger('fuzz', '1');
    for (let i = 0; i < 300; i++) {
      const attributes: Record<string, AnyValue> = {};
      for (let j = 0; j < 6; j++) attributes[`k${Math.floor(random() * 10)}`] = value(0);
      logger.emit({
        timestamp: [1_700_000_000 + i, Math.floor(random() * 1e9)],
        severityNumber: Math.floor(random() * 24),
        ...(random() < 0.5 ? { severityText: 'X' } : {}),
        ...(random() < 0.8 ? { body: value(0) } : {}),
        ...(random() < 0.2 ? { eventName: 'flow' } : {}),
        attributes,
      });
    }
  });
  same(records, 'generated values');
});
