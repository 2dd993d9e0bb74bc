import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { defineComponent, type Component, type ComponentDefinition, type ComponentStatus } from '../components/component.js';
import { FatalError } from '../config/errors.js';
import type { KubeCache } from '../kube/metadata-cache.js';
import { KUBE } from '../kube/service.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/pipeline.js';
import type { CounterSpec, FamilySpec } from '../metrics/spec.js';
import { Enricher, NO_ENRICHMENT, type IpEnrichment, type MappingEntry } from './enricher.js';
import { JsonLineEnricher } from './json-lines.js';
import { JsonLineStream } from './json-stream.js';
import { ProtobufEnricher } from './protobuf.js';

// `flowlens enrich`'s graph: goflow2 records read from stdin (the source,
// read ahead into a bounded buffer while the cache syncs), enriched from the
// agent's Kubernetes cache (the stage: JSON lines or varint-delimited
// protobuf, every input byte kept), written to stdout (the sink: stdin is
// read only as fast as stdout drains). The three pass goflow2's bytes, not
// flow records: output keeps every input byte, field order and number.
//
// The cache retries an API server that refuses, fails or denies access until
// --sync-timeout; then enrich exits 1 with one line naming the server and the
// last error. What was read by then is written unenriched when
// --on-sync-timeout is `flush`; otherwise the line says how much was not.

/** Longest line kept whole; beyond it the text passes through unchanged (counted). */
const MAX_LINE = 64 * 1024 * 1024;
/** Input read ahead while the cache syncs; beyond it stdin is left in the pipe. */
const MAX_READ_AHEAD = 64 * 1024 * 1024;


export interface EnrichOptions {
  readonly mapping?: readonly MappingEntry[];
  readonly kubeconfig?: string;
  readonly inputFormat: 'json' | 'pb';
  readonly outputFormat: 'json' | 'pb';
  readonly syncTimeoutMs: number;
  /** What happens to input read before a sync that never came: `fail` (not written, counted) or `flush` (written unenriched). */
  readonly onSyncTimeout?: 'fail' | 'flush';
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
  readonly env?: NodeJS.ProcessEnv;
}

/** The enrich graph's one component, and the promise of its end (input ended, or a one-line error). */
export function goflow2EnrichDefinition(options: EnrichOptions): { readonly definition: ComponentDefinition; readonly done: Promise<void> } {
  let settle: Settle | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const definition = defineComponent({
    name: 'goflow2',
    kind: 'source',
    description: 'goflow2 records on stdin, enriched from the Kubernetes cache, on stdout (flowlens enrich).',
    metrics: ENRICH_FAMILIES,
    kubernetes: () => ({
      setting: '--kubeconfig',
      kinds: ['pods', 'services', 'replicasets'],
      missing: '--kubeconfig: no Kubernetes API access: neither --kubeconfig nor KUBECONFIG is set, and not running in a pod',
    }),
    create: (_section, context) => new Goflow2Enrich(options, context.logger, context.metrics, async () => (await context.services.get(KUBE))!, settle!),
  });
  return { definition, done };
}

/** How the run's end reaches `flowlens enrich`: input ended, or the one-line error it exits with. */
interface Settle {
  resolve(): void;
  reject(error: unknown): void;
}

class Goflow2Enrich implements Component {
  readonly name = 'goflow2';
  private running: Promise<void> | undefined;
  private readonly stats: { current?: LiveStats } = {};

  constructor(
    private readonly options: EnrichOptions,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly cache: () => Promise<KubeCache>,
    private readonly settle: Settle,
  ) {
    exportEnrichStats(metrics, () => this.stats.current);
  }

  async start(): Promise<void> {
    // Reading starts at once (the read-ahead), enriching once the cache synced.
    this.running = this.run().then(this.settle.resolve, this.settle.reject);
  }

  status(): ComponentStatus {
    return { ready: true, up: true };
  }

  async stop(): Promise<void> {
    await this.running;
  }

  private pipe(enrichment: IpEnrichment): RecordPipe {
    const current = this.options.inputFormat === 'pb' ? protobufPipe(enrichment, this.options) : jsonPipe(enrichment, this.options.mapping);
    this.stats.current = current.stats;
    return current;
  }

  private async run(): Promise<void> {
    const { options, logger } = this;
    const stdin = options.stdin ?? process.stdin;
    const stdout = options.stdout ?? process.stdout;
    const input = readUntil(stdin, options.signal)[Symbol.asyncIterator]();
    const ahead = new ReadAhead(input, MAX_READ_AHEAD);
    const cache = await this.cache();
    const outcome = await waitForSync(cache, options.syncTimeoutMs, options.signal);
    if (outcome !== 'synced') {
      // Nothing could be enriched: what was read is written as it is (SIGTERM, or asked for) or counted.
      const unenriched = this.pipe(NO_ENRICHMENT);
      const read = ahead.take().chunks;
      const flush = outcome === 'aborted' || options.onSyncTimeout === 'flush';
      for (const chunk of read) {
        const out = unenriched.push(chunk);
        if (flush && out.length > 0) await write(stdout, out);
      }
      const rest = unenriched.end();
      if (flush && rest.length > 0) await write(stdout, rest);
      if (outcome === 'aborted') return;
      const what = unenriched.describe();
      const fate = flush ? `written unenriched: ${what} read so far` : `not written: ${what} read so far (--on-sync-timeout flush writes them unenriched)`;
      throw new FatalError(
        `Kubernetes API ${cache.apiServer}: the cache did not sync within ${options.syncTimeoutMs / 1_000}s (--sync-timeout); last error: ${cache.lastFailure ?? 'none (still listing)'}; ${fate}`,
      );
    }
    logger.info('Kubernetes cache synced; enriching');
    const enriching = this.pipe(new Enricher(cache));
    const feed = async (chunk: Buffer): Promise<void> => {
      const out = enriching.push(chunk);
      if (out.length > 0) await write(stdout, out);
      const failure = enriching.failure();
      // What came before is written; the rest of the stream cannot be trusted to be records.
      if (failure !== undefined) throw new FatalError(`--input-format pb: ${failure}; stopped reading (what came before was written)`);
    };
    const { chunks, pending } = ahead.take();
    for (const chunk of chunks) await feed(chunk);
    for (let next = await (pending ?? input.next()); !next.done; next = await input.next()) await feed(next.value);
    const rest = enriching.end();
    if (rest.length > 0) await write(stdout, rest);
    logger.info(enriching.summary(), 'input ended');
  }
}

/**
 * Resolves when the cache has synced, the timeout passed, or the signal
 * aborted. The timer is a referenced one on purpose: it is what keeps the
 * process alive while the cache's retry timers (unreferenced) wait.
 */
function waitForSync(cache: KubeCache, timeoutMs: number, signal?: AbortSignal): Promise<'synced' | 'timeout' | 'aborted'> {
  if (signal?.aborted) return Promise.resolve('aborted');
  return new Promise((resolve) => {
    const finish = (outcome: 'synced' | 'timeout' | 'aborted'): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => finish('aborted');
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    cache.synced().then(() => finish('synced'), () => finish('timeout'));
  });
}

/** Input chunks in, output out; the same shape for JSON lines and protobuf. */
interface RecordPipe {
  push(chunk: Buffer): string | Buffer;
  end(): string | Buffer;
  readonly stats: LiveStats;
  /** Why the input stopped being readable as records (protobuf); enrich then exits 1. */
  failure(): string | undefined;
  /** What went through, in the input's unit ("3 input lines", "2 protobuf messages"). */
  describe(): string;
  /** The summary logged when input ends. */
  summary(): object;
}

function jsonPipe(enrichment: IpEnrichment, mapping: readonly MappingEntry[] | undefined): RecordPipe {
  const lines = new JsonLineEnricher(enrichment, mapping);
  const stream = new JsonLineStream(lines, MAX_LINE);
  const tooLong = {
    get count(): number {
      return stream.tooLong;
    },
  };
  return {
    stats: { records: lines.stats, tooLong, invalidUnit: 'lines' },
    push: (chunk) => stream.push(chunk),
    end: () => stream.end(),
    failure: () => undefined,
    describe: () => `${stream.lines} input line${stream.lines === 1 ? '' : 's'}`,
    summary: () => ({ ...lines.stats, tooLong: stream.tooLong, notUtf8: stream.notUtf8 }),
  };
}

function protobufPipe(enrichment: IpEnrichment, options: EnrichOptions): RecordPipe {
  const messages = new ProtobufEnricher(enrichment, options.outputFormat, options.mapping, options.logger);
  return {
    stats: { records: messages.stats, tooLong: { count: 0 }, invalidUnit: 'bytes' },
    push: (chunk) => messages.push(chunk),
    end: () => messages.end(),
    failure: () => messages.failure,
    describe: () => `${messages.stats.records} protobuf message${messages.stats.records === 1 ? '' : 's'}${messages.stats.invalid > 0 ? ` and ${messages.stats.invalid} unreadable bytes` : ''}`,
    summary: () => messages.stats,
  };
}

/**
 * Reads an iterator ahead into memory, up to `limit` bytes, while the cache
 * syncs. take() stops it and hands over what it read, in order, plus the read
 * still in progress, if any: the caller awaits that before reading on, so
 * nothing is lost, reordered or waited for twice.
 */
class ReadAhead {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private stopped = false;
  private inflight: Promise<IteratorResult<Buffer>> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly input: AsyncIterator<Buffer>,
    private readonly limit: number,
  ) {
    // A read error is the caller's, when it takes what was read.
    this.fill().catch((error: unknown) => void (this.failure ??= { error }));
  }

  private async fill(): Promise<void> {
    while (!this.stopped && this.bytes < this.limit) {
      this.inflight = this.input.next();
      const next = await this.inflight;
      if (this.stopped) return; // taken: that read belongs to the caller now
      this.inflight = undefined;
      if (next.done) return;
      this.chunks.push(next.value);
      this.bytes += next.value.length;
    }
  }

  take(): { chunks: Buffer[]; pending: Promise<IteratorResult<Buffer>> | undefined } {
    this.stopped = true;
    if (this.failure !== undefined) throw this.failure.error;
    return { chunks: this.chunks.splice(0), pending: this.inflight };
  }
}

interface LiveStats {
  readonly records: { readonly records: number; readonly enriched: number; readonly invalid: number };
  readonly tooLong: { readonly count: number };
  /** JSON input counts invalid lines; protobuf input invalid bytes. */
  readonly invalidUnit: 'lines' | 'bytes';
}

export const ENRICH_RECORDS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_enrich_records_total',
  help: 'Records read and written, by result (enriched: gained fields; unchanged: no mapped IP was known).',
  labels: { result: 'fixed (2: enriched, unchanged)' },
  doc: 'Records read and written: `enriched` (gained fields), `unchanged` (no mapped IP was known).',
  expires: false,
};

export const ENRICH_PASSTHROUGH: CounterSpec = {
  type: 'counter',
  name: 'flowlens_enrich_passthrough_lines_total',
  help: 'Input lines written unchanged without being read as a record, by reason (invalid: not a JSON object; too_long: over 64 MiB).',
  labels: { reason: 'fixed (2: invalid, too_long)' },
  doc: 'JSON input lines written unchanged without being read as a record: `invalid` (not a JSON object), `too_long` (over 64 MiB).',
  expires: false,
};

export const ENRICH_INVALID_BYTES: CounterSpec = {
  type: 'counter',
  name: 'flowlens_enrich_invalid_bytes_total',
  help: 'Protobuf input bytes that could not be read as a FlowMessage (skipped).',
  expires: false,
};

export const ENRICH_FAMILIES: readonly FamilySpec[] = [ENRICH_RECORDS, ENRICH_PASSTHROUGH, ENRICH_INVALID_BYTES];

/** The enricher's counters as metric families, read at scrape time. */
export function exportEnrichStats(metrics: Metrics, current: () => LiveStats | undefined): void {
  const records = metrics.counter(ENRICH_RECORDS);
  const passed = metrics.counter(ENRICH_PASSTHROUGH);
  const invalidBytes = metrics.counter(ENRICH_INVALID_BYTES);
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

async function* readUntil(stream: Readable, signal?: AbortSignal): AsyncGenerator<Buffer> {
  if (signal?.aborted) return;
  const stop = (): void => void stream.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
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
