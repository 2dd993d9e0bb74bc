import { AGENT_FAMILIES } from './agent-metrics.js';
import { accountingDefinition } from './accounting/definition.js';
import type { ComponentDefinition } from './components/component.js';
import { ENRICH_FAMILIES } from './enrich/goflow2-enrich.js';
import { enrichmentDefinition } from './enrich/definition.js';
import { FLOW_BUS_FAMILIES } from './flow/flow-bus.js';
import { KUBE_FAMILIES } from './kube/metrics.js';
import { PIPELINE_FAMILIES } from './metrics/pipeline.js';
import type { MetricGroup } from './metrics/spec.js';
import { probesDefinition } from './probes/definition.js';
import { HTTP_FAMILIES } from './server/http-server.js';
import { jsonlDefinition } from './sinks/jsonl/definition.js';
import { otlpDefinition } from './sinks/otlp/definition.js';
import { flowMetricsDefinition } from './sinks/prometheus/definition.js';
import { collectorDefinition } from './sources/collector/definition.js';
import { goldmaneDefinition } from './sources/goldmane/definition.js';
import { uiDefinition } from './ui/definition.js';

// The composition root: every component flowlens can run, in start order
// within each kind. A new source, stage or sink is a folder with its
// definition (configuration section, environment rows, seed flags, metric
// families, factory) plus one line here.
export const componentDefinitions: readonly ComponentDefinition[] = [
  // flow sources and other sources
  goldmaneDefinition,
  collectorDefinition,
  probesDefinition,
  accountingDefinition,
  // flow sinks
  otlpDefinition,
  jsonlDefinition,
  flowMetricsDefinition,
  uiDefinition,
  // flow stages
  enrichmentDefinition,
];

/** docs/metrics.md's tables, one per `<!-- metrics: id -->` block. */
export function metricGroups(definitions: readonly ComponentDefinition[] = componentDefinitions): MetricGroup[] {
  return [
    { id: 'agent', families: [...PIPELINE_FAMILIES.slice(0, 1), ...AGENT_FAMILIES, ...PIPELINE_FAMILIES.slice(1), ...HTTP_FAMILIES] },
    { id: 'flow-bus', families: FLOW_BUS_FAMILIES },
    ...definitions.filter((definition) => definition.metrics !== undefined).map((definition) => ({ id: definition.name, families: definition.metrics! })),
    { id: 'kubernetes', families: KUBE_FAMILIES },
    { id: 'enrich', families: ENRICH_FAMILIES },
  ];
}

/** Every family name flowlens can register (metrics.families keys are checked against it). */
export function knownFamilyNames(definitions: readonly ComponentDefinition[] = componentDefinitions): Set<string> {
  return new Set(metricGroups(definitions).flatMap((group) => group.families.map((family) => family.name)));
}
