import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { ConfigError } from '../config/errors.js';
import { loadKubeConfig } from '../kube/config.js';
import { KubeCache } from '../kube/metadata-cache.js';
import { MetricsPipeline } from '../metrics/pipeline.js';
import { HttpServer } from '../server/http-server.js';
import { VERSION } from '../version.js';
import { Enricher, type MappingEntry } from './enricher.js';
import { JsonLineEnricher } from './json-lines.js';
import { ProtobufEnricher } from './protobuf.js';

// `flowlens enrich`: goflow2 records on stdin, the same records with
// Kubernetes fields on stdout, goflow2-kube-enricher's drop-in. Output starts
// once the cache has synced; stdin is read only as fast as stdout drains.

export interface EnrichOptions {
  readonly mapping?: readonly MappingEntry[];
  readonly kubeconfig?: string;
  readonly inputFormat: 'json' | 'pb';
  readonly outputFormat: 'json' | 'pb';
  readonly syncTimeoutMs: number;
  readonly watchOwners: boolean;
  readonly logger: Logger;
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  /** Ends the run early (SIGTERM): what was read is written, then it returns. */
  readonly signal?: AbortSignal;
  /** `--listen`: serve /metrics, /health and /ready there while enriching. */
  readonly listen?: string;
  /** Told the HTTP server's URL once it listens (tests). */
  readonly onListening?: (url: string) => void;
}

/** Longest line kept whole; beyond it the text passes through unchanged (counted). */
const MAX_LINE = 64 * 1024 * 1024;

export async function runEnrich(options: EnrichOptions): Promise<void> {
  const { logger } = options;
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const loaded = await loadKubeConfig({ kubeconfig: options.kubeconfig }, process.env, '--kubeconfig');
  if (loaded === undefined) {
    throw new ConfigError('--kubeconfig: no Kubernetes API access: not running in a pod, and neither --kubeconfig nor KUBECONFIG is set');
  }
  logger.info({ kubeconfig: loaded.source }, 'Kubernetes API');
  const metrics = options.listen === undefined ? undefined : new MetricsPipeline({ maxSeriesPerMetric: 10_000, seriesTtlMs: 0, version: VERSION });
  const cache = new KubeCache({ config: loaded.config, logger, kinds: ['pods', 'services', 'replicasets'], watchOwners: options.watchOwners, ...(metrics ? { metrics } : {}) });
  const stats: { current?: LiveStats } = {};
  let server: HttpServer | undefined;
  if (metrics !== undefined && options.listen !== undefined) {
    exportEnrichStats(metrics, () => stats.current);
    server = new HttpServer({
      listen: options.listen,
      listenSetting: '--listen',
      metrics,
      logger,
      reloadIntervalMs: 0,
      readiness: () => {
        const status = cache.status();
        return { ready: status.ready, body: { status: status.ready ? 'ready' : 'not ready', components: { kubernetes: status } } };
      },
    });
    await server.start();
    logger.info({ url: server.url }, 'serving /metrics, /health and /ready');
    options.onListening?.(server.url);
  }
  await cache.start();
  try {
    const timeout = AbortSignal.timeout(options.syncTimeoutMs);
    try {
      await cache.synced(options.signal ? AbortSignal.any([timeout, options.signal]) : timeout);
    } catch {
      if (options.signal?.aborted) return;
      throw new ConfigError(`--sync-timeout: the Kubernetes cache did not sync within ${options.syncTimeoutMs / 1_000}s (${cache.status().reason ?? 'no answer'})`);
    }
    logger.info('Kubernetes cache synced; enriching');
    const enricher = new Enricher(cache);
    let final: object;
    if (options.inputFormat === 'pb') {
      const protobuf = new ProtobufEnricher(enricher, options.outputFormat, options.mapping, logger);
      stats.current = { records: protobuf.stats, tooLong: { count: 0 }, invalidUnit: 'bytes' };
      final = await pump(stdin, stdout, protobuf, options.signal);
    } else {
      const lines = new JsonLineEnricher(enricher, options.mapping);
      const tooLong = { count: 0 };
      stats.current = { records: lines.stats, tooLong, invalidUnit: 'lines' };
      final = await pumpLines(stdin, stdout, lines, tooLong, options.signal);
    }
    logger.info(final, 'input ended');
  } finally {
    await cache.stop();
    await server?.stop();
  }
}

/** Line by line, each written batch waited on when stdout is full. */
async function pumpLines(stdin: Readable, stdout: Writable, enricher: JsonLineEnricher, tooLong: { count: number }, signal?: AbortSignal): Promise<object> {
  stdin.setEncoding('utf8');
  let pending = '';
  for await (const chunk of readUntil(stdin, signal)) {
    const text = pending + (chunk as string);
    let start = 0;
    let out = '';
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      out += `${enricher.enrich(text.slice(start, newline))}\n`;
      start = newline + 1;
    }
    pending = text.slice(start);
    if (pending.length > MAX_LINE) {
      out += pending;
      pending = '';
      tooLong.count++;
    }
    if (out !== '') await write(stdout, out);
  }
  if (pending !== '') await write(stdout, enricher.enrich(pending));
  return { ...enricher.stats, tooLong: tooLong.count };
}

interface LiveStats {
  readonly records: { readonly records: number; readonly enriched: number; readonly invalid: number };
  readonly tooLong: { readonly count: number };
  /** JSON input counts invalid lines; protobuf input invalid bytes. */
  readonly invalidUnit: 'lines' | 'bytes';
}

/** The enricher's counters as metric families, read at scrape time. */
export function exportEnrichStats(metrics: MetricsPipeline, current: () => LiveStats | undefined): void {
  const self = { expires: false } as const;
  const records = metrics.counter({ name: 'flowlens_enrich_records_total', help: 'Records read and written, by result (enriched: gained fields; unchanged: no mapped IP was known).', labelNames: ['result'], ...self });
  const passed = metrics.counter({ name: 'flowlens_enrich_passthrough_lines_total', help: 'Input lines written unchanged without being read as a record, by reason (invalid: not a JSON object; too_long: over 64 MiB).', labelNames: ['reason'], ...self });
  const invalidBytes = metrics.counter({ name: 'flowlens_enrich_invalid_bytes_total', help: 'Protobuf input bytes that could not be read as a FlowMessage (skipped).', ...self });
  const seen = { enriched: 0, unchanged: 0, invalid: 0, tooLong: 0 };
  const add = (family: typeof records, labels: Record<string, string> | undefined, key: keyof typeof seen, value: number): void => {
    family.inc(labels, value - seen[key]);
    seen[key] = value;
  };
  for (const result of ['enriched', 'unchanged']) records.inc({ result }, 0);
  metrics.onCollect(() => {
    const stats = current();
    if (stats === undefined) return;
    add(records, { result: 'enriched' }, 'enriched', stats.records.enriched);
    add(records, { result: 'unchanged' }, 'unchanged', stats.records.records - stats.records.enriched);
    if (stats.invalidUnit === 'bytes') add(invalidBytes, undefined, 'invalid', stats.records.invalid);
    else add(passed, { reason: 'invalid' }, 'invalid', stats.records.invalid);
    add(passed, { reason: 'too_long' }, 'tooLong', stats.tooLong.count);
  });
}

/** Binary input: chunks to the protobuf enricher, its output to stdout. */
async function pump(stdin: Readable, stdout: Writable, enricher: ProtobufEnricher, signal?: AbortSignal): Promise<object> {
  for await (const chunk of readUntil(stdin, signal)) {
    const out = enricher.push(chunk as Buffer);
    if (out.length > 0) await write(stdout, out);
  }
  const rest = enricher.end();
  if (rest.length > 0) await write(stdout, rest);
  return enricher.stats;
}

async function* readUntil(stream: Readable, signal?: AbortSignal): AsyncGenerator<unknown> {
  if (signal?.aborted) return;
  const stop = (): void => void stream.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of stream) yield chunk;
  } catch (error) {
    if (!signal?.aborted) throw error; // stopped on purpose: what was read is written
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/** Writes, then waits while the stream is full (rejects if it fails meanwhile). */
async function write(stream: Writable, data: string | Buffer): Promise<void> {
  if (!stream.write(data)) await once(stream, 'drain');
}
