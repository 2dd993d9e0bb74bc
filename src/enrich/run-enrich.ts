import { Agent } from '../agent.js';
import { buildConfigSchema, type Config } from '../config/schema.js';
import { VERSION } from '../version.js';
import { goflow2EnrichDefinition, type EnrichOptions } from './goflow2-enrich.js';
import { addressFields } from './protobuf.js';

// `flowlens enrich`: goflow2 records on stdin, the same records with
// Kubernetes fields on stdout, goflow2-kube-enricher's drop-in. Output starts
// once the cache has synced; until then stdin is read ahead into a bounded
// buffer (then goflow2 waits in the pipe). stdin is read only as fast as
// stdout drains (src/enrich/goflow2-enrich.ts).

export type { EnrichOptions } from './goflow2-enrich.js';

/**
 * `flowlens enrich` is the agent running one graph: the goflow2 stdin source,
 * the enrichment stage and the stdout sink (src/enrich/goflow2-enrich.ts),
 * with the agent's Kubernetes cache service, metrics pipeline and (with
 * --listen) HTTP server. Resolves when the input ended and everything was
 * written; rejects with the one-line error enrich exits with.
 */
export async function runEnrich(options: EnrichOptions): Promise<void> {
  const { logger } = options;
  if (options.inputFormat === 'pb') addressFields(options.mapping); // a bad -mapping fails now, not after the sync
  const run = goflow2EnrichDefinition(options);
  const config = enrichConfig(options);
  const agent = new Agent({
    config,
    enabled: [run.definition],
    definitions: [run.definition],
    logger,
    version: VERSION,
    serve: options.listen !== undefined,
    listenSetting: '--listen',
    kube: { order: 'kubeconfig-first', setting: '--kubeconfig', env: options.env ?? process.env },
    reloadIntervalMs: 0,
  });
  try {
    await agent.start();
    if (options.listen !== undefined) {
      logger.info({ url: agent.server.url }, 'serving /metrics, /health and /ready');
      options.onListening?.(agent.server.url);
    }
    await run.done;
  } finally {
    await agent.stop(10_000);
  }
}

/** The agent's configuration for enrich: its flags, nothing read from files or FLOWLENS_* variables. */
function enrichConfig(options: EnrichOptions): Config {
  return buildConfigSchema([]).parse({
    server: { listen: options.listen ?? '127.0.0.1:0' },
    kubernetes: { ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}), watchOwners: options.watchOwners },
    log: { level: options.logger.level },
  }) as Config;
}

