import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADDED_FIELDS, parseMapping, type Enrichment, type IpEnrichment } from '../../src/enrich/enricher.js';
import { JsonLineEnricher } from '../../src/enrich/json-lines.js';
import { JsonLineStream } from '../../src/enrich/json-stream.js';

// The JSON record writer on its own: which fields a record already holds and
// must have replaced, for every field the default and custom mappings add.

const POD: Enrichment = [['Pod', 'web-1'], ['Namespace', 'shop'], ['HostIP', '10.0.0.11'], ['Workload', 'web'], ['WorkloadKind', 'Deployment'], ['Warn', 'Several owners found for pod web-1: A/a,B/b']];
const known: IpEnrichment = { generation: 0, lookup: (ip) => (ip === '10.244.1.10' ? POD : []) };

test('every field a mapping adds is replaced when the record already holds it, whatever the prefix', () => {
  for (const mapping of [undefined, 'SrcAddr=Src,DstAddr=Dst', 'SrcAddr=K8sSrc', 'NextHop=Nxt']) {
    const entries = mapping === undefined ? undefined : parseMapping(mapping);
    const writer = new JsonLineEnricher(known, entries);
    const [field, prefix] = entries === undefined ? ['SrcAddr', 'Src'] : [entries[0]!.field, entries[0]!.prefix];
    for (const name of ADDED_FIELDS) {
      const line = `{"${field}":"10.244.1.10","${prefix}${name}":"stale","Bytes":18446744073709551615}`;
      const out = writer.enrich(line);
      const keys = [...out.matchAll(/"([A-Za-z0-9]+)":/g)].map((match) => match[1]);
      assert.equal(keys.filter((key) => key === `${prefix}${name}`).length, 1, `${mapping ?? 'default'}: one ${prefix}${name} in ${out}`);
      assert.ok(!out.includes('"stale"'), out);
      assert.ok(out.includes('"Bytes":18446744073709551615'), 'other members untouched, numbers as written');
    }
  }
});

test('mapping entries sharing a prefix: the later entry wins, each key once; an unknown later address keeps the earlier fields', () => {
  const writer = new JsonLineEnricher(known, parseMapping('SrcAddr=Src,NextHop=Src'));
  assert.equal(writer.enrich('{"SrcAddr":"192.0.2.1","NextHop":"10.244.1.10"}'), `{"SrcAddr":"192.0.2.1","NextHop":"10.244.1.10",${POD.map(([name, value]) => `"Src${name}":${JSON.stringify(value)}`).join(',')}}`);
  const both = writer.enrich('{"SrcAddr":"10.244.1.10","NextHop":"10.244.1.10"}');
  assert.equal(both.match(/"SrcPod"/g)?.length, 1, both);
});

test('the line stream: lines split across chunks, a line beyond the limit passed through whole and counted, the last line without a newline', () => {
  const stream = new JsonLineStream(new JsonLineEnricher(known), 1_000);
  const record = '{"SrcAddr":"10.244.1.10"}';
  const long = `{"SrcAddr":"10.244.1.10","Pad":"${'x'.repeat(3_000)}"}`;
  const input = Buffer.from(`${record}\n${long}\n${record}\n${record}`);
  let out = '';
  // Chunks of 7 bytes: every boundary falls inside a line somewhere.
  for (let at = 0; at < input.length; at += 7) out += stream.push(input.subarray(at, at + 7)).toString();
  out += stream.end().toString();
  const enriched = `{"SrcAddr":"10.244.1.10",${POD.map(([name, value]) => `"Src${name}":${JSON.stringify(value)}`).join(',')}}`;
  assert.equal(out, `${enriched}\n${long}\n${enriched}\n${enriched}`);
  assert.equal(stream.lines, 4);
  assert.equal(stream.tooLong, 1);
});
