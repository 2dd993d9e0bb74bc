import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { environmentRows } from '../../src/config/env.js';
import { getPath } from '../../src/config/json-schema.js';
import { componentDefinitions } from '../../src/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { widgetDefinition } from '../support/components.js';
import { tempDir } from '../support/temp.js';

// One case per row of the environment table: the variable, what it is set to,
// and the configuration value it must produce. A row without a case fails.

const dir = tempDir('env');
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
const otlp = (loaded: Loaded) => loaded.config.otlp as {
  endpoint: string;
  logsEndpoint?: string;
  protocol: string;
  headers: Record<string, string>;
  timeout: number;
  compression: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  serviceName?: string;
  resourceAttributes: Record<string, string>;
  cluster?: string;
  queueSize: number;
  batchSize: number;
  batchDelay: number;
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
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    value: 'http://collector.monitoring:4318',
    expect: (loaded) => {
      assert.equal(otlp(loaded).endpoint, 'http://collector.monitoring:4318');
      assert.deepEqual(enabledNames(loaded), ['otlp'], 'the standard variable enables the sink');
    },
  },
  OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: {
    value: 'http://loki.monitoring:3100/otlp/v1/logs',
    expect: (loaded) => {
      assert.equal(otlp(loaded).logsEndpoint, 'http://loki.monitoring:3100/otlp/v1/logs');
      assert.deepEqual(enabledNames(loaded), ['otlp']);
    },
  },
  OTEL_EXPORTER_OTLP_PROTOCOL: {
    value: 'http/json',
    expect: (loaded) => {
      assert.equal(otlp(loaded).protocol, 'http/json');
      const specific = loadConfig({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf' }, definitions });
      assert.equal(otlp(specific).protocol, 'http/protobuf', 'the logs variable wins, no conflict');
    },
  },
  OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: { value: 'http/json', expect: (loaded) => assert.equal(otlp(loaded).protocol, 'http/json') },
  OTEL_EXPORTER_OTLP_HEADERS: {
    value: 'Authorization=Bearer%20abc, X-Scope-OrgID=team-a',
    expect: (loaded) => assert.deepEqual(otlp(loaded).headers, { Authorization: 'Bearer abc', 'X-Scope-OrgID': 'team-a' }),
  },
  OTEL_EXPORTER_OTLP_LOGS_HEADERS: { value: 'api-key=s3cr%3Dt', expect: (loaded) => assert.deepEqual(otlp(loaded).headers, { 'api-key': 's3cr=t' }) },
  OTEL_EXPORTER_OTLP_TIMEOUT: { value: '2500', expect: (loaded) => assert.equal(otlp(loaded).timeout, 2_500) },
  OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: { value: '3000', expect: (loaded) => assert.equal(otlp(loaded).timeout, 3_000) },
  OTEL_EXPORTER_OTLP_COMPRESSION: { value: 'gzip', expect: (loaded) => assert.equal(otlp(loaded).compression, 'gzip') },
  OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: { value: 'gzip', expect: (loaded) => assert.equal(otlp(loaded).compression, 'gzip') },
  OTEL_EXPORTER_OTLP_CERTIFICATE: { value: ca, expect: (loaded) => assert.equal(otlp(loaded).tls?.caFile, ca) },
  OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: { value: ca, expect: (loaded) => assert.equal(otlp(loaded).tls?.caFile, ca) },
  OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: { value: cert, with: { OTEL_EXPORTER_OTLP_CLIENT_KEY: key }, expect: (loaded) => assert.equal(otlp(loaded).tls?.certFile, cert) },
  OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE: {
    value: cert,
    with: { OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY: key },
    expect: (loaded) => assert.equal(otlp(loaded).tls?.certFile, cert),
  },
  OTEL_EXPORTER_OTLP_CLIENT_KEY: { value: key, with: { OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: cert }, expect: (loaded) => assert.equal(otlp(loaded).tls?.keyFile, key) },
  OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY: {
    value: key,
    with: { OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE: cert },
    expect: (loaded) => assert.equal(otlp(loaded).tls?.keyFile, key),
  },
  OTEL_SERVICE_NAME: { value: 'calico-flow-logs', expect: (loaded) => assert.equal(otlp(loaded).serviceName, 'calico-flow-logs') },
  OTEL_RESOURCE_ATTRIBUTES: {
    value: 'deployment.environment=prod,k8s.cluster.name=eu-1',
    expect: (loaded) => assert.deepEqual(otlp(loaded).resourceAttributes, { 'deployment.environment': 'prod', 'k8s.cluster.name': 'eu-1' }),
  },
  OTEL_BLRP_MAX_QUEUE_SIZE: { value: '4096', expect: (loaded) => assert.equal(otlp(loaded).queueSize, 4_096) },
  OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: { value: '1000', expect: (loaded) => assert.equal(otlp(loaded).batchSize, 1_000) },
  OTEL_BLRP_SCHEDULE_DELAY: { value: '5000', expect: (loaded) => assert.equal(otlp(loaded).batchDelay, 5_000) },
  OTEL_BLRP_EXPORT_TIMEOUT: {
    value: '30000',
    expect: (loaded) => {
      assert.equal(otlp(loaded).timeout, 30_000);
      const both = loadConfig({ env: { OTEL_BLRP_EXPORT_TIMEOUT: '30000', OTEL_EXPORTER_OTLP_TIMEOUT: '5000' }, definitions });
      assert.equal(otlp(both).timeout, 5_000, 'the exporter timeout wins');
    },
  },
  FLOWLENS_CLUSTER: { value: 'prod-eu', expect: (loaded) => assert.equal(otlp(loaded).cluster, 'prod-eu') },
  // Read by the cache when it starts, after in-cluster credentials (test/kube proves it): not a setting.
  KUBECONFIG: { value: '/etc/kube/config', expect: (loaded) => assert.equal(loaded.config.kubernetes.kubeconfig, undefined) },
  MINIMUM_COUNTER: {
    value: '25',
    expect: (loaded) => {
      assert.equal((loaded.config.accounting as { minimumCounter: number }).minimumCounter, 25);
      assert.throws(() => loadConfig({ env: { MINIMUM_COUNTER: 'ten' }, definitions }), /MINIMUM_COUNTER.*not an integer/);
    },
  },
  FELIX_INTERFACEPREFIX: { value: 'eni,cali', expect: (loaded) => assert.deepEqual((loaded.config.accounting as { interfacePrefixes: string[] }).interfacePrefixes, ['eni', 'cali']) },
  // Read by the agent for the probes' self-exclusion (test/probes/discovery proves it): not a setting.
  POD_IP: { value: '10.244.1.5', expect: (loaded) => assert.equal(JSON.stringify(loaded.config).includes('10.244.1.5'), false) },
  NODE_NAME: { value: 'node-a', expect: (loaded) => assert.equal(loaded.config.kubernetes.nodeName, 'node-a') },
  NODENAME: {
    value: 'node-b',
    expect: (loaded) => {
      assert.equal(loaded.config.kubernetes.nodeName, 'node-b');
      // NODE_NAME (Downward API) wins over calico-accountant's NODENAME without a conflict.
      const both = loadConfig({ env: { NODENAME: 'node-b', NODE_NAME: 'node-a' }, definitions });
      assert.equal(both.config.kubernetes.nodeName, 'node-a');
    },
  },
};

for (const row of environmentRows(componentDefinitions)) {
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
  const names = environmentRows(componentDefinitions).map((row) => row.name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(Object.keys(CASES).sort(), [...names].sort());
});
