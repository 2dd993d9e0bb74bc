import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

test('durations in every accepted form', () => {
  assert.equal(parseDuration('15s'), 15_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1.5s'), 1_500);
  assert.equal(parseDuration('250us'), 0.25);
  assert.equal(parseDuration('15'), 15_000);
  assert.equal(parseDuration(' 2.5 '), 2_500);
  assert.equal(parseDuration(15), 15_000);
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration('0s'), 0);
});

test('bad durations are refused with a readable reason', () => {
  for (const bad of ['', 'abc', '15 s', '10x', '-5s', 's', '1m30', '5s5']) {
    assert.throws(() => parseDuration(bad), /invalid duration/, bad);
  }
  assert.throws(() => parseDuration(-1), /non-negative/);
  assert.throws(() => parseDuration(Number.NaN), /invalid duration/);
  // Timers hold 2^31 - 1 ms: a longer one would fire at once.
  for (const long of ['600h', '2147484s', 2_147_484]) assert.throws(() => parseDuration(long), /longer than 24\.8 days/, String(long));
  assert.equal(parseDuration('596h'), 596 * 3_600_000);
});

test('formatting writes the shortest exact duration and round-trips', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(15_000), '15s');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(600_000), '10m');
  assert.equal(formatDuration(3_661_001), '1h1m1s1ms');
  assert.equal(formatDuration(0.25), '0.00025s');
  for (const ms of [0, 1, 999, 1_000, 61_000, 3_600_000, 86_400_000, 0.25]) {
    assert.equal(parseDuration(formatDuration(ms)), ms);
  }
});
