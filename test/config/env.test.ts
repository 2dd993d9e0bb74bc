import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENVIRONMENT } from '../../src/config/env.js';
import { getPath } from '../../src/config/json-schema.js';
import { loadConfig } from '../../src/config/load.js';
import { widgetDefinition } from '../support/components.js';

// One case per row of the environment table: the variable, what it is set to,
// and the configuration value it must produce. A row without a case fails.

const dir = mkdtempSync(join(tmpdir(), 'flowlens-env-'));
const configFile = join(dir, 'flowlens.yaml');
writeFileSync(configFile, 'metrics:\n  maxSeriesPerMetric: 42\n');

interface Case {
  readonly value: string;
  readonly expect: (loaded: ReturnType<typeof loadConfig>) => void;
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
};

for (const row of ENVIRONMENT) {
  test(`environment variable ${row.name}`, () => {
    const testCase = CASES[row.name];
    assert.ok(testCase, `no test case for ${row.name}: add one to CASES`);
    const loaded = loadConfig({ env: { [row.name]: testCase.value }, definitions: [widgetDefinition] });
    testCase.expect(loaded);
    if (row.path !== undefined) {
      const defaults = loadConfig({ env: {}, definitions: [widgetDefinition] });
      assert.notDeepEqual(getPath(loaded.config, row.path.split('.')), getPath(defaults.config, row.path.split('.')), 'the variable must change its key');
    }
  });
}

test('every environment variable has exactly one row', () => {
  const names = ENVIRONMENT.map((row) => row.name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(Object.keys(CASES).sort(), [...names].sort());
});
