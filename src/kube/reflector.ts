import type { KubeConfig, ListWatch } from '@kubernetes/client-node';
import type { Logger } from '../log/logger.js';
import { RateLimitedLog } from '../log/rate-limited.js';
import { Backoff } from '../retry/backoff.js';
import { ApiError, listAll, METADATA_ACCEPT } from './api.js';
import type { Meta } from './objects.js';

// One kind kept in sync with the API server: client-node's ListWatch (list,
// then watch from the list's resourceVersion; 410 Gone relists; a watch that
// ends re-watches from the last resourceVersion) with three additions:
//
// - objects are slimmed as they arrive (list pages and watch events), so
//   ListWatch's own store holds only slim objects;
// - bookmarks are asked for, a watch has a server-side timeout, and a watch
//   silent for longer than that is aborted (a dead connection without FIN);
// - an error (API server down, connection reset, 5xx) is retried with
//   backoff instead of ending the informer; the store keeps serving the last
//   state meanwhile;
// - a malformed watch event (not an object, an event without an object or
//   without metadata) is counted, logged (rate-limited) and answered with a
//   relist: client-node's handler would throw on it from an async function,
//   an unhandled rejection that ends the process.

export interface ReflectorEvents<T> {
  /** A full list arrived (initial sync or relist): the complete set of objects. */
  replace(items: readonly T[]): void;
  upsert(item: T): void;
  remove(item: T): void;
}

export interface ReflectorOptions<T extends { metadata: Meta }> {
  readonly kind: string;
  /** Collection path, e.g. /api/v1/pods. */
  readonly path: string;
  readonly slim: (raw: unknown) => T;
  readonly metadataOnly?: boolean;
  readonly fieldSelector?: string;
  readonly events: ReflectorEvents<T>;
  readonly logger: Logger;
  readonly onStats?: (event: ReflectorStat) => void;
  /** Watch timeout asked of the server; a watch silent for this plus a minute is aborted. */
  readonly watchTimeoutSeconds?: number;
  readonly backoff?: { initialMs: number; maxMs: number };
}

export type ReflectorStat =
  | { type: 'list'; count: number; relist: boolean }
  | { type: 'event'; event: string }
  | { type: 'error'; message: string; statusCode?: number }
  | { type: 'malformed'; problem: string };

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** What is wrong with a watch event client-node's ListWatch would choke on; undefined when nothing is. */
export function malformedEvent(type: unknown, object: unknown): string | undefined {
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return `an event of type ${JSON.stringify(type) ?? 'undefined'}`;
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return `a ${type} event without an object`;
  if (type === 'ERROR') return undefined;
  const metadata = (object as { metadata?: unknown }).metadata;
  if (metadata === null || typeof metadata !== 'object') return `a ${type} event whose object has no metadata`;
  if (type !== 'BOOKMARK' && typeof (metadata as { name?: unknown }).name !== 'string') return `a ${type} event whose object has no name`;
  return undefined;
}

type WatchCallback = (phase: string, object: unknown, watchObject?: unknown) => void;

export class Reflector<T extends { metadata: Meta }> {
  private listWatch?: ListWatch<T & { metadata: Meta }>;
  private readonly backoff: Backoff;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private lastActivity = Date.now();
  private currentWatch?: AbortController;
  /** The current watch was ended to relist (after a malformed event). */
  private relistRequested = false;
  private readonly limitedLog: RateLimitedLog;
  private listedOnce = false;
  /** Resolves after the first complete list. */
  readonly synced: Promise<void>;
  private resolveSynced!: () => void;
  isSynced = false;
  lastSyncMs = 0;
  lastError = '';

  constructor(
    private readonly config: KubeConfig,
    private readonly options: ReflectorOptions<T>,
  ) {
    this.backoff = new Backoff(options.backoff?.initialMs ?? 1_000, options.backoff?.maxMs ?? 30_000);
    this.synced = new Promise((resolve) => (this.resolveSynced = resolve));
    this.limitedLog = new RateLimitedLog(options.logger);
  }

  async start(): Promise<void> {
    const client = await import('@kubernetes/client-node');
    const { options } = this;
    const timeoutSeconds = options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    // client-node's Watch, with the metadata-only Accept header when asked.
    const configForWatch = options.metadataOnly
      ? new Proxy(this.config, {
          get: (target, property, receiver) => {
            if (property !== 'applyToFetchOptions') return Reflect.get(target, property, receiver);
            return async (opts: object) => {
              const init = await target.applyToFetchOptions(opts as never);
              (init.headers as unknown as Headers).set('Accept', METADATA_ACCEPT.watch);
              return init;
            };
          },
        })
      : this.config;
    const inner = new client.Watch(configForWatch);
    const watch = {
      watch: async (path: string, query: Record<string, unknown>, callback: WatchCallback, done: (error: unknown) => void): Promise<AbortController> => {
        this.lastActivity = Date.now();
        let failed = false;
        const controller = await inner.watch(
          path,
          { ...query, allowWatchBookmarks: true, timeoutSeconds },
          (phase, object) => {
            this.lastActivity = Date.now();
            const problem = malformedEvent(phase, object);
            if (problem !== undefined) {
              this.malformed(problem, callback);
              return;
            }
            options.onStats?.({ type: 'event', event: phase });
            const applied: unknown = phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED' ? callback(phase, options.slim(object)) : callback(phase, object);
            // ListWatch's handler is async: what it throws must not become an unhandled rejection.
            if (applied instanceof Promise) applied.catch((error: unknown) => this.malformed(`a ${phase} event it could not apply (${(error as Error)?.message ?? String(error)})`, callback));
          },
          (error: unknown) => {
            if (this.relistRequested) {
              // Ended by us to relist: ListWatch relists at once on 410.
              this.relistRequested = false;
              done(Object.assign(new Error('relist after a malformed watch event'), { code: 410 }));
              return;
            }
            if (error) failed = true;
            done(error);
          },
        );
        this.currentWatch = controller;
        if (!failed) {
          // Connected: the outage (if any) is over.
          this.lastError = '';
          this.backoff.reset();
        }
        return controller;
      },
    };
    const listFn = async (): Promise<{ metadata: { resourceVersion: string }; items: T[] }> => {
      const list = await listAll(this.config, options.path, options.slim, {
        ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
        ...(options.metadataOnly ? { accept: METADATA_ACCEPT.list } : {}),
      });
      options.events.replace(list.items);
      options.onStats?.({ type: 'list', count: list.items.length, relist: this.listedOnce });
      this.listedOnce = true;
      this.isSynced = true;
      this.lastSyncMs = Date.now();
      this.lastError = '';
      this.backoff.reset();
      this.resolveSynced();
      return { metadata: { resourceVersion: list.resourceVersion }, items: list.items };
    };
    const listWatch = new client.ListWatch<T & { metadata: Meta }>(
      options.path,
      watch as never,
      listFn as never,
      false,
      undefined,
      options.fieldSelector,
    );
    listWatch.on('add', (item) => options.events.upsert(item));
    listWatch.on('update', (item) => options.events.upsert(item));
    listWatch.on('delete', (item) => options.events.remove(item));
    listWatch.on('error', (error) => this.failed(error));
    this.listWatch = listWatch;
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastActivity > (timeoutSeconds + 60) * 1_000) {
        options.logger.warn({ kind: options.kind }, 'watch silent beyond its timeout: reconnecting');
        this.lastActivity = Date.now();
        this.currentWatch?.abort();
      }
    }, 10_000);
    this.watchdog.unref();
    void listWatch.start().catch((error: unknown) => this.failed(error));
  }

  /** A watch event that cannot be trusted: counted, logged (rate-limited), and the kind relisted. */
  private malformed(problem: string, callback: WatchCallback): void {
    if (this.stopped) return;
    this.options.onStats?.({ type: 'malformed', problem });
    this.limitedLog.warn('malformed watch event', { kind: this.options.kind, problem }, 'malformed Kubernetes watch event: relisting');
    if (this.relistRequested) return;
    this.relistRequested = true;
    callback('ERROR', { code: 410 }); // forget the resourceVersion: the next start lists
    this.currentWatch?.abort();
  }

  private failed(error: unknown): void {
    if (this.stopped) return;
    const statusCode = error instanceof ApiError ? error.statusCode : (error as { statusCode?: number }).statusCode;
    this.lastError = (error as Error)?.message ?? String(error);
    this.options.onStats?.({ type: 'error', message: this.lastError, ...(statusCode !== undefined ? { statusCode } : {}) });
    const delay = this.backoff.next();
    this.options.logger.warn({ kind: this.options.kind, err: this.lastError, retryInMs: Math.round(delay) }, 'Kubernetes list/watch failed; serving the last state');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.stopped || this.listWatch === undefined) return;
      void this.listWatch.start().catch((next: unknown) => this.failed(next));
    }, delay);
    this.retryTimer.unref();
  }

  /** The watch being served right now, for tests that cut it. */
  get watching(): boolean {
    return this.currentWatch !== undefined && !this.currentWatch.signal.aborted;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    await this.listWatch?.stop();
    this.currentWatch?.abort();
  }
}
