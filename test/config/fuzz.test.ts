import { componentDefinitions } from '../../src/registry.js';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { widgetDefinition } from '../support/components.js';
import { tempDir } from '../support/temp.js';

// Configuration is input: whatever a file, a variable or a flag holds, loading
// ends in a configuration or in one ConfigError line, never another exception.

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const KEYS = ['server', 'listen', 'tls', 'certFile', 'keyFile', 'clientCAFile', 'basicAuth', 'username', 'passwordFile',
  'metrics', 'maxSeriesPerMetric', 'seriesTtl', 'log', 'level', 'enable', 'shutdownTimeout', 'widget', 'interval', 'token', 'x'];
const SCALARS: unknown[] = ['', ':9090', '15s', 'abc', '[::1]:1', '/etc/hostname', '/nonexistent', 'warning', -1, 0, 1.5,
  10_000, 2 ** 53, Number.NaN, true, false, null, '\u0000', '💥', 'a'.repeat(5_000)];

function value(random: () => number, depth: number): unknown {
  const pick = random();
  if (depth > 3 || pick < 0.5) return SCALARS[Math.floor(random() * SCALARS.length)];
  if (pick < 0.65) return Array.from({ length: Math.floor(random() * 4) }, () => value(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--) object[KEYS[Math.floor(random() * KEYS.length)] as string] = value(random, depth + 1);
  return object;
}

function attempt(run: () => unknown, context: string): void {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `${context}: ${(error as Error).stack}`);
    assert.ok(!error.message.includes('\n'), `${context}: multi-line error ${error.message}`);
  }
}

test('random configuration documents load or fail with one ConfigError line', () => {
  const random = prng(20261122);
  const dir = tempDir('fuzz');
  const file = join(dir, 'config.yaml');
  const started = Date.now();
  for (let i = 0; i < 1_500 && Date.now() - started < 20_000; i++) {
    const document = value(random, 0);
    writeFileSync(file, YAML.stringify(document));
    attempt(() => loadConfig({ configFile: file, env: {}, definitions: [widgetDefinition] }), `document ${JSON.stringify(document)?.slice(0, 200)}`);
    const env = { METRICS_ADDR: String(SCALARS[i % SCALARS.length]), LOG_LEVEL: String(SCALARS[(i * 7) % SCALARS.length]), FLOWLENS_ENABLE: String(SCALARS[(i * 3) % SCALARS.length]) };
    attempt(() => loadConfig({ env, definitions: [widgetDefinition] }), `env ${JSON.stringify(env).slice(0, 200)}`);
    const set = `${KEYS[i % KEYS.length]}.${KEYS[(i * 5) % KEYS.length]}=${String(SCALARS[(i * 11) % SCALARS.length]).slice(0, 50)}`;
    attempt(() => loadConfig({ env: {}, flags: { set: [set] }, definitions: [widgetDefinition] }), `--set ${set}`);
  }
});

test('random bytes as a config file fail with one ConfigError line', () => {
  const random = prng(7);
  const dir = tempDir('fuzz-bytes');
  const file = join(dir, 'config.yaml');
  const alphabet = 'server:listen metrics -[]{},"\'\n\t #&*!|>%@`\\:?\u0000\u00ff';
  for (let i = 0; i < 1_000; i++) {
    let text = '';
    for (let j = Math.floor(random() * 200); j > 0; j--) text += alphabet[Math.floor(random() * alphabet.length)];
    writeFileSync(file, text);
    attempt(() => loadConfig({ configFile: file, env: {}, definitions: componentDefinitions }), `file ${JSON.stringify(text)}`);
  }
});
