import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Component, ComponentStatus } from '../../components/component.js';
import { formatDuration } from '../../config/duration.js';
import { describeFsError } from '../../config/errors.js';
import { dropOldest } from '../../flow/drop-oldest.js';
import type { FlowBus, FlowQueue } from '../../flow/flow-bus.js';
import type { Logger } from '../../log/logger.js';
import { Interner } from '../../flow/interner.js';
import { RateLimitedLog } from '../../log/rate-limited.js';
import type { Metrics } from '../../metrics/pipeline.js';
import type { CounterFamily, GaugeFamily } from '../../metrics/series-budget.js';
import { Backoff } from '../../retry/backoff.js';
import { STREAM_METHOD, encodeStreamRequest, goldmane, isDecodeFailure, type DecodeFailure } from './codec.js';
import { transportSecurity, type GoldmaneConfig } from './config.js';
import { keyParts, toFlowRecord, type KeyParts } from './flow-mapping.js';
import { BUCKET_SECONDS, IntervalDedupe } from './interval-dedupe.js';
import { NO_LABELS, decodeFlowReport, decodeLabels, type FlowLabels, type FlowReport } from './report-decoder.js';
import { planResume } from './resume.js';
import { classify, probeTls } from './stream-failure.js';
import * as families from './metrics.js';

// The goldmane source: one long-lived /goldmane.Flows/Stream call. Every
// message is a 15-second delta for one flow key; each (key, start_time) is
// counted once; after any disconnect the stream resumes at the last end_time
// received (see resume.ts), with exponential backoff and jitter between
// attempts. Records go to a bounded queue, so reading the stream never waits
// on sinks (Goldmane drops data for readers that fall behind).

/** A call that survives this long after the handshake counts as up, before its first message. */
const STABLE_AFTER_MS = 2_000;
/** A report may start this far in the future (clock skew between nodes); beyond it, it is skipped. */
const MAX_FUTURE_SECONDS = 600;

/**
 * Why a decoded report cannot be counted, or undefined: an interval that is
 * not one (end_time 0 or before start_time), one far in the future, or a
 * negative counter. Such a report must not move the resume point, the dedupe
 * window or the gap counter, nor reach the sinks.
 */
export function invalidReport(report: FlowReport, nowSeconds: number): string | undefined {
  if (!(report.startTime > 0) || !(report.endTime >= report.startTime)) return 'bad_interval';
  if (report.startTime > nowSeconds + MAX_FUTURE_SECONDS) return 'future';
  // Written out: this runs for every report.
  const nonNegative =
    report.packetsIn >= 0 && report.packetsOut >= 0 && report.bytesIn >= 0 && report.bytesOut >= 0 && report.numConnectionsStarted >= 0 && report.numConnectionsCompleted >= 0 && report.numConnectionsLive >= 0;
  return nonNegative ? undefined : 'negative_counter';
}

/** A decoded flow key not reported for this many buckets (a minute) is dropped; it is decoded again if it comes back. */
const KNOWN_KEY_IDLE_BUCKETS = 4;

/** A flow key seen on the stream, with the labels of its last report. */
interface KnownKey {
  readonly parts: KeyParts;
  labelBytes: Uint8Array | undefined;
  labels: FlowLabels;
  /** The newest 15-second bucket it was reported for. */
  bucket: number;
}

/**
 * The report's labels: the key's last ones when their bytes are unchanged
 * (the usual case), else decoded, and shared with every key carrying the same
 * label sets.
 */
function labelsOf(known: KnownKey, bytes: Uint8Array | undefined, interner: Interner): FlowLabels {
  if (bytes === undefined) return NO_LABELS;
  const last = known.labelBytes;
  if (last !== undefined && Buffer.compare(last, bytes) === 0) return known.labels;
  // A copy: a view would keep the whole received message alive.
  known.labelBytes = new Uint8Array(bytes);
  known.labels = interner.shared(Buffer.from(known.labelBytes).toString('latin1'), () => {
    const decoded = decodeLabels(bytes);
    return Object.freeze({ source: Object.freeze(decoded.source.map((label) => interner.string(label))), dest: Object.freeze(decoded.dest.map((label) => interner.string(label))) }) as FlowLabels;
  });
  return known.labels;
}

export type StreamMessage = FlowReport | DecodeFailure;

export interface GoldmaneSourceOptions {
  readonly config: GoldmaneConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly flows: FlowBus;
  /** Unix milliseconds; injectable for tests. */
  readonly now?: () => number;
  readonly random?: () => number;
}

interface StreamEnd {
  /** Metric label: a gRPC status name in snake case, "eof" or "tls_files". */
  readonly code: string;
  readonly detail: string;
}

export class GoldmaneSource implements Component {
  readonly name = 'goldmane';
  private readonly config: GoldmaneConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly queue: FlowQueue;
  private readonly dedupe: IntervalDedupe;
  private readonly backoff: Backoff;
  /** Decoded keys by their encoded bytes, in the order they were first seen. */
  private readonly knownKeys = new Map<string, KnownKey>();
  private newestBucket = Number.NEGATIVE_INFINITY;
  private readonly evictions: CounterFamily;
  private readonly limitedLog: RateLimitedLog;
  /** Names, namespaces, policies and label sets shared by the keys that repeat them. */
  private readonly interner: Interner;
  private lastEndTime: number | undefined;
  /** Reports starting before this (unix seconds) are replays from a checkpoint resume. */
  private liveFrom = Number.NEGATIVE_INFINITY;
  private readonly flows: FlowBus;
  private everUp = false;
  private up = false;
  private reason = 'connecting';
  private stopping = false;
  private loop: Promise<void> | undefined;
  private cancelCall: ((end: StreamEnd) => void) | undefined;
  /** When the current stream opened or last delivered a report (ms), for the idle check. */
  private lastActivity = 0;
  private wake: (() => void) | undefined;

  private readonly streamUp: GaugeFamily;
  private readonly reconnects: CounterFamily;
  private readonly messages: CounterFamily;
  private readonly duplicates: CounterFamily;
  private readonly skipped: CounterFamily;
  private readonly badReports: CounterFamily;
  private readonly lastMessage: GaugeFamily;
  private readonly gap: CounterFamily;

  constructor(options: GoldmaneSourceOptions) {
    const { config, metrics } = options;
    this.config = config;
    this.logger = options.logger;
    this.limitedLog = new RateLimitedLog(options.logger);
    this.interner = new Interner(options.config.maxKeys);
    this.now = options.now ?? Date.now;
    this.flows = options.flows;
    this.queue = options.flows.queue('goldmane', config.queueSize);
    this.dedupe = new IntervalDedupe(Math.max(1, Math.ceil(config.dedupeWindow / 1_000 / BUCKET_SECONDS)), config.maxKeys);
    this.backoff = new Backoff(config.reconnect.initial, Math.max(config.reconnect.initial, config.reconnect.max), options.random);
    this.streamUp = metrics.gauge(families.STREAM_UP);
    this.reconnects = metrics.counter(families.RECONNECTS);
    this.messages = metrics.counter(families.MESSAGES);
    this.duplicates = metrics.counter(families.DUPLICATES);
    this.skipped = metrics.counter(families.SKIPPED);
    this.badReports = metrics.counter(families.REPORTS_SKIPPED);
    this.lastMessage = metrics.gauge(families.LAST_MESSAGE);
    this.gap = metrics.counter(families.GAP);
    // Series without labels exist from the start, at 0, so rate() and alerts see them; the last
    // message time starts at the source's start, so "no message for a while" alerts work before the first.
    this.streamUp.set(undefined, 0);
    for (const counter of [this.messages, this.duplicates, this.gap]) counter.inc(undefined, 0);
    this.lastMessage.set(undefined, this.now() / 1_000);
    const dedupeKeys = metrics.gauge(families.DEDUPE_KEYS);
    const knownKeys = metrics.gauge(families.KNOWN_KEYS);
    this.evictions = metrics.counter(families.EVICTIONS);
    let dedupeLimit = 0;
    metrics.onCollect(() => {
      dedupeKeys.set(undefined, this.dedupe.size);
      knownKeys.set(undefined, this.knownKeys.size);
      this.evictions.inc({ cache: 'dedupe', reason: 'limit' }, this.dedupe.evictions.limit - dedupeLimit);
      dedupeLimit = this.dedupe.evictions.limit;
    });
    for (const reason of ['idle', 'limit']) this.evictions.inc({ cache: 'known_keys', reason }, 0);
  }

  async start(): Promise<void> {
    this.loop = this.run();
  }

  /** Records waiting for the sinks. */
  get queued(): number {
    return this.queue.size;
  }

  status(): ComponentStatus {
    return { ready: this.everUp, up: this.up, ...(this.up ? {} : { reason: this.reason }) };
  }

  async stop(deadline: AbortSignal): Promise<void> {
    this.stopping = true;
    this.cancelCall?.({ code: 'cancelled', detail: 'stopping' });
    this.wake?.();
    await this.loop;
    if (deadline.aborted) this.queue.discard('shutdown');
    else this.queue.flush();
  }

  private async run(): Promise<void> {
    this.applyResumePoint();
    while (!this.stopping) {
      const plan = planResume(this.lastEndTime, this.now() / 1_000);
      if (plan.gapSeconds > 0) {
        this.gap.inc(undefined, plan.gapSeconds);
        this.logger.warn(
          { lastEndTime: this.lastEndTime, resumeAt: plan.startTimeGte, gapSeconds: plan.gapSeconds },
          'outage outlasted Goldmane\'s one-hour memory: resuming at its oldest data, the gap is lost',
        );
      }
      const end = await this.stream(plan.startTimeGte);
      this.setDown(end.detail);
      if (this.stopping) break;
      this.reconnects.inc({ reason: end.code });
      const delayMs = Math.round(this.backoff.next());
      this.logger.warn({ reason: end.code, detail: end.detail, retryInMs: delayMs }, 'Goldmane stream ended; reconnecting');
      await this.sleep(delayMs);
    }
  }

  /**
   * A sink's checkpoint (otlp.checkpointFile): start where the previous
   * process stopped delivering instead of "now", skip what it delivered, and
   * mark what a "now" stream would not have sent as replay, which the
   * Prometheus counters skip (the previous process counted it).
   */
  private applyResumePoint(): void {
    const point = this.flows.takeResume();
    if (point === undefined) return;
    this.lastEndTime = point.startTime;
    for (const start of [...point.delivered.keys()].sort((a, b) => a - b)) {
      for (const key of point.delivered.get(start) ?? []) this.dedupe.seen(key, start);
    }
    // A "now" stream opened at this moment sends the bucket starting here first.
    this.liveFrom = Math.floor(this.now() / 15_000) * 15 - 15;
    this.logger.info({ resumeFrom: point.startTime, liveFrom: this.liveFrom }, 'resuming Goldmane from a checkpoint');
  }

  private stream(startTimeGte: number): Promise<StreamEnd> {
    return new Promise((resolve) => {
      let credentials: grpc.ChannelCredentials;
      try {
        credentials = this.credentials();
      } catch (error) {
        resolve({ code: 'tls_files', detail: (error as Error).message });
        return;
      }
      const client = new grpc.Client(this.config.address, credentials, this.channelOptions());
      this.logger.info({ address: this.config.address, startTimeGte }, 'opening Goldmane stream');
      const call = client.makeServerStreamRequest<goldmane.FlowStreamRequest.$Properties, StreamMessage>(
        STREAM_METHOD,
        encodeStreamRequest,
        decodeFlowReport,
        { startTimeGte },
        new grpc.Metadata(),
      );
      let settled = false;
      let stableTimer: NodeJS.Timeout | undefined;
      let idleTimer: NodeJS.Timeout | undefined;
      const finish = (end: StreamEnd): void => {
        if (settled) return;
        settled = true;
        clearTimeout(stableTimer);
        clearInterval(idleTimer);
        this.cancelCall = undefined;
        client.close();
        resolve(end);
      };
      this.lastActivity = this.now();
      const idleMs = this.config.idleTimeout;
      if (idleMs > 0) {
        // Open but silent, or trickling bytes that never make a message: reopen.
        idleTimer = setInterval(() => {
          if (this.now() - this.lastActivity < idleMs) return;
          call.cancel();
          finish({ code: 'idle', detail: `no flow report for ${formatDuration(idleMs)}` });
        }, Math.min(15_000, Math.max(10, idleMs / 4)));
        idleTimer.unref();
      }
      const checkStable = (): void => {
        if (settled) return;
        if (client.getChannel().getConnectivityState(false) === grpc.connectivityState.READY) this.setUp();
        else stableTimer = setTimeout(checkStable, STABLE_AFTER_MS).unref();
      };
      stableTimer = setTimeout(checkStable, STABLE_AFTER_MS).unref();
      this.cancelCall = (end) => {
        call.cancel();
        finish(end);
      };
      let received = 0;
      call.on('data', (message: StreamMessage) => {
        received++;
        this.ingest(message);
      });
      let errored = false;
      call.on('error', (error: grpc.ServiceError) => {
        errored = true;
        const code = error.code === undefined ? undefined : (grpc.status[error.code] ?? 'UNKNOWN').toLowerCase();
        const failure = classify(code, error.details, error.message);
        if (!this.unexplainedTlsFailure(failure)) {
          finish(failure);
          return;
        }
        void this.probeTls().then((tls) => finish(tls === undefined ? failure : { code: 'tls', detail: `TLS: ${tls}` }));
      });
      call.on('end', () => {
        if (errored) return; // the error decides (its TLS probe may still be running)
        const eof = { code: 'eof', detail: 'Goldmane ended the stream' };
        // Ended before its first message over TLS: with TLS 1.3 that is how a refused client certificate can look.
        if (received > 0 || transportSecurity(this.config).mode !== 'tls') finish(eof);
        else void this.probeTls().then((tls) => finish(tls === undefined ? eof : { code: 'tls', detail: `TLS: ${tls}` }));
      });
    });
  }

  /** Handles one decoded stream message (what each 'data' event delivers). */
  ingest(message: StreamMessage): void {
    if (isDecodeFailure(message)) {
      this.skipDecodeFailure(message.decodeError);
      return;
    }
    if (!message.hasFlow || message.key === undefined) {
      this.skipped.inc({ reason: 'incomplete' });
      return;
    }
    this.setUp();
    this.messages.inc();
    this.lastActivity = this.now();
    const now = this.lastActivity / 1_000;
    this.lastMessage.set(undefined, now);
    // Before the key is looked at: an impossible start time must not move the known-key cache either.
    const invalid = invalidReport(message, now);
    if (invalid !== undefined) {
      this.badReports.inc({ reason: invalid });
      this.limitedLog.warn(invalid, { startTime: message.startTime, endTime: message.endTime }, 'skipped a Goldmane flow report with impossible values');
      return;
    }
    const known = this.knownKey(message.key, message.startTime);
    if (known === undefined) return;
    if (this.lastEndTime === undefined || message.endTime > this.lastEndTime) this.lastEndTime = message.endTime;
    if (this.dedupe.seen(known.parts.id, message.startTime)) {
      this.duplicates.inc();
      return;
    }
    const record = toFlowRecord(message, known.parts, labelsOf(known, message.labels, this.interner));
    this.queue.push(message.startTime < this.liveFrom ? { ...record, replay: true } : record);
  }

  /**
   * What is known about a flow key, decoded the first time its bytes are seen.
   * Each time the newest bucket advances (every 15 s), keys not reported for a
   * minute are swept out; at goldmane.maxKeys the first remembered keys go (1/64 of them).
   */
  private knownKey(encoded: Uint8Array, startTime: number): KnownKey | undefined {
    const bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength).toString('latin1');
    const bucket = Math.floor(startTime / BUCKET_SECONDS);
    let known = this.knownKeys.get(bytes);
    if (known !== undefined) {
      if (bucket > known.bucket) known.bucket = bucket;
    } else {
      try {
        known = { parts: keyParts(goldmane.FlowKey.decode(encoded), (value) => this.interner.string(value)), labelBytes: undefined, labels: NO_LABELS, bucket };
      } catch (error) {
        this.skipDecodeFailure((error as Error).message);
        return undefined;
      }
      if (this.knownKeys.size >= this.config.maxKeys) this.dropOldestKeys();
      this.knownKeys.set(bytes, known);
    }
    if (bucket > this.newestBucket) {
      this.newestBucket = bucket;
      this.dropIdleKeys();
    }
    return known;
  }

  /** Keys not reported for a minute leave the cache (a sweep, once per bucket). */
  private dropIdleKeys(): void {
    const cutoff = this.newestBucket - KNOWN_KEY_IDLE_BUCKETS;
    let dropped = 0;
    for (const [bytes, known] of this.knownKeys) {
      if (known.bucket >= cutoff) continue;
      this.knownKeys.delete(bytes);
      dropped++;
    }
    if (dropped > 0) this.evictions.inc({ cache: 'known_keys', reason: 'idle' }, dropped);
  }

  private dropOldestKeys(): void {
    this.evictions.inc({ cache: 'known_keys', reason: 'limit' }, dropOldest(this.knownKeys));
  }

  private skipDecodeFailure(reason: string): void {
    this.skipped.inc({ reason: 'decode' });
    this.limitedLog.warn('decode', { problem: reason }, 'skipped a Goldmane message that does not decode');
  }

  private setUp(): void {
    if (this.up) return;
    this.up = true;
    this.everUp = true;
    this.backoff.reset();
    this.streamUp.set(undefined, 1);
    this.logger.info({ address: this.config.address }, 'Goldmane stream up');
  }

  private setDown(reason: string): void {
    this.up = false;
    this.reason = `${this.config.address}: ${reason}`;
    // Series without labels exist from the start, at 0, so rate() and alerts see them.
    this.streamUp.set(undefined, 0);
    for (const counter of [this.messages, this.duplicates, this.gap]) counter.inc(undefined, 0);
  }

  /** An UNAVAILABLE over TLS that grpc-js did not explain ("Failed to connect", a dropped connection), not a network error. */
  private unexplainedTlsFailure(failure: StreamEnd): boolean {
    if (failure.code !== 'unavailable' || transportSecurity(this.config).mode !== 'tls') return false;
    return !/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN/.test(failure.detail);
  }

  /** Asks Goldmane with one plain TLS handshake what grpc-js did not say. */
  private async probeTls(): Promise<string | undefined> {
    const security = transportSecurity(this.config);
    if (security.mode !== 'tls') return undefined;
    const address = this.config.address;
    const colon = address.lastIndexOf(':');
    const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
    const read = (path: string | undefined): Buffer | undefined => {
      try {
        return path === undefined ? undefined : readFileSync(path);
      } catch {
        return undefined;
      }
    };
    const ca = read(security.caFile);
    const cert = read(security.certFile);
    const key = read(security.keyFile);
    const servername = this.config.serverName ?? host;
    return probeTls({ host, port: Number(address.slice(colon + 1)), ...(isIP(servername) ? {} : { servername }), ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
  }

  /** Read at every connect, so rotated certificate files apply on the next reconnect. */
  private credentials(): grpc.ChannelCredentials {
    const security = transportSecurity(this.config);
    if (security.mode === 'plaintext') return grpc.credentials.createInsecure();
    const read = (path: string | undefined, setting: string): Buffer | null => {
      if (path === undefined) return null;
      try {
        return readFileSync(path);
      } catch (error) {
        throw new Error(`goldmane.tls.${setting}: cannot read "${path}": ${describeFsError(error)}`);
      }
    };
    return grpc.credentials.createSsl(read(security.caFile, 'caFile'), read(security.keyFile, 'keyFile'), read(security.certFile, 'certFile'));
  }

  private channelOptions(): grpc.ChannelOptions {
    const serverName = this.config.serverName;
    return {
      // Goldmane's gRPC server keeps grpc-go's defaults: pings more often than every 5 minutes earn a GOAWAY.
      'grpc.keepalive_time_ms': 330_000,
      'grpc.keepalive_timeout_ms': 20_000,
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.enable_retries': 0,
      // A fresh connection per attempt: new credentials apply, nothing is shared with an earlier channel.
      'grpc.use_local_subchannel_pool': 1,
      ...(serverName !== undefined ? { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName } : {}),
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
