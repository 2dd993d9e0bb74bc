import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { queryTcp, queryUdp } from '../../src/probes/dns-client.js';
import { eventually } from '../support/metrics-text.js';
import { toolSkip } from '../support/tools.js';

// dnsmasq from Debian as a second, real DNS server (.ci/run installs
// dnsmasq-base): answers for *.svc.test., NXDOMAIN for *.gone.test., and logs
// every query it receives, so the log proves each probe reached it.

const skip = toolSkip('dnsmasq');
const HOST = '127.0.0.7';
const PORT = 20_000 + Math.floor(Math.random() * 20_000);

describe('wire-level DNS client against dnsmasq', { skip }, () => {
  let dnsmasq: ChildProcess | undefined;
  let log = '';

  before(async () => {
    dnsmasq = spawn(
      'dnsmasq',
      ['--keep-in-foreground', '--no-resolv', '--no-hosts', '--bind-interfaces', `--listen-address=${HOST}`, `--port=${PORT}`, '--address=/svc.test/10.1.2.3', '--address=/gone.test/', '--log-queries', '--log-facility=-', '--pid-file=', '--user=root'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    dnsmasq.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    dnsmasq.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await eventually(async () => (await queryUdp({ host: HOST, port: PORT }, 'ready.svc.test.', 200)).ok, () => `dnsmasq did not answer; its output:\n${log}`, 10_000);
  });
  after(() => {
    if (dnsmasq?.pid !== undefined && dnsmasq.exitCode === null) process.kill(dnsmasq.pid, 'SIGKILL');
  });

  test('answers over UDP and TCP, NXDOMAIN told apart, every query in the server log', async () => {
    const server = { host: HOST, port: PORT };
    for (let i = 0; i < 3; i++) {
      const udp = await queryUdp(server, 'api.svc.test.', 1_000);
      assert.equal(udp.ok, true, JSON.stringify(udp));
      const tcp = await queryTcp(server, 'api.svc.test.', 1_000);
      assert.equal(tcp.ok, true, JSON.stringify(tcp));
    }
    const missing = await queryUdp(server, 'db.gone.test.', 1_000);
    assert.equal(missing.ok ? 'ok' : missing.reason, 'nxdomain');
    await eventually(() => (log.match(/query\[A\] api\.svc\.test from/g) ?? []).length >= 6, () => log, 5_000);
    assert.equal((log.match(/query\[A\] api\.svc\.test from/g) ?? []).length, 6, 'three UDP and three TCP queries reached dnsmasq');
  });
});
