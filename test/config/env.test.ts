import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENVIRONMENT } from '../../src/config/env.js';
import { getPath } from '../../src/config/json-schema.js';
import { componentDefinitions } from '../../src/components/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { widgetDefinition } from '../support/components.js';

// One case per row of the environment table: the variable, what it is set to,
// and the configuration value it must produce. A row without a case fails.

const dir = mkdtempSync(join(tmpdir(), 'flowlens-env-'));
const configFile = join(dir, 'flowlens.yaml');
writeFileSync(configFile, 'metrics:\n  maxSeriesPerMetric: 42\n');
const pem = (name: string): string => {
  const path = join(dir, name);
  writeFileSync(path, 'placeholder\n');
  return path;
};
const [ca, cert, key] = [pem('ca.crt'), pem('tls.crt'), pem('tls.key')];
const definitions = [...componentDefinitions, widgetDefinition];
type Loaded = ReturnType<typeof loadConfig>;
const goldmane = (loaded: Loaded) => loaded.config.goldmane as {
  address: string;
  serverName?: string;
  tls?: { enabled?: boolean; caFile?: string; certFile?: string; keyFile?: string };
  reconnect: { initial: number };
};
const enabledNames = (loaded: Loaded) => loaded.enabled.map((definition) => definition.name);

interface Case {
  readonly value: string;
  /** Companion variables the row cannot be set without (a key needs its certificate). */
  readonly with?: NodeJS.ProcessEnv;
  readonly expect: (loaded: Loaded) => void;
}

const CASES: Readonly<Record<string, Case>> = {
  FLOWLENS_CONFIG: {
    value: configFile,
    expect: (loaded) => {
      assert.equal(loaded.configFile, configFile);
      assert.equal(loaded.config.metrics.maxSeriesPerMetric, 42);
    },
  },
  FLOWLENS_ENABLE: {
    value: ' widget ,',
    expect: (loaded) => {
      assert.deepEqual(loaded.config.enable, ['widget']);
      assert.deepEqual(loaded.enabled.map((definition) => definition.name), ['widget']);
    },
  },
  LOG_LEVEL: { value: 'warning', expect: (loaded) => assert.equal(loaded.config.log.level, 'warn') },
  METRICS_ADDR: { value: '0.0.0.0:9091', expect: (loaded) => assert.equal(loaded.config.server.listen, '0.0.0.0:9091') },
  METRICS_SERVER_PORT: { value: '9009', expect: (loaded) => assert.equal(loaded.config.server.listen, ':9009') },
  GOLDMANE_ADDR: {
    value: 'goldmane.calico-system.svc.cluster.local:7443',
    expect: (loaded) => {
      assert.equal(goldmane(loaded).address, 'goldmane.calico-system.svc.cluster.local:7443');
      assert.deepEqual(enabledNames(loaded), ['goldmane'], 'the seed variable enables the source');
    },
  },
  GOLDMANE_HOST: {
    value: 'goldmane:7443',
    expect: (loaded) => {
      assert.equal(goldmane(loaded).address, 'goldmane:7443');
      assert.deepEqual(enabledNames(loaded), ['goldmane']);
    },
  },
  GOLDMANE_SERVER_NAME: { value: 'goldmane.calico-system.svc', expect: (loaded) => assert.equal(goldmane(loaded).serverName, 'goldmane.calico-system.svc') },
  POLL_INTERVAL: {
    value: '15',
    expect: (loaded) => {
      assert.deepEqual(loaded.ignoredVariables, ['POLL_INTERVAL']);
      assert.deepEqual(enabledNames(loaded), []);
    },
  },
  TLS_ENABLED: { value: 'false', expect: (loaded) => assert.equal(goldmane(loaded).tls?.enabled, false) },
  TLS_CA_PATH: { value: ca, expect: (loaded) => assert.equal(goldmane(loaded).tls?.caFile, ca) },
  TLS_CERT_PATH: { value: cert, with: { TLS_KEY_PATH: key }, expect: (loaded) => assert.equal(goldmane(loaded).tls?.certFile, cert) },
  TLS_KEY_PATH: { value: key, with: { TLS_CERT_PATH: cert }, expect: (loaded) => assert.equal(goldmane(loaded).tls?.keyFile, key) },
  CA_CERT_PATH: { value: ca, expect: (loaded) => assert.equal(goldmane(loaded).tls?.caFile, ca) },
  PUBLIC_CERT_PATH: { value: cert, with: { PRIVATE_KEY_PATH: key }, expect: (loaded) => assert.equal(goldmane(loaded).tls?.certFile, cert) },
  PRIVATE_KEY_PATH: { value: key, with: { PUBLIC_CERT_PATH: cert }, expect: (loaded) => assert.equal(goldmane(loaded).tls?.keyFile, key) },
  RECONNECT_WAIT_TIME_IN_MILLISECONDS: { value: '250', expect: (loaded) => assert.equal(goldmane(loaded).reconnect.initial, 250) },
};

for (const row of ENVIRONMENT) {
  test(`environment variable ${row.name}`, () => {
    const testCase = CASES[row.name];
    assert.ok(testCase, `no test case for ${row.name}: add one to CASES`);
    const loaded = loadConfig({ env: { ...testCase.with, [row.name]: testCase.value }, definitions });
    testCase.expect(loaded);
    if (row.path !== undefined) {
      const defaults = loadConfig({ env: {}, definitions });
      assert.notDeepEqual(getPath(loaded.config, row.path.split('.')), getPath(defaults.config, row.path.split('.')), 'the variable must change its key');
    }
  });
}

test('every environment variable has exactly one row', () => {
  const names = ENVIRONMENT.map((row) => row.name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(Object.keys(CASES).sort(), [...names].sort());
});
