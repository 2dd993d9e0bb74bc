import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pino from 'pino';
import type { Enricher } from '../../src/enrich/enricher.js';
import { JsonLineEnricher } from '../../src/enrich/json-lines.js';
import { parseFlowMessage } from '../../src/enrich/flow-message.js';
import { ProtobufEnricher } from '../../src/enrich/protobuf.js';
import { slimEndpointSlice, slimNode, slimOwned, slimPod, slimService } from '../../src/kube/objects.js';

// Decoders never throw on bad input: random and truncated bytes, random JSON.

const nothing = { lookup: () => [], generation: 0 } as unknown as Enricher;

test('protobuf input: random and truncated bytes are counted, never thrown', () => {
  for (let i = 0; i < 2_000; i++) {
    const bytes = randomBytes(1 + (i % 300));
    assert.doesNotThrow(() => parseFlowMessage(bytes));
    const enricher = new ProtobufEnricher(nothing, i % 2 === 0 ? 'json' : 'pb', undefined, pino({ level: 'silent' }));
    assert.doesNotThrow(() => {
      enricher.push(bytes.subarray(0, bytes.length >> 1));
      enricher.push(bytes.subarray(bytes.length >> 1));
      enricher.end();
    });
    assert.ok(enricher.stats.records >= 0 && enricher.stats.invalid >= 0);
  }
});

test('JSON lines: arbitrary text passes through unchanged', () => {
  const enricher = new JsonLineEnricher(nothing);
  const samples = ['', ' ', '[]', 'null', '1', '"x"', '{', '}', '{"SrcAddr":1}', '{"SrcAddr":null}', '{"a":{"SrcAddr":"10.0.0.1"}}'];
  for (let i = 0; i < 2_000; i++) samples.push(randomBytes(1 + (i % 64)).toString('latin1'));
  for (const line of samples) assert.equal(enricher.enrich(line), line);
});

test('object slimmers take any JSON without throwing', () => {
  const values: unknown[] = [null, 1, 'x', [], {}, { metadata: 5 }, { metadata: { name: 1, ownerReferences: 'x' }, spec: [], status: { podIPs: [null, 1, { ip: 2 }] } }];
  for (const value of values) {
    for (const slim of [slimPod, slimService, slimNode, slimEndpointSlice, slimOwned]) assert.doesNotThrow(() => slim(value));
  }
});
