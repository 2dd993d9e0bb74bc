import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig, type LoadOptions } from '../../src/config/load.js';
import { gadgetDefinition, widgetDefinition } from '../support/components.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('config');
let files = 0;
function file(text: string): string {
  const path = join(dir, `config-${files++}.yaml`);
  writeFileSync(path, text);
  return path;
}

const definitions = [widgetDefinition, gadgetDefinition];
const load = (options: Partial<LoadOptions> = {}) => loadConfig({ env: {}, definitions, ...options });

function configError(options: Partial<LoadOptions>): string {
  try {
    load(options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.ok(!error.message.includes('\n'), `error must be one line: ${error.message}`);
    return error.message;
  }
  assert.fail('expected a configuration error');
}

test('defaults when nothing is given', () => {
  const { config, enabled, configFile } = load();
  assert.equal(config.server.listen, ':9090');
  assert.equal(config.server.tls, undefined);
  assert.equal(config.metrics.maxSeriesPerMetric, 10_000);
  assert.equal(config.metrics.seriesTtl, 600_000);
  assert.equal(config.log.level, 'info');
  assert.deepEqual(config.enable, []);
  assert.equal(config.shutdownTimeout, 10_000);
  assert.deepEqual(config.widget, { address: 'widget:1', interval: 15_000 });
  assert.deepEqual(enabled, []);
  assert.equal(configFile, undefined);
});

test('precedence: flags > environment > file > defaults', () => {
  const path = file('server:\n  listen: ":7000"\nmetrics:\n  maxSeriesPerMetric: 50\n  seriesTtl: 30\nlog:\n  level: debug\n');
  const fileOnly = load({ configFile: path });
  assert.equal(fileOnly.config.server.listen, ':7000');
  assert.equal(fileOnly.config.metrics.maxSeriesPerMetric, 50);
  assert.equal(fileOnly.config.metrics.seriesTtl, 30_000, 'plain number = seconds');
  assert.equal(fileOnly.config.log.level, 'debug');

  const withEnv = load({ configFile: path, env: { METRICS_ADDR: '127.0.0.1:7001', LOG_LEVEL: 'warning' } });
  assert.equal(withEnv.config.server.listen, '127.0.0.1:7001');
  assert.equal(withEnv.config.log.level, 'warn');
  assert.equal(withEnv.config.metrics.maxSeriesPerMetric, 50, 'untouched keys keep the file value');

  const withFlags = load({
    configFile: path,
    env: { METRICS_ADDR: '127.0.0.1:7001', LOG_LEVEL: 'warning' },
    flags: { listen: '[::1]:7002', logLevel: 'error', set: ['metrics.seriesTtl=1m30s', 'metrics.maxSeriesPerMetric=7'] },
  });
  assert.equal(withFlags.config.server.listen, '[::1]:7002');
  assert.equal(withFlags.config.log.level, 'error');
  assert.equal(withFlags.config.metrics.seriesTtl, 90_000);
  assert.equal(withFlags.config.metrics.maxSeriesPerMetric, 7, '--set values are read as YAML scalars');
});

test('FLOWLENS_CONFIG names the file unless --config is given', () => {
  const fromEnv = file('server: {listen: ":7100"}\n');
  const fromFlag = file('server: {listen: ":7200"}\n');
  assert.equal(load({ env: { FLOWLENS_CONFIG: fromEnv } }).config.server.listen, ':7100');
  assert.equal(load({ env: { FLOWLENS_CONFIG: fromEnv }, configFile: fromFlag }).config.server.listen, ':7200');
  assert.equal(load({ env: { FLOWLENS_CONFIG: fromEnv } }).configFile, fromEnv);
  assert.match(configError({ env: { FLOWLENS_CONFIG: join(dir, 'missing.yaml') } }), /^FLOWLENS_CONFIG: cannot read config file ".*missing.yaml": no such file$/);
  assert.match(configError({ configFile: join(dir, 'missing.yaml') }), /^--config: cannot read config file/);
});

test('an empty file and an empty environment variable count as absent', () => {
  assert.equal(load({ configFile: file('') }).config.server.listen, ':9090');
  assert.equal(load({ configFile: file('# only a comment\n') }).config.server.listen, ':9090');
  assert.equal(load({ env: { METRICS_ADDR: '' } }).config.server.listen, ':9090');
});

test('errors name the setting and where its value came from', () => {
  assert.equal(
    configError({ configFile: file('server:\n  lisen: ":1"\n') }),
    `server.lisen: unknown setting (did you mean "listen"?) (from config file ${join(dir, `config-${files - 1}.yaml`)})`,
  );
  assert.match(configError({ configFile: file('colour: blue\n') }), /^colour: unknown setting \(known: server, kubernetes, metrics, log, enable, shutdownTimeout, widget, gadget\)/);
  assert.match(configError({ configFile: file('metrics:\n  maxSeriesPerMetric: many\n') }), /^metrics\.maxSeriesPerMetric: expected number, got string "many" \(from config file .*\)$/);
  assert.match(configError({ configFile: file('metrics:\n  maxSeriesPerMetric: 0\n') }), /^metrics\.maxSeriesPerMetric: .*>=1/);
  assert.match(configError({ configFile: file('metrics: [1, 2]\n') }), /^metrics: expected a mapping, got a list/);
  assert.match(configError({ configFile: file('metrics:\n  seriesTtl: soon\n') }), /^metrics\.seriesTtl: invalid duration "soon"/);
  assert.match(configError({ env: { METRICS_ADDR: 'localhost' } }), /^server\.listen: unparsable address "localhost": expected host:port or :port \(from environment variable METRICS_ADDR\)$/);
  assert.match(configError({ flags: { listen: '::1:80' } }), /^server\.listen: .*brackets.*\(from flag --listen\)$/);
  assert.match(configError({ flags: { logLevel: 'loud' } }), /^log\.level: unknown log level "loud" \(use trace, .*\) \(from flag --log-level\)$/);
  assert.equal(load({ env: { LOG_LEVEL: 'WARNING' } }).config.log.level, 'warn', 'case-insensitive, as logrus');
  assert.equal(load({ env: { LOG_LEVEL: 'Panic' } }).config.log.level, 'fatal');
  assert.match(configError({ configFile: file('server:\n  listen: ":1"\n  listen: ":2"\n') }), /^--config: .*: Map keys must be unique at line 3, column 3$/);
  assert.match(configError({ configFile: file('- a\n- b\n') }), /the top level must be a mapping/);
  assert.match(configError({ configFile: file('server: *nowhere\n') }), /^--config: .*: Unresolved alias/);
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
  assert.match(configError({ configFile: file(`${bomb}\n`) }), /^--config: .*: Excessive alias count/);
  assert.match(configError({ flags: { set: ['novalue'] } }), /^--set: expected key\.path=value, got "novalue"$/);
  assert.match(configError({ configFile: file('metrics:\n  seriesTtl: 1s\n  bogus: 1\n  other: 2\n') }), /bogus: unknown setting.*\(and 1 more problem\)$/);
});

test('unreadable files are configuration errors naming the key', () => {
  const missing = join(dir, 'nope.pem');
  assert.match(
    configError({ configFile: file(`server:\n  tls:\n    certFile: ${missing}\n    keyFile: ${missing}\n`) }),
    /^server\.tls\.certFile: cannot read ".*nope\.pem": no such file \(from config file .*\)$/,
  );
  assert.match(
    configError({ flags: { set: [`widget.caFile=${dir}`] } }),
    /^widget\.caFile: cannot read ".*": not a regular file \(from flag --set widget\.caFile\)$/,
  );
  assert.match(configError({ configFile: file('server:\n  tls:\n    certFile: /etc/hostname\n') }), /^server\.tls\.keyFile: expected string, got nothing/);
});

test('a config file must be a regular file of at most 1 MiB; a duration longer than a timer holds is refused', () => {
  const fifo = join(dir, 'config.fifo');
  spawnSync('mkfifo', [fifo]);
  // A FIFO nobody writes to would block the read forever; /dev/zero never ends.
  assert.match(configError({ configFile: fifo }), /^--config: config file ".*config\.fifo" is not a regular file$/);
  assert.match(configError({ configFile: '/dev/zero' }), /^--config: config file "\/dev\/zero" is not a regular file$/);
  assert.match(configError({ configFile: file(`# ${'x'.repeat(1024 * 1024)}\n`) }), /^--config: config file ".*" has \d+ bytes; at most 1 MiB is read$/);
  assert.match(configError({ flags: { set: ['metrics.seriesTtl=600h'] } }), /^metrics\.seriesTtl: invalid duration "600h": longer than 24\.8 days, the longest a timer can wait \(from flag --set metrics\.seriesTtl\)$/);
});

test('secret values are never echoed in errors', () => {
  const message = configError({ flags: { set: ['widget.token=12345'] } });
  assert.match(message, /^widget\.token: expected string, got a value of another type/);
  assert.ok(!message.includes('12345'));
});

test('seed variables that disagree are refused, agreeing ones are fine', () => {
  assert.match(
    configError({ env: { METRICS_ADDR: ':9090', METRICS_SERVER_PORT: '9009' } }),
    /^server\.listen: METRICS_ADDR and METRICS_SERVER_PORT disagree \(":9090" vs ":9009"\); set only one$/,
  );
  assert.equal(load({ env: { METRICS_ADDR: ':9009', METRICS_SERVER_PORT: '9009' } }).config.server.listen, ':9009');
  assert.match(configError({ env: { METRICS_SERVER_PORT: 'http' } }), /^METRICS_SERVER_PORT: "http" is not a port number/);
});

test('components are enabled by their section, their seed variable or FLOWLENS_ENABLE', () => {
  const names = (options: Partial<LoadOptions>) => load(options).enabled.map((definition) => definition.name);
  assert.deepEqual(names({ configFile: file('widget:\n  address: w:2\n') }), ['widget']);
  assert.deepEqual(names({ configFile: file('widget: {}\n') }), ['widget'], 'an empty section enables');
  assert.deepEqual(names({ env: { WIDGET_ADDR: 'w:3' } }), ['widget']);
  assert.deepEqual(names({ env: { FLOWLENS_ENABLE: 'gadget, widget' } }), ['widget', 'gadget']);
  assert.deepEqual(names({ configFile: file('enable: [gadget]\n') }), ['gadget']);
  assert.deepEqual(names({ flags: { set: ['gadget.size=4'] } }), ['gadget']);
  assert.deepEqual(names({ env: { WIDGET_ADDR: '' } }), [], 'empty = unset');
  assert.match(configError({ env: { FLOWLENS_ENABLE: 'widget,teleport' } }), /^enable: unknown component "teleport" \(available: widget, gadget\) \(from environment variable FLOWLENS_ENABLE\)$/);
  assert.match(loadConfigError('goldmane'), /^enable: unknown component "goldmane" \(available: none in this version\)/);
});

function loadConfigError(enable: string): string {
  try {
    loadConfig({ env: { FLOWLENS_ENABLE: enable }, definitions: [] });
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

test('component sections are typed and defaulted by their own schema', () => {
  const { config } = load({ configFile: file('widget:\n  interval: 500ms\ngadget:\n  size: 9\n') });
  assert.deepEqual(config.widget, { address: 'widget:1', interval: 500 });
  assert.deepEqual(config.gadget, { size: 9 });
  assert.match(configError({ configFile: file('gadget:\n  size: 0\n') }), /^gadget\.size: /);
});
