import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { ConfigError } from '../config/errors.js';
import { loadKubeConfig } from '../kube/config.js';
import { KubeCache } from '../kube/metadata-cache.js';
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
  const cache = new KubeCache({ config: loaded.config, logger, kinds: ['pods', 'services', 'replicasets'], watchOwners: options.watchOwners });
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
    const stats =
      options.inputFormat === 'pb'
        ? await pump(stdin, stdout, new ProtobufEnricher(enricher, options.outputFormat, options.mapping, logger), options.signal)
        : await pumpLines(stdin, stdout, new JsonLineEnricher(enricher, options.mapping), options.signal);
    logger.info(stats, 'input ended');
  } finally {
    await cache.stop();
  }
}

/** Line by line, each written batch waited on when stdout is full. */
async function pumpLines(stdin: Readable, stdout: Writable, enricher: JsonLineEnricher, signal?: AbortSignal): Promise<object> {
  stdin.setEncoding('utf8');
  let pending = '';
  let tooLong = 0;
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
      tooLong++;
    }
    if (out !== '') await write(stdout, out);
  }
  if (pending !== '') await write(stdout, enricher.enrich(pending));
  return { ...enricher.stats, tooLong };
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
