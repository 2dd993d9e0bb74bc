import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { componentDefinitions } from '../../src/registry.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { queryTcp, queryUdp } from '../../src/probes/dns-client.js';
import { decodeHeader, encodeQuery } from '../../src/probes/dns-message.js';
import { DnsTestServer } from '../support/dns-server.js';

describe('wire-level DNS client against a DNS test server', () => {
  const dns = new DnsTestServer();
  before(async () => {
    await dns.start();
    dns.behaviours.set('ok.test.', { answer: ['10.0.0.1'] });
    dns.behaviours.set('slow.test.', { answer: ['10.0.0.2'], delayMs: 120 });
    dns.behaviours.set('broken.test.', { rcode: 'servfail' });
    dns.behaviours.set('refused.test.', { rcode: 'refused' });
    dns.behaviours.set('blackhole.test.', { drop: true });
    dns.behaviours.set('big.test.', { truncate: true, answer: ['10.0.0.3'] });
  });
  after(() => dns.stop());
  const server = (): { host: string; port: number } => ({ host: dns.host, port: dns.port });

  test('every call is one query on the wire (no cache), over UDP and TCP', async () => {
    for (let i = 0; i < 3; i++) {
      const udp = await queryUdp(server(), 'ok.test.', 1_000);
      assert.equal(udp.ok, true, JSON.stringify(udp));
      const tcp = await queryTcp(server(), 'ok.test', 1_000);
      assert.equal(tcp.ok, true, JSON.stringify(tcp));
    }
    assert.equal(dns.count('udp', 'ok.test.'), 3);
    assert.equal(dns.count('tcp', 'ok.test.'), 3, 'a name without the trailing dot is sent as the same absolute name');
  });

  test('outcomes are told apart: NXDOMAIN, SERVFAIL, REFUSED, timeout, truncated (then TCP answers)', async () => {
    const reason = async (promise: ReturnType<typeof queryUdp>): Promise<string> => {
      const outcome = await promise;
      return outcome.ok ? 'ok' : outcome.reason;
    };
    assert.equal(await reason(queryUdp(server(), 'missing.test.', 1_000)), 'nxdomain');
    assert.equal(await reason(queryUdp(server(), 'broken.test.', 1_000)), 'servfail');
    assert.equal(await reason(queryTcp(server(), 'refused.test.', 1_000)), 'refused');
    const started = performance.now();
    assert.equal(await reason(queryUdp(server(), 'blackhole.test.', 300)), 'timeout');
    assert.ok(performance.now() - started >= 290 && performance.now() - started < 1_000, 'our timeout, no retries');
    assert.equal(dns.count('udp', 'blackhole.test.'), 1, 'one query, no retry');
    assert.equal(await reason(queryUdp(server(), 'big.test.', 1_000)), 'truncated');
    assert.equal(await reason(queryTcp(server(), 'big.test.', 1_000)), 'ok');
  });

  test('the measured latency includes the server delay', async () => {
    const outcome = await queryUdp(server(), 'slow.test.', 2_000);
    assert.ok(outcome.ok);
    assert.ok(outcome.seconds >= 0.115 && outcome.seconds < 0.6, `${outcome.seconds}`);
  });

  test('nothing listening: refused over TCP and over UDP (ICMP port unreachable)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const tcp = await queryTcp({ host: '127.0.0.1', port }, 'ok.test.', 1_000);
    assert.equal(tcp.ok ? 'ok' : tcp.reason, 'refused');
    const udp = await queryUdp({ host: '127.0.0.1', port }, 'ok.test.', 1_000);
    assert.equal(udp.ok ? 'ok' : udp.reason, 'refused');
  });

  test('the header decoder never throws on arbitrary bytes; queries round-trip', () => {
    let state = 12345;
    const random = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 2_000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256));
      const header = decodeHeader(bytes);
      if (bytes.length < 12) assert.equal(header, undefined);
      else assert.ok(header !== undefined && header.rcode >= 0 && header.rcode < 16);
    }
    const query = encodeQuery(0xbeef, 'kubernetes.default.svc.cluster.local.');
    assert.deepEqual(decodeHeader(query), { id: 0xbeef, response: false, truncated: false, rcode: 0, questions: 1, answers: 0 });
    assert.throws(() => encodeQuery(1, `${'a'.repeat(64)}.test.`), /over-long label/);
  });
});

describe('internationalized names', () => {
  const dns = new DnsTestServer();
  before(() => dns.start());
  after(() => dns.stop());

  test('a name outside ASCII is configured as written and queried in its IDNA form; one without an IDNA form is refused at configuration time', async () => {
    const loaded = loadConfig({ env: {}, flags: { set: ['probes.dns.hosts=["bücher.example.", "Kubernetes.default.svc."]'] }, definitions: componentDefinitions });
    const hosts = (loaded.config.probes as { dns: { hosts: string[] } }).dns.hosts;
    assert.deepEqual(hosts, ['xn--bcher-kva.example.', 'Kubernetes.default.svc.'], 'ASCII names stay as written');
    const outcome = await queryUdp({ host: dns.host, port: dns.port }, hosts[0]!, 1_000);
    assert.equal(outcome.ok ? 'ok' : outcome.reason, 'nxdomain', 'the server read the question');
    assert.equal(dns.count('udp', 'xn--bcher-kva.example.'), 1);
    assert.throws(
      () => loadConfig({ env: {}, flags: { set: ['probes.dns.hosts=["ü ü.example."]'] }, definitions: componentDefinitions }),
      (error: Error) => error instanceof ConfigError && /^probes\.dns\.hosts\.0: "ü ü\.example\." is not a valid internationalized domain name/.test(error.message),
    );
    assert.throws(() => encodeQuery(1, 'bücher.example.'), /not printable ASCII/, 'the wire encoder never writes what it cannot count');
  });
});
