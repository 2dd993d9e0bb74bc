import { millisecondsAsDuration, otelKeyValues, SEEDS, wholeNumber, type EnvVariable } from '../../config/env.js';

// The otlp sink's environment variables: OpenTelemetry's exporter and batch
// processor variables as calico-flow-logs-otlphttp-exporter read them.

/** The OTLP exporter variables: the generic one and the logs-specific one that beats it. */
function otlpPair(suffix: string, path: string, what: string, parse?: (raw: string) => unknown): EnvVariable[] {
  const generic = `OTEL_EXPORTER_OTLP_${suffix}`;
  const logs = `OTEL_EXPORTER_OTLP_LOGS_${suffix}`;
  const common = { path, seed: SEEDS.otlpExporter, ...(parse ? { parse } : {}) };
  return [
    { name: generic, ...common, yieldsTo: [logs], description: `${what} (all signals; ${logs} wins).` },
    { name: logs, ...common, description: `${what} for logs.` },
  ];
}

export const OTLP_ENVIRONMENT: readonly EnvVariable[] = [
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    path: 'otlp.endpoint',
    seed: SEEDS.otlpExporter,
    description: 'OTLP/HTTP base URL; `/v1/logs` is appended. Enables the otlp sink.',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
    path: 'otlp.logsEndpoint',
    seed: SEEDS.otlpExporter,
    description: 'OTLP/HTTP URL for logs, used as is. Enables the otlp sink.',
  },
  ...otlpPair('PROTOCOL', 'otlp.protocol', '`http/protobuf` or `http/json`'),
  ...otlpPair('HEADERS', 'otlp.headers', 'Request headers, `key=value,key2=value2` (values percent-encoded)', otelKeyValues),
  ...otlpPair('TIMEOUT', 'otlp.timeout', 'Export request timeout in milliseconds', millisecondsAsDuration),
  ...otlpPair('COMPRESSION', 'otlp.compression', '`gzip` or `none`'),
  ...otlpPair('CERTIFICATE', 'otlp.tls.caFile', 'CA bundle for an https endpoint'),
  ...otlpPair('CLIENT_CERTIFICATE', 'otlp.tls.certFile', 'Client certificate for an https endpoint'),
  ...otlpPair('CLIENT_KEY', 'otlp.tls.keyFile', 'Client key for an https endpoint'),
  {
    name: 'OTEL_SERVICE_NAME',
    path: 'otlp.serviceName',
    seed: SEEDS.otlpExporter,
    description: 'Resource attribute service.name of the flow logs (default `flowlens`).',
  },
  {
    name: 'OTEL_RESOURCE_ATTRIBUTES',
    path: 'otlp.resourceAttributes',
    seed: SEEDS.otlpExporter,
    parse: otelKeyValues,
    description: 'Resource attributes of the flow logs, `key=value,key2=value2`.',
  },
  {
    name: 'OTEL_BLRP_MAX_QUEUE_SIZE',
    path: 'otlp.queueSize',
    seed: SEEDS.otlpExporter,
    parse: wholeNumber,
    description: 'Flow log records held while the receiver is slow or down.',
  },
  {
    name: 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
    path: 'otlp.batchSize',
    seed: SEEDS.otlpExporter,
    parse: wholeNumber,
    description: 'Records per export request at most.',
  },
  {
    name: 'OTEL_BLRP_SCHEDULE_DELAY',
    path: 'otlp.batchDelay',
    seed: SEEDS.otlpExporter,
    parse: millisecondsAsDuration,
    description: 'Longest wait before a partly filled batch is sent, in milliseconds.',
  },
  {
    name: 'OTEL_BLRP_EXPORT_TIMEOUT',
    path: 'otlp.timeout',
    seed: SEEDS.otlpExporter,
    parse: millisecondsAsDuration,
    yieldsTo: ['OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT'],
    description: 'Export timeout in milliseconds (the exporter timeout variables win).',
  },
  {
    name: 'FLOWLENS_CLUSTER',
    path: 'otlp.cluster',
    description: 'Cluster name sent with the flow logs (resource attributes `cluster`, `k8s.cluster.name`).',
  },
];
