import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../src/agent.js';
import { componentDefinitions, knownFamilyNames, metricGroups } from '../../src/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { Accountant } from '../../src/accounting/accountant.js';
import { accountingSchema } from '../../src/accounting/config.js';
import { FlowKubeStage } from '../../src/enrich/flow-stage.js';
import { exportEnrichStats } from '../../src/enrich/goflow2-enrich.js';
import { KubeCache } from '../../src/kube/metadata-cache.js';
import { documentedFamilies, metricsDocText } from '../support/metrics-doc.js';
import { FLOW_RECORDS } from '../../src/flow/flow-bus.js';
import { renderMetricsReference } from '../../src/metrics/reference.js';

// docs/metrics.md must describe every family the agent registers, with the
// same type and labels.

test('docs/metrics.md lists every family the agent registers, with type and labels', async () => {
  // Every component enabled, pointed at nothing, so each registers its families (the flow metrics run on their own with goldmane).
  const enableable = componentDefinitions.filter((definition) => definition.auto === undefined);
  const loaded = loadConfig({
    env: { FLOWLENS_ENABLE: enableable.map((definition) => definition.name).join(',') },
    flags: { listen: '127.0.0.1:0', set: ['goldmane.address=127.0.0.1:1', 'goldmane.reconnect.initial=10s', 'probes.listen=127.0.0.1:0', 'probes.dns.server=127.0.0.1:9'] },
    definitions: componentDefinitions,
  });
  assert.equal(loaded.enabled.length, enableable.length);
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

test('docs/metrics.md tables are the ones the family specs render (npm run docs)', () => {
  const committed = metricsDocText();
  assert.equal(renderMetricsReference(committed, metricGroups()), committed, 'docs/metrics.md drifted from the specs: run npm run docs');
  // Every label of every family names its cardinality class.
  for (const group of metricGroups()) {
    for (const family of group.families) {
      for (const [label, cardinality] of Object.entries(family.labels ?? {})) assert.ok(cardinality.trim() !== '', `${family.name} ${label}`);
    }
  }
});

test('metrics.families.<name>.maxSeries gives one family its own budget; unknown names are refused', async () => {
  const loaded = loadConfig({ env: {}, flags: { set: ['metrics.maxSeriesPerMetric=2', 'metrics.families.flowlens_flow_records_total.maxSeries=5'] }, definitions: componentDefinitions });
  const agent = new Agent({ config: loaded.config, enabled: [], logger: pino({ level: 'silent' }), version: 'test' });
  // The flow bus' family, registered again: the same family comes back.
  const own = agent.metrics.counter(FLOW_RECORDS);
  assert.equal(own, agent.metrics.budget.get('flowlens_flow_records_total'));
  for (let index = 0; index < 8; index++) own.inc({ source: `source${index}` });
  const other = agent.metrics.counter({ type: 'counter', name: 'test_other_total', help: 'x', labels: { k: 'test' } });
  for (let index = 0; index < 8; index++) other.inc({ k: String(index) });
  const text = await agent.metrics.render('text');
  assert.equal((text.match(/^flowlens_flow_records_total\{source="source\d"\}/gm) ?? []).length, 5);
  assert.equal((text.match(/^test_other_total\{k="\d"\}/gm) ?? []).length, 2);
  assert.throws(
    () => loadConfig({ env: {}, flags: { set: ['metrics.families.calico_flow_alow.maxSeries=5'] }, definitions: componentDefinitions, families: knownFamilyNames() }),
    /metrics\.families\.calico_flow_alow: is not a metric family of flowlens/,
  );
});
