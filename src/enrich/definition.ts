import { defineComponent, PassiveComponent, type FlowStageComponent } from '../components/component.js';
import type { FlowRecord } from '../flow/flow-record.js';
import type { KubeCache } from '../kube/metadata-cache.js';
import type { Logger } from '../log/logger.js';
import { KUBE } from '../kube/service.js';
import { ENRICHMENT_KINDS, FLOW_ENRICHMENT, FlowKubeStage } from './flow-stage.js';

// kubernetes.enrichFlows: the Kubernetes cache as a stage of the flow graph.
// It runs on its own when the setting applies to an enabled flow source:
// `true` for every source, `auto` for sources whose records carry IP
// addresses, and then only when a Kubernetes API is configured.

/** Sources start after stages: how long this stage holds them back for the cache to sync. */
const SYNC_WAIT_MS = 10_000;

/** Nothing of its own to configure: the setting decides whether it runs. */
class EnrichmentStage extends PassiveComponent implements FlowStageComponent {
  readonly name = 'enrichment';

  constructor(
    private readonly stage: FlowKubeStage,
    private readonly cache: KubeCache,
    private readonly logger: Logger,
  ) {
    super();
  }

  /**
   * Waits (at most 10 s) for the cache to sync, so the flow sources, which
   * start after the stages, do not replay their history (Goldmane sends the
   * last hour on connect) before it can be enriched. Past that, records pass
   * unenriched until the cache syncs (counted as not_synced).
   */
  override async start(): Promise<void> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), SYNC_WAIT_MS);
    try {
      await this.cache.synced(abort.signal);
    } catch {
      this.logger.warn({ waitedMs: SYNC_WAIT_MS }, 'the Kubernetes cache has not synced yet: flow records pass unenriched until it has');
    } finally {
      clearTimeout(timer);
    }
  }

  process(records: readonly FlowRecord[]): readonly FlowRecord[] {
    return this.stage.process(records);
  }
}

export const enrichmentDefinition = defineComponent({
  name: 'enrichment',
  kind: 'stage',
  description: 'Kubernetes metadata (pod, workload, node) on flow records before the sinks (kubernetes.enrichFlows).',
  metrics: [FLOW_ENRICHMENT],
  auto: ({ config, enabled }) => {
    const sources = enabled.filter((definition) => definition.producesFlows);
    const setting = config.kubernetes.enrichFlows;
    return setting === true ? sources.length > 0 : setting === 'auto' && sources.some((definition) => definition.flowAddresses);
  },
  // auto without an API: the stage does not run; true without one: refused.
  kubernetes: (_section, config) =>
    config.kubernetes.enrichFlows === 'auto'
      ? { setting: 'kubernetes.enrichFlows', kinds: ENRICHMENT_KINDS, optional: true }
      : { setting: 'kubernetes.enrichFlows', kinds: ENRICHMENT_KINDS, what: 'true needs the Kubernetes API' },
  create: async (_section, context) => {
    const cache = await context.services.get(KUBE);
    if (cache === undefined) throw new Error('kubernetes.enrichFlows: no Kubernetes API');
    return new EnrichmentStage(new FlowKubeStage(cache, context.metrics), cache, context.logger);
  },
});
