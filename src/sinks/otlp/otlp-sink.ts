import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { SeverityNumber, type LogAttributes, type Logger as OtelLogger } from '@opentelemetry/api-logs';
import type { ExportResult } from '@opentelemetry/core';
import { createOtlpNetworkExportDelegate, ExporterMetrics, OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { LogsExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordExporter, type LogRecordProcessor, type ReadableLogRecord, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { Component, ComponentStatus } from '../../components/component.js';
import type { FlowBus } from '../../flow/flow-bus.js';
import type { FlowConsumer, FlowRecord } from '../../flow/flow-record.js';
import { Ring } from '../../flow/ring.js';
import type { Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/pipeline.js';
import type { CounterFamily, GaugeFamily } from '../../metrics/series-budget.js';
import { Backoff } from '../../retry/backoff.js';
import { DeliveryMetrics, deliverySpecs } from '../delivery/metrics.js';
import { VERSION } from '../../version.js';
import { FlowAttributeMaker } from '../flow-log/attributes.js';
import { FlowBodies } from '../flow-log/body.js';
import { DeliveryTracker, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { redactUrls } from '../../config/redact.js';
import { logsUrl, type OtlpConfig } from './config.js';
import { createHttpTransport, ExportHttpError } from './http-transport.js';
import { FastJsonLogsSerializer, FastProtobufLogsSerializer } from './log-serializer.js';

// Flow records as OpenTelemetry log records over OTLP/HTTP, built with the
// OpenTelemetry JS logs SDK (LoggerProvider, log records, resource) and sent
// by its OTLP/HTTP exporters (protobuf or JSON).
//
// The SDK's BatchLogRecordProcessor drops a batch its exporter could not send;
// flow logs must survive a receiver that is down for a while. So records wait
// in a bounded queue (oldest dropped, and counted, when full), and a batch is
// turned into SDK log records and exported only when it is its turn; a batch
// that fails for a transient reason is sent again, with backoff and honouring
// the receiver's Retry-After, until it is acknowledged or the agent stops.

export const SCOPE_NAME = 'flowlens/flows';
export const OTLP_FAMILIES = deliverySpecs('flowlens_otlp', 'otlp', 'the OTLP receiver');
const CHECKPOINT_INTERVAL_MS = 5_000;
/**
 * Batches exported at the same time: while one request waits for the
 * receiver, the next batch is built and sent (bench/otlp-export.bench.ts).
 */
const MAX_IN_FLIGHT = 2;

/**
 * Hands the records the SDK builds straight to the batch being assembled, and
 * gives each its attributes. The SDK's own attribute path (emit({attributes}))
 * validates every value and allocates a WeakSet per attribute: 4.9 of the
 * 5.6 µs an emit takes for a flow's 23 attributes (bench/otlp-export.bench.ts).
 * Flow attributes are valid by construction (strings, numbers, string arrays),
 * so they are attached as they are; should the SDK ever refuse that, the
 * validating setAttributes() is used instead. The receiver test checks them.
 */
class BatchCollector implements LogRecordProcessor {
  batch: ReadableLogRecord[] = [];
  /** The attributes of the record being emitted. */
  attributes: LogAttributes = {};

  onEmit(record: SdkLogRecord): void {
    const attributes = this.attributes;
    try {
      (record as unknown as { attributes: LogAttributes }).attributes = attributes;
    } catch {
      // not writable in this SDK version
    }
    if (record.attributes !== attributes) record.setAttributes(attributes);
    this.batch.push(record);
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}

type Outcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly permanent: boolean; readonly reason: string; readonly detail: string; readonly retryAfterMs?: number; readonly maybeReceived?: boolean };

/** What became of a batch: acknowledged, refused for good (4xx), or left unsent at the stop deadline. */
type Delivery = 'delivered' | 'rejected' | 'abandoned';

function hrTime(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1_000);
  return [seconds, Math.round((ms - seconds * 1_000) * 1_000_000)];
}

export interface OtlpSinkOptions {
  readonly config: OtlpConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly flows: FlowBus;
  readonly random?: () => number;
}

export class OtlpSink implements Component, FlowConsumer {
  readonly name = 'otlp';
  private readonly config: OtlpConfig;
  private readonly log: Logger;
  private readonly url: string;
  /** The URL as logs and /ready show it: without user info (it may hold credentials). */
  private readonly shownUrl: string;
  private readonly queue: Ring<FlowRecord>;
  private readonly bodies = new FlowBodies();
  private readonly attributeMaker = new FlowAttributeMaker();
  private readonly collector = new BatchCollector();
  private readonly provider: LoggerProvider;
  private readonly otelLogger: OtelLogger;
  private readonly exporter: LogRecordExporter;
  private readonly agent: http.Agent;
  private readonly backoff: Backoff;
  private readonly tracker = new DeliveryTracker();
  /** Batches being exported (at most MAX_IN_FLIGHT). */
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

  private readonly exported: CounterFamily;
  private readonly failures: CounterFamily;
  private readonly retries: CounterFamily;
  private readonly dropped: CounterFamily;
  private readonly deferred: CounterFamily;
  private readonly possibleDuplicates: CounterFamily;
  private readonly requests: CounterFamily;
  private readonly lastSuccess: GaugeFamily;

  constructor(options: OtlpSinkOptions) {
    const { config, metrics } = options;
    this.config = config;
    this.log = options.logger;
    this.url = logsUrl(config);
    this.shownUrl = redactUrls(this.url);
    this.queue = new Ring(config.queueSize);
    this.backoff = new Backoff(config.retry.initial, Math.max(config.retry.initial, config.retry.max), options.random);

    const tls = config.tls;
    this.agent = this.url.startsWith('https:')
      ? new https.Agent({
          keepAlive: true,
          ...(tls?.caFile ? { ca: readFileSync(tls.caFile) } : {}),
          ...(tls?.certFile && tls.keyFile ? { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } : {}),
        })
      : new http.Agent({ keepAlive: true });
    // The SDK's export delegate (serializing, its concurrency bound, its
    // exporter metrics) over flowlens' serializers and transport: the
    // transport reports each request's status to its own batch and leaves
    // retrying to the sink.
    const json = config.protocol === 'http/json';
    const transport = createHttpTransport({
      url: this.url,
      headers: config.headers,
      contentType: json ? 'application/json' : 'application/x-protobuf',
      gzip: config.compression === 'gzip',
      agent: this.agent,
      onResponse: (status) => this.requests.inc({ code: String(status) }),
    });
    const delegate = createOtlpNetworkExportDelegate(
      // The sink keeps MAX_IN_FLIGHT batches in flight; the delegate frees a slot only after our callback returned.
      { timeoutMillis: config.timeout, concurrencyLimit: MAX_IN_FLIGHT * 2, compression: config.compression === 'gzip' ? 'gzip' : 'none' },
      json ? new FastJsonLogsSerializer() : new FastProtobufLogsSerializer(),
      new ExporterMetrics({ componentType: 'otlp_http_log_exporter', metricsHelper: LogsExporterMetricsHelper, url: this.shownUrl, meterProvider: undefined, responseAttributesFromError: () => ({}) }),
      transport,
    );
    this.exporter = new OTLPExporterBase(delegate);

    const serviceName = config.serviceName ?? config.resourceAttributes['service.name'] ?? 'flowlens';
    const cluster = config.cluster === undefined ? {} : { cluster: config.cluster, 'k8s.cluster.name': config.cluster };
    const resource = defaultResource()
      .merge(resourceFromAttributes(config.resourceAttributes))
      .merge(resourceFromAttributes({ 'service.name': serviceName, 'service.version': VERSION, ...cluster }));
    this.provider = new LoggerProvider({ resource, processors: [this.collector] });
    this.otelLogger = this.provider.getLogger(SCOPE_NAME, VERSION);

    const families = new DeliveryMetrics(metrics, OTLP_FAMILIES);
    ({ exported: this.exported, failures: this.failures, retries: this.retries, dropped: this.dropped, deferred: this.deferred } = families);
    ({ possibleDuplicates: this.possibleDuplicates, responses: this.requests, lastSuccess: this.lastSuccess } = families);
    metrics.onCollect(() => families.queueDepth.set(undefined, this.queue.size + this.inFlightRecords()));

    if (config.checkpointFile !== undefined) {
      try {
        const point = readCheckpoint(config.checkpointFile);
        if (point !== undefined) {
          options.flows.offerResume(point);
          this.log.info({ file: config.checkpointFile, resumeFrom: point.startTime }, 'flow log checkpoint found');
        }
      } catch (error) {
        this.log.warn({ file: config.checkpointFile, err: error }, 'ignoring an unreadable flow log checkpoint; starting from now');
      }
    }
  }

  async start(): Promise<void> {
    this.pump = this.run();
    if (this.config.checkpointFile !== undefined) {
      this.checkpointTimer = setInterval(() => this.saveCheckpoint(), CHECKPOINT_INTERVAL_MS);
      this.checkpointTimer.unref();
    }
    this.log.info({ url: this.shownUrl, protocol: this.config.protocol }, 'exporting flow logs over OTLP/HTTP');
  }

  status(): ComponentStatus {
    return { ready: true, up: this.up, ...(this.up ? {} : { reason: this.reason ?? 'export failing' }) };
  }

  consume(records: readonly FlowRecord[]): void {
    if (this.stopped) {
      this.notExported(records.length);
      return;
    }
    let overflow = 0;
    for (const record of records) if (this.queue.push(record) !== undefined) overflow++;
    if (overflow > 0) this.dropped.inc({ reason: 'queue_full' }, overflow);
    if (this.firstWaitingAt === undefined) {
      // The pump sleeps while the queue is empty: start the batch delay now.
      this.firstWaitingAt = Date.now();
      this.wake?.();
    } else if (this.queue.size >= this.config.batchSize) {
      this.wake?.();
    }
  }

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
      this.notExported(left, saved);
      this.log.warn({ records: left, checkpoint: saved }, saved ? 'flow log records not exported before the shutdown deadline: the next start re-reads them from the checkpoint' : 'flow log records not exported before the shutdown deadline');
    }
    await this.provider.shutdown().catch(() => {});
    await this.exporter.shutdown().catch(() => {});
    this.agent.destroy();
  }

  /**
   * Exports batches (oldest first, up to MAX_IN_FLIGHT at a time) until
   * stopped; when stopping, until the queue is empty or the deadline passes.
   */
  private async run(): Promise<void> {
    const sending = new Set<Promise<void>>();
    while (!this.abort.signal.aborted) {
      if (this.queue.size === 0) {
        if (this.stopping && sending.size === 0) return;
        this.firstWaitingAt = undefined;
        await this.sleep(60_000);
        continue;
      }
      const waited = Date.now() - (this.firstWaitingAt ?? Date.now());
      if (this.queue.size < this.config.batchSize && !this.stopping && waited < this.config.batchDelay) {
        await this.sleep(this.config.batchDelay - waited);
        continue;
      }
      if (sending.size >= MAX_IN_FLIGHT) {
        await this.sleep(60_000);
        continue;
      }
      const records = this.queue.take(this.config.batchSize);
      this.firstWaitingAt = this.queue.size > 0 ? Date.now() : undefined;
      this.inFlight.add(records);
      const sent: Promise<void> = this.deliver(this.build(records)).then((delivery) => {
        this.inFlight.delete(records);
        sending.delete(sent);
        if (delivery === 'abandoned') this.abandoned.push(records);
        if (delivery === 'delivered') {
          this.tracker.acknowledge(records);
          this.checkpointDirty = true;
        }
        this.wake?.();
      });
      sending.add(sent);
    }
    await Promise.all(sending);
  }

  private inFlightRecords(): number {
    let count = 0;
    for (const batch of this.inFlight) count += batch.length;
    return count;
  }

  private build(records: readonly FlowRecord[]): ReadableLogRecord[] {
    this.collector.batch = [];
    for (const record of records) {
      const deny = record.action === 'deny';
      this.collector.attributes = this.attributeMaker.attributes(record);
      this.otelLogger.emit({
        timestamp: hrTime(record.endTime),
        severityNumber: deny ? SeverityNumber.WARN : SeverityNumber.INFO,
        severityText: deny ? 'WARN' : 'INFO',
        body: this.bodies.body(record),
      });
    }
    return this.collector.batch;
  }

  /** Sends one batch until acknowledged, rejected for good, or abandoned at the stop deadline. */
  private async deliver(batch: ReadableLogRecord[]): Promise<Delivery> {
    let maybeReceived = false;
    for (;;) {
      // At least once: a resend after an attempt the receiver may have taken may duplicate it; say so.
      if (maybeReceived) this.possibleDuplicates.inc(undefined, batch.length);
      const outcome = await this.exportOnce(batch);
      if (outcome.ok) {
        this.exported.inc(undefined, batch.length);
        this.lastSuccess.set(undefined, Date.now() / 1_000);
        this.backoff.reset();
        this.up = true;
        return 'delivered';
      }
      if (outcome.reason === 'shutdown') return 'abandoned';
      maybeReceived = outcome.maybeReceived === true;
      this.failures.inc({ reason: outcome.reason });
      if (outcome.permanent) {
        this.dropped.inc({ reason: 'rejected' }, batch.length);
        this.log.error({ url: this.shownUrl, detail: outcome.detail, records: batch.length }, 'the OTLP receiver rejected a batch of flow logs; dropped');
        return 'rejected';
      }
      this.up = false;
      this.reason = `${this.shownUrl}: ${outcome.detail}`;
      if (this.abort.signal.aborted) return 'abandoned';
      const delayMs = Math.round(Math.max(this.backoff.next(), outcome.retryAfterMs ?? 0));
      this.retries.inc();
      this.log.warn({ url: this.shownUrl, detail: outcome.detail, records: batch.length, retryInMs: delayMs }, 'flow log export failed; retrying');
      await this.sleep(delayMs, true);
      if (this.abort.signal.aborted) return 'abandoned';
    }
  }

  /** Records this process will not export: deferred to the next start when the checkpoint holds them, else dropped. */
  private notExported(count: number, checkpointed = false): void {
    if (checkpointed) this.deferred.inc(undefined, count);
    else this.dropped.inc({ reason: 'shutdown' }, count);
  }

  private exportOnce(batch: ReadableLogRecord[]): Promise<Outcome> {
    return new Promise((resolve) => {
      // Past the stop deadline nobody waits for the request in flight.
      const abandon = (): void => resolve({ ok: false, permanent: false, reason: 'shutdown', detail: 'stopped while exporting' });
      if (this.abort.signal.aborted) return abandon();
      this.abort.signal.addEventListener('abort', abandon, { once: true });
      this.exporter.export(batch, (result: ExportResult) => {
        this.abort.signal.removeEventListener('abort', abandon);
        if (result.code === 0) {
          resolve({ ok: true });
          return;
        }
        // This request's own answer (the transport's error), never another batch's.
        const error = result.error;
        const detail = error?.message ?? 'export failed';
        if (error instanceof ExportHttpError && error.status !== undefined) {
          const { status, retryAfterMs } = error;
          const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
          resolve({ ok: false, permanent, reason: `http_${status}`, detail, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
          return;
        }
        const reason = error instanceof ExportHttpError ? (error.timedOut ? 'timeout' : 'network') : 'other';
        resolve({ ok: false, permanent: false, reason, detail, maybeReceived: error instanceof ExportHttpError && error.maybeReceived });
      });
    });
  }

  /** Writes the checkpoint (when configured and changed, or forced); true when the file now holds every pending record. */
  private saveCheckpoint(force = false): boolean {
    const file = this.config.checkpointFile;
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
      this.log.warn({ file, err: error }, 'could not write the flow log checkpoint');
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
