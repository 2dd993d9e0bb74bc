import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../src/agent.js';
import { componentDefinitions } from '../../src/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { DnsTestServer } from '../support/dns-server.js';
import { eventually, sampleValue } from '../support/metrics-text.js';
import { promtoolCheck } from '../support/promtool.js';
import { toolSkip } from '../support/tools.js';

const logger = pino({ level: 'silent' });

/** A port free on the loopback addresses the agents use (they all bind it on their own 127.0.0.x). */
const PORT = 20_000 + Math.floor(Math.random() * 20_000);

describe('probes: agents on 127.0.0.2-4 probing each other and a DNS server', () => {
  const dns = new DnsTestServer();
  const agents: Agent[] = [];
  const peers = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'].map((ip) => `${ip}:${PORT}`);

  before(async () => {
    await dns.start();
    dns.behaviours.set('kubernetes.default.svc.cluster.local.', { answer: ['10.96.0.1'] });
    dns.behaviours.set('gone.example.', { rcode: 'nxdomain' });
    for (const ip of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      const loaded = loadConfig({
        env: { FLOWLENS_ENABLE: 'probes' },
        flags: {
          listen: `${ip}:0`,
          set: [
            `probes.listen=${ip}:${PORT}`,
            'probes.interval=1s',
            'probes.timeout=500ms',
            `probes.dns.server=${dns.host}:${dns.port}`,
            'probes.dns.hosts=[kubernetes.default.svc.cluster.local., gone.example.]',
            `probes.peers.static=[${peers.join(', ')}]`,
          ],
        },
        definitions: componentDefinitions,
      });
      const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger, version: 'test' });
      agents.push(agent);
      await agent.start();
    }
  });
  after(async () => {
    for (const agent of agents) await agent.stop(2_000);
    await dns.stop();
  });

  const scrape = async (agent: Agent): Promise<string> => (await fetch(`${agent.server.url}/metrics`)).text();

  test('peers: TCP connect latency and UDP echo to live peers; the dead peer counted with its reason; no self probe', async () => {
    const [first] = agents;
    const dead = peers[3]!;
    await eventually(
      async () => {
        const text = await scrape(first!);
        return (sampleValue(text, 'network_latency_seconds_count', { host: peers[2]! }) ?? 0) >= 2 && (sampleValue(text, 'network_dial_error_total', { host: dead }) ?? 0) >= 2;
      },
      async () => (await scrape(first!)).split('\n').filter((line) => line.startsWith('network_') || line.startsWith('flowlens_probe_errors')).join('\n'),
      10_000,
    );
    const text = await scrape(first!);
    assert.ok((sampleValue(text, 'network_latency_seconds_count', { host: peers[1]! }) ?? 0) >= 1);
    assert.equal(sampleValue(text, 'network_latency_seconds_count', { host: peers[0]! }), undefined, 'an agent does not probe itself');
    assert.ok((sampleValue(text, 'flowlens_probe_errors_total', { probe: 'tcp', target: dead, target_node: '', reason: 'refused' }) ?? 0) >= 2);
    assert.equal(sampleValue(text, 'flowlens_probe_udp_loss_ratio', { target: peers[1]!, target_node: '' }), 0);
    assert.equal(sampleValue(text, 'flowlens_probe_udp_loss_ratio', { target: dead, target_node: '' }), 1);
    assert.ok((sampleValue(text, 'flowlens_probe_duration_seconds_count', { probe: 'udp', target: peers[2]!, target_node: '' }) ?? 0) >= 5, 'every echoed packet is a sample');
    const perTarget = [peers[1]!, peers[2]!].reduce((sum, target) => sum + (sampleValue(text, 'flowlens_probe_duration_seconds_count', { probe: 'tcp', target, target_node: '' }) ?? 0), 0);
    assert.equal(sampleValue(text, 'flowlens_probe_latency_seconds_count', { probe: 'tcp' }), perTarget, 'the aggregate (no target labels) sums the targets');
    const incoming = sampleValue(await scrape(agents[1]!), 'flowlens_probe_incoming_total', { proto: 'tcp' }) ?? 0;
    assert.ok(incoming >= 2, `the second agent answered its peers (${incoming})`);
    // Probes run on their timer: scrapes do not add probes.
    const before = sampleValue(text, 'flowlens_probe_attempts_total', { probe: 'tcp', target: peers[1]!, target_node: '' }) ?? 0;
    for (let i = 0; i < 5; i++) await scrape(first!);
    const afterScrapes = sampleValue(await scrape(first!), 'flowlens_probe_attempts_total', { probe: 'tcp', target: peers[1]!, target_node: '' }) ?? 0;
    assert.ok(afterScrapes - before <= 1, `scrapes do not trigger probes (${before} -> ${afterScrapes})`);
  });

  test('DNS: UDP and TCP latency per host, NXDOMAIN counted with its reason, every query on the wire', async () => {
    const [first] = agents;
    await eventually(async () => (sampleValue(await scrape(first!), 'dns_tcp_latency_seconds_count', { host: 'kubernetes.default.svc.cluster.local.' }) ?? 0) >= 1, () => 'no DNS TCP sample', 10_000);
    const text = await scrape(first!);
    const udp = sampleValue(text, 'dns_udp_latency_seconds_count', { host: 'kubernetes.default.svc.cluster.local.' }) ?? 0;
    assert.ok(udp >= 1);
    assert.ok((sampleValue(text, 'dns_resolve_error_total', { proto: 'udp', host: 'gone.example.' }) ?? 0) >= 1);
    assert.ok((sampleValue(text, 'flowlens_probe_errors_total', { probe: 'dns_udp', target: 'gone.example.', target_node: '', reason: 'nxdomain' }) ?? 0) >= 1);
    assert.ok(dns.count('udp', 'kubernetes.default.svc.cluster.local.') >= 3 * udp - 3, 'the server saw the queries of all three agents');
    assert.equal(sampleValue(text, 'dns_error_total'), 0);
    const skip = toolSkip('promtool');
    if (!skip) {
      const result = promtoolCheck(text);
      const errors = result.problems.filter((line) => /flowlens_/.test(line) || /error while linting/.test(line));
      assert.deepEqual(errors, [], result.problems.join('\n'));
    }
  });
});
