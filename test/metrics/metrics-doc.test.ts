import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../src/agent.js';
import { componentDefinitions } from '../../src/components/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { Accountant } from '../../src/accounting/accountant.js';
import { accountingSchema } from '../../src/accounting/config.js';
import { FlowKubeStage } from '../../src/enrich/flow-stage.js';
import { exportEnrichStats } from '../../src/enrich/run-enrich.js';
import { KubeCache } from '../../src/kube/metadata-cache.js';
import { documentedFamilies } from '../support/metrics-doc.js';

// docs/metrics.md must describe every family the agent registers, with the
// same type and labels.

test('docs/metrics.md lists every family the agent registers, with type and labels', async () => {
  // Every component enabled, pointed at nothing, so each registers its families.
  const loaded = loadConfig({
    env: { FLOWLENS_ENABLE: componentDefinitions.map((definition) => definition.name).join(',') },
    flags: { listen: '127.0.0.1:0', set: ['goldmane.address=127.0.0.1:1', 'goldmane.reconnect.initial=10s', 'probes.listen=127.0.0.1:0', 'probes.dns.server=127.0.0.1:9'] },
    definitions: componentDefinitions,
  });
  assert.equal(loaded.enabled.length, componentDefinitions.length);
  // Accounting needs a Kubernetes API to start: its families are registered by constructing it below.
  const enabled = loaded.enabled.filter((definition) => definition.name !== 'accounting');
  const agent = new Agent({ config: loaded.config, enabled, logger: pino({ level: 'silent' }), version: 'test' });
  await agent.start();
  // The Kubernetes cache registers its families when a component creates it (not started here).
  const { KubeConfig } = await import('@kubernetes/client-node');
  const cache = new KubeCache({ config: new KubeConfig(), logger: pino({ level: 'silent' }), metrics: agent.metrics });
  // So do the flow enrichment stage (kubernetes.enrichFlows) and `flowlens enrich --listen`.
  new FlowKubeStage(cache, agent.metrics);
  exportEnrichStats(agent.metrics, () => undefined);
  new Accountant({ config: accountingSchema.parse({}), logger: pino({ level: 'silent' }), metrics: agent.metrics, kube: async () => cache });
  const registered = [...agent.metrics.budget.all()];
  await agent.stop(5_000);
  const documented = documentedFamilies();
  assert.ok(registered.length >= 6);
  for (const family of registered) {
    const entry = documented.get(family.name);
    assert.ok(entry, `${family.name} is not in docs/metrics.md`);
    assert.equal(entry.type, family.type, `type of ${family.name}`);
    assert.deepEqual(entry.labels, [...family.labelNames], `labels of ${family.name}`);
  }
  for (const name of documented.keys()) {
    assert.ok(registered.some((family) => family.name === name), `docs/metrics.md lists ${name}, which nothing registers`);
  }
});
