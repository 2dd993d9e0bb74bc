import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI, runCli, startAgent, type AgentProcess } from './support/cli-process.js';
import { makeCerts } from './support/certs.js';
import { kubeconfigFile } from './support/kube-fixtures.js';
import { get } from './support/http.js';
import { tempDir } from './support/temp.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const dir = tempDir('cli');
const running: AgentProcess[] = [];
after(() => {
  for (const agent of running) agent.kill();
});

describe('commands', () => {
  test('--help lists only the commands that work', () => {
    const { status, stdout } = runCli(['--help']);
    assert.equal(status, 0);
    assert.match(stdout, /^Usage: flowlens/m);
    assert.match(stdout, /^\s+run \[options\]/m);
    assert.match(stdout, /^\s+check-config \[options\]/m);
    assert.match(stdout, /^\s+enrich \[options\]/m);
    assert.match(stdout, /^\s+demo \[options\]/m);
    const run = runCli(['run', '--help']);
    assert.match(run.stdout, /--config <file>/);
    assert.match(run.stdout, /--log-level <level>/);
  });

  test('--version prints the package version', () => {
    for (const flag of ['--version', '-V']) {
      const { status, stdout } = runCli([flag]);
      assert.equal(status, 0);
      assert.equal(stdout.trim(), `flowlens ${version}`);
    }
  });

  test("net-exporter's flags (-hosts, -dns-service, -dns-namespace, -disable-dns-tcp-check, -timeout) set the probes keys", () => {
    // The DNS Service is found through the Kubernetes API: a kubeconfig is needed (it is read, not dialled).
    const kubeconfig = kubeconfigFile(dir, 'https://127.0.0.1:6443');
    const { status, stdout, stderr } = runCli(['check-config', '-hosts', 'a.example.,b.example.', '-dns-namespace=dns', '-dns-service', 'kube-dns', '-disable-dns-tcp-check=true', '-timeout=2s'], { FLOWLENS_ENABLE: 'probes', KUBECONFIG: kubeconfig });
    assert.equal(status, 0, stderr);
    assert.match(stdout, /^probes:\n  listen: :8000\n  interval: 15s\n  timeout: 2s\n/m);
    assert.match(stdout, /\n  dns:\n    service: dns\/kube-dns\n    hosts:\n      - a\.example\.\n      - b\.example\.\n    tcp: false\n/);
    const bad = runCli(['check-config', '--timeout', 'soon'], { FLOWLENS_ENABLE: 'probes' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /probes\.timeout/);
  });

  test('check-config prints the effective configuration', () => {
    const { status, stdout, stderr } = runCli(['check-config', '--set', 'metrics.seriesTtl=300'], { METRICS_SERVER_PORT: '9009', LOG_LEVEL: 'warning' });
    assert.equal(status, 0, stderr);
    assert.match(stdout, /^# enabled components: \(none\)$/m);
    assert.match(stdout, /^ {2}listen: "?:9009"?$/m);
    assert.match(stdout, /^ {2}seriesTtl: 5m$/m);
    assert.match(stdout, /^ {2}level: warn$/m);
  });

  test('an unknown command-line option fails with exit 1', () => {
    const { status, stderr } = runCli(['run', '--bogus']);
    assert.equal(status, 1);
    assert.match(stderr, /unknown option '--bogus'/);
  });
});

describe('configuration errors: exit 1, one line naming the setting, no stack trace', () => {
  const badYaml = join(dir, 'bad.yaml');
  writeFileSync(badYaml, 'server:\n  listen: ":9090"\n  tls:\n    certFile: /nonexistent/tls.crt\n    keyFile: /nonexistent/tls.key\n');
  const unknownKey = join(dir, 'unknown.yaml');
  writeFileSync(unknownKey, 'metrics:\n  maxSeries: 10\n');
  const cases: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
    ['unknown key', ['--config', unknownKey], {}, /^flowlens: configuration error: metrics\.maxSeries: unknown setting \(did you mean "maxSeriesPerMetric"\?\)/],
    ['wrong type', ['--set', 'metrics.maxSeriesPerMetric=lots'], {}, /^flowlens: configuration error: metrics\.maxSeriesPerMetric: expected number, got string "lots"/],
    ['unreadable certificate file', ['--config', badYaml], {}, /^flowlens: configuration error: server\.tls\.certFile: cannot read "\/nonexistent\/tls\.crt": no such file/],
    ['unparsable address', [], { METRICS_ADDR: 'nine-oh-nine-oh' }, /^flowlens: configuration error: server\.listen: unparsable address "nine-oh-nine-oh".*METRICS_ADDR/],
    ['bad log level', [], { LOG_LEVEL: 'chatty' }, /^flowlens: configuration error: log\.level: .*"chatty".*LOG_LEVEL/],
    ['unreadable config file', ['--config', join(dir, 'missing.yaml')], {}, /^flowlens: configuration error: --config: cannot read config file/],
    ['unknown component', [], { FLOWLENS_ENABLE: 'teleport' }, /^flowlens: configuration error: enable: unknown component "teleport"/],
  ];
  for (const command of ['run', 'check-config']) {
    for (const [name, args, env, expected] of cases) {
      test(`${command}: ${name}`, () => {
        const { status, stdout, stderr } = runCli([command, ...args], env);
        assert.equal(status, 1);
        assert.equal(stdout, '');
        const lines = stderr.split('\n').filter((line) => line !== '');
        assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
        assert.match(lines[0] as string, expected);
        assert.doesNotMatch(stderr, /\n\s+at /);
      });
    }
  }
});

describe('check-config refuses what run refuses, with the same line', () => {
  const cases: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
    ['a probe timeout longer than the interval', ['--set', 'probes.interval=15s', '-timeout=20s'], { FLOWLENS_ENABLE: 'probes' }, /^flowlens: configuration error: probes\.timeout: 20s is longer than probes\.interval \(15s\) \(from flag --set probes\.timeout\)$/],
    ['accounting without a Kubernetes API', [], { FLOWLENS_ENABLE: 'accounting', NODE_NAME: 'n1' }, /^flowlens: configuration error: accounting: needs the Kubernetes API, and none is configured \(not running in a pod; set kubernetes\.kubeconfig or KUBECONFIG\)$/],
    ['peer discovery without a Kubernetes API', ['--set', 'probes.peers.service=monitoring/flowlens'], {}, /^flowlens: configuration error: probes\.peers\.service: needs the Kubernetes API, and none is configured/],
    ['the DNS Service without a Kubernetes API', ['-dns-service', 'kube-dns'], { FLOWLENS_ENABLE: 'probes' }, /^flowlens: configuration error: probes\.dns\.service: needs the Kubernetes API, and none is configured/],
    ['flow enrichment without a Kubernetes API', ['--set', 'kubernetes.enrichFlows=true', '--set', 'goldmane.address=127.0.0.1:1'], {}, /^flowlens: configuration error: kubernetes\.enrichFlows: true needs the Kubernetes API, and none is configured/],
    ['a kubeconfig that cannot be read', [], { FLOWLENS_ENABLE: 'accounting', KUBECONFIG: '/nonexistent/kubeconfig' }, /^flowlens: configuration error: KUBECONFIG: cannot load kubeconfig "\/nonexistent\/kubeconfig": /],
    ['two variables setting one key differently', [], { GOLDMANE_ADDR: 'goldmane-a:7443', GOLDMANE_HOST: 'goldmane-b:7443' }, /^flowlens: configuration error: goldmane\.address: GOLDMANE_ADDR and GOLDMANE_HOST disagree/],
  ];
  for (const [name, args, env, expected] of cases) {
    test(name, () => {
      const lines = ['check-config', 'run'].map((command) => {
        const { status, stderr } = runCli([command, '--listen', '127.0.0.1:0', ...args], env);
        assert.equal(status, 1, `${command} exits 1:\n${stderr}`);
        return stderr;
      });
      assert.match(lines[0]!.trimEnd(), expected);
      assert.equal(lines[1], lines[0], 'run says what check-config said');
      assert.equal(lines[0]!.split('\n').filter(Boolean).length, 1);
    });
  }

  test('NODE_NAME and NODENAME: NODE_NAME wins (the documented precedence; run loads the same configuration)', () => {
    const { status, stdout } = runCli(['check-config'], { NODE_NAME: 'from-node-name', NODENAME: 'from-nodename' });
    assert.equal(status, 0);
    assert.match(stdout, /^ {2}nodeName: from-node-name$/m);
  });
});

describe('start-up checks beyond the schema', () => {
  test('a key that does not match its certificate fails check-config and run', async () => {
    const certs = await makeCerts();
    for (const command of ['check-config', 'run']) {
      const { status, stderr } = runCli([command, '--listen', '127.0.0.1:0', '--set', `server.tls.certFile=${certs.serverCert}`, '--set', `server.tls.keyFile=${certs.clientKey}`]);
      assert.equal(status, 1);
      assert.match(stderr, /^flowlens: configuration error: server\.tls: cannot use the certificate, key or CA: .*\n$/);
    }
  });

  test('an address in use fails run with one line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const { status, stderr } = runCli(['run', '--listen', `127.0.0.1:${port}`]);
      assert.equal(status, 1);
      assert.deepEqual(stderr.split('\n').filter((line) => line !== ''), [`flowlens: configuration error: server.listen: cannot listen on "127.0.0.1:${port}": address already in use`]);
    } finally {
      blocker.close();
    }
  });
});

describe('flowlens run', () => {
  test('serves the endpoints and exits 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const agent = await startAgent(['--listen', '127.0.0.1:0']);
      running.push(agent);
      assert.equal((await get(`${agent.url}/health`)).status, 200);
      assert.equal((await get(`${agent.url}/ready`)).status, 200);
      assert.match((await get(`${agent.url}/metrics`)).text, new RegExp(`^flowlens_build_info\\{version="${version}"\\} 1$`, 'm'));
      agent.kill(signal);
      assert.equal(await agent.exited, 0, `exit code after ${signal}`);
      assert.ok(agent.logs.some((line) => line.includes('"msg":"shutting down"') && line.includes(signal)));
    }
  });

  test('logs are JSON lines on stderr at the configured level', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--listen', '127.0.0.1:0', '--log-level', 'warning'], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 10_000;
    while (!stderr.includes('no component is enabled') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(stdout, '', 'stdout is kept for data');
    const entries = stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: string; time: string; msg: string });
    assert.ok(entries.length >= 1);
    for (const entry of entries) {
      assert.ok(['warn', 'error', 'fatal'].includes(entry.level), `unexpected ${entry.level}: ${entry.msg}`);
      assert.ok(!Number.isNaN(Date.parse(entry.time)));
    }
  });
});
