import { PassThrough, type Writable } from 'node:stream';
import { Agent } from './agent.js';
import { defineComponent } from './components/component.js';
import { buildConfigSchema, type Config } from './config/schema.js';
import type { MappingEntry } from './enrich/enricher.js';
import { goflow2EnrichDefinition } from './enrich/goflow2-enrich.js';
import type { Logger } from './log/logger.js';
import { CollectorSource } from './sources/collector/collector-source.js';
import { collectorSchema } from './sources/collector/config.js';
import { delimited, encodeFlowMessage } from './sources/collector/flow-message.js';
import { COLLECTOR_FAMILIES } from './sources/collector/metrics.js';
import { VERSION } from './version.js';

// `flowlens collect`: `goflow2 | goflow2-kube-enricher` as one command. The
// collector decodes the exports into goflow2 v2 FlowMessages (protobuf, as
// `goflow2 -format=bin` writes them); they go through `flowlens enrich`'s own
// graph (the enrichment of their addresses from the Kubernetes cache, then
// goflow2's JSON renderer for `-format=json`, or protobuf for `bin`) to stdout
// or `-transport.file`. While the cache syncs, flows wait in a bounded buffer;
// beyond it they are dropped and counted (flowlens_collector_output_dropped_total).

/** Encoded flows waiting for the enrichment (the cache's sync, a slow reader) before they are dropped. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

export interface CollectOptions {
  readonly listen: readonly string[];
  readonly format: 'json' | 'bin';
  readonly mapping?: readonly MappingEntry[];
  readonly kubeconfig?: string;
  readonly syncTimeoutMs: number;
  readonly watchOwners: boolean;
  readonly logger: Logger;
  readonly output?: Writable;
  readonly signal?: AbortSignal;
  /** `-addr`: serve /metrics, /health and /ready there. */
  readonly addr?: string;
  readonly onListening?: (url: string, ports: ReadonlyArray<{ url: string; port: number }>) => void;
  readonly env?: NodeJS.ProcessEnv;
}

export async function runCollect(options: CollectOptions): Promise<void> {
  const { logger } = options;
  const collectorConfig = collectorSchema.parse({ listen: options.listen });
  const pipe = new PassThrough();
  let collector: CollectorSource | undefined;
  const collectorDefinition = defineComponent({
    name: 'collector',
    kind: 'source',
    description: 'NetFlow v5/v9, IPFIX and sFlow v5 collector feeding `flowlens collect`.',
    metrics: COLLECTOR_FAMILIES,
    create: (_section, context) =>
      (collector = new CollectorSource({
        config: collectorConfig,
        logger: context.logger,
        metrics: context.metrics,
        onFlows: (flows) => {
          if (pipe.writableEnded) return 0;
          let dropped = 0;
          for (const flow of flows) {
            if (pipe.writableLength > MAX_PENDING_BYTES) dropped++;
            else pipe.write(delimited(encodeFlowMessage(flow)));
          }
          return dropped;
        },
      })),
  });
  const stop = new AbortController();
  options.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const run = goflow2EnrichDefinition({
    ...(options.mapping !== undefined ? { mapping: options.mapping } : {}),
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    inputFormat: 'pb',
    outputFormat: options.format === 'bin' ? 'pb' : 'json',
    syncTimeoutMs: options.syncTimeoutMs,
    onSyncTimeout: 'fail',
    watchOwners: options.watchOwners,
    logger,
    stdin: pipe,
    ...(options.output !== undefined ? { stdout: options.output } : {}),
    signal: stop.signal,
  });
  const config = buildConfigSchema([]).parse({
    server: { listen: options.addr ?? '127.0.0.1:0' },
    kubernetes: { ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}), watchOwners: options.watchOwners },
    log: { level: logger.level },
  }) as Config;
  const agent = new Agent({
    config,
    enabled: [run.definition, collectorDefinition],
    definitions: [run.definition, collectorDefinition],
    logger,
    version: VERSION,
    serve: options.addr !== undefined,
    listenSetting: '-addr',
    kube: { order: 'kubeconfig-first', setting: '--kubeconfig', env: options.env ?? process.env },
    reloadIntervalMs: 0,
  });
  // The end of collecting (SIGTERM) ends the input of the enrichment, which then writes what it has.
  stop.signal.addEventListener('abort', () => pipe.end(), { once: true });
  try {
    await agent.start();
    options.onListening?.(options.addr !== undefined ? agent.server.url : '', collector?.bound ?? []);
    await run.done;
  } finally {
    await agent.stop(10_000);
  }
}
