import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
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
import type { Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/pipeline.js';
import type { CounterFamily } from '../../metrics/series-budget.js';
import { Delivery, type SendOutcome } from '../delivery/delivery.js';
import { DeliveryMetrics, deliverySpecs } from '../delivery/metrics.js';
import { VERSION } from '../../version.js';
import { FlowAttributeMaker } from '../flow-log/attributes.js';
import { FlowBodies } from '../flow-log/body.js';
import { redactUrls } from '../../config/redact.js';
import { logsUrl, type OtlpConfig } from './config.js';
import { createHttpTransport, ExportHttpError } from './http-transport.js';
import { FastJsonLogsSerializer, FastProtobufLogsSerializer } from './log-serializer.js';

// Flow records as OpenTelemetry log records over OTLP/HTTP, built with the
// OpenTelemetry JS logs SDK (LoggerProvider, log records, resource) and sent
// by its OTLP/HTTP exporters (protobuf or JSON).
//
// The SDK's BatchLogRecordProcessor drops a batch its exporter could not send;
// flow logs must survive a receiver that is down for a while. So records go
// through the shared delivery (src/sinks/delivery: bounded queue, batches,
// retry with backoff and Retry-After, checkpoint, drops counted), and a batch
// is turned into SDK log records only when it is sent.

export const SCOPE_NAME = 'flowlens/flows';
export const OTLP_FAMILIES = deliverySpecs('flowlens_otlp', 'otlp', 'the OTLP receiver');
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

function hrTime(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1_000);
  return [seconds, Math.round((ms - seconds * 1_000) * 1_000_000)];
}

interface Connection {
  readonly url: string;
  /** The URL as logs and /ready show it: without user info (it may hold credentials). */
  readonly shownUrl: string;
  readonly agent: http.Agent;
  readonly exporter: LogRecordExporter;
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
  private config: OtlpConfig;
  private readonly log: Logger;
  private connection: Connection;
  private readonly bodies = new FlowBodies();
  private readonly attributeMaker = new FlowAttributeMaker();
  private readonly collector = new BatchCollector();
  private readonly provider: LoggerProvider;
  private readonly otelLogger: OtelLogger;
  private readonly delivery: Delivery;
  private requests: CounterFamily | undefined;

  constructor(options: OtlpSinkOptions) {
    const { config, metrics } = options;
    this.config = config;
    this.log = options.logger;
    this.connection = this.connect(config);

    const serviceName = config.serviceName ?? config.resourceAttributes['service.name'] ?? 'flowlens';
    const cluster = config.cluster === undefined ? {} : { cluster: config.cluster, 'k8s.cluster.name': config.cluster };
    const resource = defaultResource()
      .merge(resourceFromAttributes(config.resourceAttributes))
      .merge(resourceFromAttributes({ 'service.name': serviceName, 'service.version': VERSION, ...cluster }));
    this.provider = new LoggerProvider({ resource, processors: [this.collector] });
    this.otelLogger = this.provider.getLogger(SCOPE_NAME, VERSION);

    const families = new DeliveryMetrics(metrics, OTLP_FAMILIES);
    this.requests = families.responses;
    this.delivery = new Delivery({
      queueSize: config.queueSize,
      batchSize: config.batchSize,
      batchDelayMs: config.batchDelay,
      concurrency: MAX_IN_FLIGHT,
      retry: config.retry,
      checkpointFile: config.checkpointFile,
      send: (records) => this.exportOnce(this.build(records)),
      metrics: families,
      logger: this.log,
      target: this.connection.shownUrl,
      words: { send: 'flow log export', receiver: 'the OTLP receiver' },
      flows: options.flows,
      ...(options.random ? { random: options.random } : {}),
    });
    metrics.onCollect(() => this.delivery.collect());
  }

  /**
   * The receiver's URL, TLS files and the SDK's export delegate over flowlens'
   * serializers and transport: the transport reports each request's status
   * to its own batch and leaves retrying to the shared delivery.
   */
  private connect(config: OtlpConfig): Connection {
    const url = logsUrl(config);
    const shownUrl = redactUrls(url);
    const tls = config.tls;
    const agent = url.startsWith('https:')
      ? new https.Agent({
          keepAlive: true,
          ...(tls?.caFile ? { ca: readFileSync(tls.caFile) } : {}),
          ...(tls?.certFile && tls.keyFile ? { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } : {}),
        })
      : new http.Agent({ keepAlive: true });
    const json = config.protocol === 'http/json';
    const transport = createHttpTransport({
      url,
      headers: config.headers,
      contentType: json ? 'application/json' : 'application/x-protobuf',
      gzip: config.compression === 'gzip',
      agent,
      onResponse: (status) => this.requests?.inc({ code: String(status) }),
    });
    const delegate = createOtlpNetworkExportDelegate(
      // The delivery keeps MAX_IN_FLIGHT batches in flight; the delegate frees a slot only after our callback returned.
      { timeoutMillis: config.timeout, concurrencyLimit: MAX_IN_FLIGHT * 2, compression: config.compression === 'gzip' ? 'gzip' : 'none' },
      json ? new FastJsonLogsSerializer() : new FastProtobufLogsSerializer(),
      new ExporterMetrics({ componentType: 'otlp_http_log_exporter', metricsHelper: LogsExporterMetricsHelper, url: shownUrl, meterProvider: undefined, responseAttributesFromError: () => ({}) }),
      transport,
    );
    return { url, shownUrl, agent, exporter: new OTLPExporterBase(delegate) };
  }

  /**
   * A new otlp section. The receiver (endpoint, headers, TLS files, protocol,
   * compression, timeout) changes in place: queued records and batches being
   * retried go to the new one. Queue, batching, retry, checkpoint and
   * resource changes need a new sink (false).
   */
  reconfigure(section: unknown): boolean {
    const next = section as OtlpConfig;
    const keep = (config: OtlpConfig) => ({ ...config, endpoint: undefined, logsEndpoint: undefined, headers: undefined, tls: undefined, protocol: undefined, compression: undefined, timeout: undefined });
    if (!isDeepStrictEqual(keep(next), keep(this.config))) return false;
    const old = this.connection;
    this.connection = this.connect(next);
    this.config = next;
    this.delivery.retarget(this.connection.shownUrl);
    this.log.info({ url: this.connection.shownUrl, protocol: next.protocol }, 'OTLP receiver changed');
    // Requests in flight on the old connection finish (or fail and are retried on the new one).
    void old.exporter.shutdown().catch(() => {}).finally(() => old.agent.destroy());
    return true;
  }

  async start(): Promise<void> {
    this.delivery.start();
    this.log.info({ url: this.connection.shownUrl, protocol: this.config.protocol }, 'exporting flow logs over OTLP/HTTP');
  }

  status(): ComponentStatus {
    return this.delivery.status();
  }

  consume(records: readonly FlowRecord[]): void {
    this.delivery.push(records);
  }

  async stop(deadline: AbortSignal): Promise<void> {
    await this.delivery.stop(deadline);
    await this.provider.shutdown().catch(() => {});
    await this.connection.exporter.shutdown().catch(() => {});
    this.connection.agent.destroy();
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

  /** One export request for one batch; its own status and Retry-After (the transport's error), never another batch's. */
  private exportOnce(batch: ReadableLogRecord[]): Promise<SendOutcome> {
    return new Promise((resolve) => {
      this.connection.exporter.export(batch, (result: ExportResult) => {
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
}
