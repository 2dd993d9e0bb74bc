import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queryTcp } from '../../src/probes/dns-client.js';
import { PeerListener } from '../../src/probes/peer-listener.js';
import { ringSuccessors } from '../../src/probes/ring.js';
import { probeTcp } from '../../src/probes/tcp-probe.js';
import { echoRound } from '../../src/probes/udp-echo.js';
import { DelayProxy } from '../support/delay-proxy.js';
import { DnsTestServer } from '../support/dns-server.js';

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('measurement against injected delay (a delaying proxy)', () => {
  const listener = new PeerListener('127.0.0.1', 0, 'probes.listen', () => {});
  const dns = new DnsTestServer();
  let udpProxy: DelayProxy;
  let dnsProxy: DelayProxy;
  const DELAY = 40;

  before(async () => {
    await listener.start();
    await dns.start();
    dns.behaviours.set('ok.test.', { answer: ['10.0.0.1'] });
    udpProxy = new DelayProxy({ host: '127.0.0.1', port: listener.boundPort }, DELAY);
    dnsProxy = new DelayProxy({ host: '127.0.0.1', port: dns.port }, DELAY);
    await udpProxy.start();
    await dnsProxy.start();
  });
  after(async () => {
    await udpProxy.stop();
    await dnsProxy.stop();
    await listener.stop();
    await dns.stop();
  });

  test('UDP echo RTT moves by the delay added each way (2 x 40 ms), within 25 ms', async () => {
    const direct = await echoRound('127.0.0.1', listener.boundPort, 5, 1_000);
    assert.equal(direct.received, 5);
    const delayed = await echoRound('127.0.0.1', udpProxy.port, 5, 1_000);
    assert.equal(delayed.received, 5);
    const moved = (median(delayed.rtts) - median(direct.rtts)) * 1_000;
    assert.ok(Math.abs(moved - 2 * DELAY) < 25, `moved ${moved.toFixed(1)} ms`);
  });

  test('DNS over TCP latency moves by the delay on query and answer, within 25 ms', async () => {
    const samples = async (port: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        const outcome = await queryTcp({ host: '127.0.0.1', port }, 'ok.test.', 2_000);
        assert.ok(outcome.ok, JSON.stringify(outcome));
        out.push(outcome.seconds * 1_000);
      }
      return out;
    };
    const moved = median(await samples(dnsProxy.port)) - median(await samples(dns.port));
    assert.ok(Math.abs(moved - 2 * DELAY) < 25, `moved ${moved.toFixed(1)} ms`);
  });
});

test('ring: with discovery every node probes exactly k others and is probed by exactly k; churn moves few choices', () => {
  const nodes = Array.from({ length: 60 }, (_, i) => `node-${i}`);
  const members = nodes.map((node) => ({ key: node, value: node }));
  const k = 6;
  const choose = (list: typeof members): Map<string, string[]> => new Map(list.map((m) => [m.key, ringSuccessors(m.key, list, k).map((c) => c.value)]));
  const chosen = choose(members);
  const inDegree = new Map<string, number>();
  for (const [node, targets] of chosen) {
    assert.equal(targets.length, k, `${node} probes k peers`);
    assert.ok(!targets.includes(node), 'never itself');
    for (const target of targets) inDegree.set(target, (inDegree.get(target) ?? 0) + 1);
  }
  for (const node of nodes) assert.equal(inDegree.get(node), k, `${node} is probed by k peers`);
  // One node leaves: only the k nodes before it change their choice.
  const after = choose(members.filter((m) => m.key !== 'node-17'));
  const changed = [...after].filter(([node, targets]) => targets.join() !== chosen.get(node)!.join()).length;
  assert.equal(changed, k);
  // Dual stack: a node's two addresses are chosen together.
  const dual = ringSuccessors('a', [{ key: 'b', value: '10.0.0.2' }, { key: 'b', value: 'fd00::2' }, { key: 'c', value: '10.0.0.3' }], 1);
  assert.ok(dual.length === 2 || dual.length === 1);
  if (dual.length === 2) assert.deepEqual(dual.map((m) => m.value), ['10.0.0.2', 'fd00::2']);
});

test('IPv6: TCP connect and UDP echo to a peer on ::1', async (t) => {
  const listener = new PeerListener('::1', 0, 'probes.listen', () => {});
  try {
    await listener.start();
  } catch (error) {
    t.skip(`no IPv6 loopback here: ${(error as Error).message}`);
    return;
  }
  try {
    const tcp = await probeTcp('::1', listener.boundPort, 1_000);
    assert.equal(tcp.ok, true, JSON.stringify(tcp));
    const round = await echoRound('::1', listener.boundPort, 3, 1_000);
    assert.equal(round.received, 3);
  } finally {
    await listener.stop();
  }
});
