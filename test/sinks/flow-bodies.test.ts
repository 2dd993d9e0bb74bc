import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowBodies } from '../../src/sinks/flow-log/body.js';
import { addressFlow } from '../support/address-flow-source.js';

// The flow log sinks keep each flow key's rendered Key. Observable through
// the cache key: a record whose key is remembered gets the remembered Key,
// whatever its own fields say (sources never reuse a key for other fields).
function record(key: string, name: string) {
  return { ...addressFlow({ ip: '10.0.0.1', name }, { ip: '10.0.0.2' }), key };
}

function keyName(body: string): string {
  return (JSON.parse(body) as { Key: { sourceName: string } }).Key.sourceName;
}

test('flow bodies: keys kept are reused, at most maxKeys of them, the longest unused forgotten; idle keys cost nothing', () => {
  let now = 0;
  const bodies = new FlowBodies(4, 60_000, () => now);
  assert.equal(keyName(bodies.body(record('hot', 'first'))), 'first');
  assert.equal(keyName(bodies.body(record('hot', 'second'))), 'first', 'a kept key is not rendered again');

  // Twenty new keys while 'hot' stays in use: never more than 4 kept, 'hot' survives.
  for (let i = 0; i < 20; i++) {
    bodies.body(record(`cold-${i}`, 'cold'));
    bodies.body(record('hot', 'again'));
    assert.ok(bodies.size <= 4, `kept ${bodies.size}`);
  }
  assert.equal(keyName(bodies.body(record('hot', 'again'))), 'first');
  assert.equal(keyName(bodies.body(record('cold-0', 'renamed'))), 'renamed', 'a key pushed out is rendered afresh');

});

test('flow bodies: with new keys arriving, a key used in the last minute is kept and one unused for two minutes is forgotten', () => {
  let now = 0;
  const bodies = new FlowBodies(100, 60_000, () => now);
  for (const key of ['hot', 'cold']) bodies.body(record(key, 'first'));
  const minuteLater = (key: string): void => {
    now += 60_000;
    bodies.body(record(key, key));
  };
  minuteLater('new-1');
  assert.equal(keyName(bodies.body(record('hot', 'again'))), 'first', 'used a minute ago: still kept');
  minuteLater('new-2');
  assert.equal(keyName(bodies.body(record('cold', 'renamed'))), 'renamed', 'unused for two minutes: rendered afresh');
  minuteLater('new-3');
  minuteLater('new-4');
  assert.equal(bodies.size, 2, 'only the keys of the last two minutes are kept');
  assert.equal(keyName(bodies.body(record('hot', 'renamed'))), 'renamed');
});
