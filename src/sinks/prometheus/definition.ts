import { defineComponent, PassiveComponent, type FlowSinkComponent } from '../../components/component.js';
import type { FlowRecord } from '../../flow/flow-record.js';
import { FLOW_METRICS_FAMILIES, FlowMetrics } from './flow-metrics.js';

// The Prometheus flow metrics (calico_flow_*, flowlens_flow_*,
// flowlens_policy_hits_total) as a flow sink of the graph. It runs on its own
// while a flow source runs, unless metrics.flows is false.

/** Its settings are the metrics pipeline's (budgets apply in place). */
class FlowMetricsSink extends PassiveComponent implements FlowSinkComponent {
  readonly name = 'flow-metrics';

  constructor(private readonly metrics: FlowMetrics) {
    super();
  }

  consume(records: readonly FlowRecord[]): void {
    this.metrics.consume(records);
  }
}

export const flowMetricsDefinition = defineComponent({
  name: 'flow-metrics',
  kind: 'sink',
  description: 'Prometheus flow metrics while a flow source runs (metrics.flows).',
  kubePods: 'none',
  metrics: FLOW_METRICS_FAMILIES,
  auto: ({ config, enabled }) => config.metrics.flows && enabled.some((definition) => definition.producesFlows),
  create: (_section, context) => new FlowMetricsSink(new FlowMetrics(context.metrics)),
});
