import type { ComponentStatus } from '../../components/component.js';
import type { FlowBus } from '../../flow/flow-bus.js';
import type { FlowRecord } from '../../flow/flow-record.js';
import { Ring } from '../../flow/ring.js';
import type { Logger } from '../../log/logger.js';
import { Backoff } from '../../retry/backoff.js';
import { DeliveryTracker, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { DeliveryMetrics } from './metrics.js';

// Shared delivery for flow sinks that send records somewhere (the OTLP sink;
// later ones): records wait in a bounded queue (the oldest dropped, and
// counted, when full), leave in batches (a size, or a delay after the first
// record waited), a few batches at a time; a batch that fails for a transient
// reason is sent again with backoff, honouring the receiver's Retry-After,
// until it is acknowledged, refused for good, or the agent stops. A
// checkpoint file keeps where the flow source should resume so that what was
// not delivered before a stop is read again at the next start. Every record
// given up is counted by reason. The sink supplies only `send`.

export type SendOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Refused for good (a 4xx): dropped, not retried. */
      readonly permanent: boolean;
      /** flowlens_*_export_failures_total{reason}: http_<status>, network, timeout, other. */
      readonly reason: string;
      readonly detail: string;
      /** The receiver's Retry-After, for this request. */
      readonly retryAfterMs?: number;
      /** The receiver may have taken it (no answer in time, the connection broke after sending): a resend may duplicate. */
      readonly maybeReceived?: boolean;
    };

export interface DeliverySettings {
  readonly queueSize: number;
  readonly batchSize: number;
  /** Longest wait before a partly filled batch leaves. */
  readonly batchDelayMs: number;
  /** Batches in flight at once. */
  readonly concurrency: number;
  readonly retry: { readonly initial: number; readonly max: number };
  /** Where the resume point is kept; undefined: no checkpoint. */
  readonly checkpointFile?: string | undefined;
}

export interface DeliveryOptions extends DeliverySettings {
  /** Sends one batch; the outcome of this request only. Called again for a retry. */
  send(records: readonly FlowRecord[]): Promise<SendOutcome>;
  readonly metrics: DeliveryMetrics;
  readonly logger: Logger;
  /** The receiver as logs and /ready show it (no credentials). */
  readonly target: string;
  /** What a send is, in log lines ("flow log export"), and who receives ("the OTLP receiver"). */
  readonly words?: { readonly send: string; readonly receiver: string };
  /** The flow bus, offered the checkpoint's resume point at construction. */
  readonly flows?: FlowBus;
  readonly random?: () => number;
}

/** What became of a batch: acknowledged, refused for good (4xx), or left unsent at the stop deadline. */
type Fate = 'delivered' | 'rejected' | 'abandoned';

const CHECKPOINT_INTERVAL_MS = 5_000;
const SHUTDOWN: SendOutcome = { ok: false, permanent: false, reason: 'shutdown', detail: 'stopped while sending' };

export class Delivery {
  private readonly queue: Ring<FlowRecord>;
  private readonly backoff: Backoff;
  private readonly tracker = new DeliveryTracker();
  /** Batches being sent. */
  private readonly inFlight = new Set<readonly FlowRecord[]>();
  /** Batches given up at the stop deadline: still pending for the checkpoint. */
  private readonly abandoned: (readonly FlowRecord[])[] = [];
  private stopped = false;
  private pump: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private firstWaitingAt: number | undefined;
  private stopping = false;
  private readonly abort = new AbortController();
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointDirty = false;
  private up = true;
  private reason: string | undefined;

  private target: string;
  private readonly words: { readonly send: string; readonly receiver: string };

  constructor(private readonly options: DeliveryOptions) {
    this.target = options.target;
    this.words = options.words ?? { send: 'sending flow records', receiver: 'the receiver' };
    this.queue = new Ring(options.queueSize);
    this.backoff = new Backoff(options.retry.initial, Math.max(options.retry.initial, options.retry.max), options.random);
    options.metrics.queueDepth.set(undefined, 0);
    const file = options.checkpointFile;
    if (file !== undefined) {
      try {
        const point = readCheckpoint(file);
        if (point !== undefined) {
          options.flows?.offerResume(point);
          options.logger.info({ file, resumeFrom: point.startTime }, 'flow log checkpoint found');
        }
      } catch (error) {
        options.logger.warn({ file, err: error }, 'ignoring an unreadable flow log checkpoint; starting from now');
      }
    }
  }

  /** The receiver changed (a reload): logs and /ready name the new one. */
  retarget(target: string): void {
    this.target = target;
  }

  /** Records waiting, the batches in flight included. */
  get pending(): number {
    let count = this.queue.size;
    for (const batch of this.inFlight) count += batch.length;
    return count;
  }

  start(): void {
    this.pump = this.run();
    if (this.options.checkpointFile !== undefined) {
      this.checkpointTimer = setInterval(() => this.saveCheckpoint(), CHECKPOINT_INTERVAL_MS);
      this.checkpointTimer.unref();
    }
  }

  status(): ComponentStatus {
    return { ready: true, up: this.up, ...(this.up ? {} : { reason: this.reason ?? 'delivery failing' }) };
  }

  push(records: readonly FlowRecord[]): void {
    if (this.stopped) {
      this.notDelivered(records.length);
      return;
    }
    let overflow = 0;
    for (const record of records) if (this.queue.push(record) !== undefined) overflow++;
    if (overflow > 0) this.options.metrics.dropped.inc({ reason: 'queue_full' }, overflow);
    if (this.firstWaitingAt === undefined) {
      // The pump sleeps while the queue is empty: start the batch delay now.
      this.firstWaitingAt = Date.now();
      this.wake?.();
    } else if (this.queue.size >= this.options.batchSize) {
      this.wake?.();
    }
  }

  /** Sends what is queued until done or the deadline; what is left is checkpointed (deferred) or dropped, and counted. */
  async stop(deadline: AbortSignal): Promise<void> {
    this.stopping = true;
    const giveUp = (): void => this.abort.abort();
    if (deadline.aborted) giveUp();
    else deadline.addEventListener('abort', giveUp, { once: true });
    this.wake?.();
    await this.pump;
    deadline.removeEventListener('abort', giveUp);
    clearInterval(this.checkpointTimer);
    // Saved with what is still queued and what was abandoned in flight: all of it is pending.
    const saved = this.saveCheckpoint(true);
    this.stopped = true;
    const left = this.queue.size + this.abandoned.reduce((count, batch) => count + batch.length, 0);
    if (left > 0) {
      this.notDelivered(left, saved);
      this.options.logger.warn(
        { records: left, checkpoint: saved },
        saved ? 'flow records not delivered before the shutdown deadline: the next start re-reads them from the checkpoint' : 'flow records not delivered before the shutdown deadline',
      );
    }
    this.options.metrics.queueDepth.set(undefined, 0);
  }

  /** Refreshes the queue depth gauge (at scrape time). */
  collect(): void {
    this.options.metrics.queueDepth.set(undefined, this.pending);
  }

  /**
   * Sends batches (oldest first, `concurrency` at a time) until stopped; when
   * stopping, until the queue is empty or the deadline passes.
   */
  private async run(): Promise<void> {
    const { batchSize, batchDelayMs, concurrency } = this.options;
    const sending = new Set<Promise<void>>();
    while (!this.abort.signal.aborted) {
      if (this.queue.size === 0) {
        if (this.stopping && sending.size === 0) return;
        this.firstWaitingAt = undefined;
        await this.sleep(60_000);
        continue;
      }
      const waited = Date.now() - (this.firstWaitingAt ?? Date.now());
      if (this.queue.size < batchSize && !this.stopping && waited < batchDelayMs) {
        await this.sleep(batchDelayMs - waited);
        continue;
      }
      if (sending.size >= concurrency) {
        await this.sleep(60_000);
        continue;
      }
      const records = this.queue.take(batchSize);
      this.firstWaitingAt = this.queue.size > 0 ? Date.now() : undefined;
      this.inFlight.add(records);
      const sent: Promise<void> = this.deliver(records).then((fate) => {
        this.inFlight.delete(records);
        sending.delete(sent);
        if (fate === 'abandoned') this.abandoned.push(records);
        if (fate === 'delivered') {
          this.tracker.acknowledge(records);
          this.checkpointDirty = true;
        }
        this.wake?.();
      });
      sending.add(sent);
    }
    await Promise.all(sending);
  }

  /** Sends one batch until acknowledged, rejected for good, or abandoned at the stop deadline. */
  private async deliver(batch: readonly FlowRecord[]): Promise<Fate> {
    const { metrics, logger } = this.options;
    let maybeReceived = false;
    for (;;) {
      // At least once: a resend after an attempt the receiver may have taken may duplicate it; say so.
      if (maybeReceived) metrics.possibleDuplicates.inc(undefined, batch.length);
      const outcome = await this.sendOnce(batch);
      if (outcome.ok) {
        metrics.exported.inc(undefined, batch.length);
        metrics.lastSuccess.set(undefined, Date.now() / 1_000);
        this.backoff.reset();
        this.up = true;
        return 'delivered';
      }
      if (outcome.reason === 'shutdown') return 'abandoned';
      maybeReceived = outcome.maybeReceived === true;
      metrics.failures.inc({ reason: outcome.reason });
      if (outcome.permanent) {
        metrics.dropped.inc({ reason: 'rejected' }, batch.length);
        logger.error({ url: this.target, detail: outcome.detail, records: batch.length }, `${this.words.receiver} rejected a batch of flow records; dropped`);
        return 'rejected';
      }
      this.up = false;
      this.reason = `${this.target}: ${outcome.detail}`;
      if (this.abort.signal.aborted) return 'abandoned';
      const delayMs = Math.round(Math.max(this.backoff.next(), outcome.retryAfterMs ?? 0));
      metrics.retries.inc();
      logger.warn({ url: this.target, detail: outcome.detail, records: batch.length, retryInMs: delayMs }, `${this.words.send} failed; retrying`);
      await this.sleep(delayMs, true);
      if (this.abort.signal.aborted) return 'abandoned';
    }
  }

  /** One attempt; past the stop deadline nobody waits for the request in flight. */
  private sendOnce(batch: readonly FlowRecord[]): Promise<SendOutcome> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.resolve(SHUTDOWN);
    return new Promise((resolve) => {
      const abandon = (): void => resolve(SHUTDOWN);
      signal.addEventListener('abort', abandon, { once: true });
      this.options.send(batch).then(
        (outcome) => {
          signal.removeEventListener('abort', abandon);
          resolve(outcome);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', abandon);
          resolve({ ok: false, permanent: false, reason: 'other', detail: (error as Error).message });
        },
      );
    });
  }

  /** Records this process will not deliver: deferred to the next start when the checkpoint holds them, else dropped. */
  private notDelivered(count: number, checkpointed = false): void {
    if (checkpointed) this.options.metrics.deferred.inc(undefined, count);
    else this.options.metrics.dropped.inc({ reason: 'shutdown' }, count);
  }

  /** Writes the checkpoint (when configured and changed, or forced); true when the file now holds every pending record. */
  private saveCheckpoint(force = false): boolean {
    const file = this.options.checkpointFile;
    if (file === undefined || (!force && !this.checkpointDirty)) return false;
    let oldestPending: number | undefined;
    const visit = (record: FlowRecord): void => {
      const start = record.startTime / 1_000;
      if (oldestPending === undefined || start < oldestPending) oldestPending = start;
    };
    for (const batch of this.inFlight) batch.forEach(visit);
    for (const batch of this.abandoned) batch.forEach(visit);
    this.queue.forEach(visit);
    const point = this.tracker.point(oldestPending);
    if (point === undefined) return false;
    try {
      writeCheckpoint(file, point);
      this.checkpointDirty = false;
      return true;
    } catch (error) {
      this.options.logger.warn({ file, err: error }, 'could not write the flow log checkpoint');
      return false;
    }
  }

  /** Waits ms, or until woken (new records, stop); with untilAbort, only the stop deadline cuts it short. */
  private sleep(ms: number, untilAbort = false): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.abort.signal.addEventListener('abort', done, { once: true });
      if (!untilAbort) this.wake = done;
    });
  }
}
