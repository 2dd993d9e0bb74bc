// Every environment variable flowlens reads, one row each. Seed variables keep
// the meaning they had in the tool flowlens replaces (docs/contracts.md section 2).
// The loader applies the rows in order; two rows that set the same key to
// different values are a configuration error unless one yields to the other
// (yieldsTo), the rule docs/configuration.md states.

export interface EnvVariable {
  readonly name: string;
  /** Dotted configuration key the variable sets; absent for variables read by the CLI itself. */
  readonly path?: string;
  /** The tool whose variable this is, for drop-in compatibility. */
  readonly seed?: string;
  readonly description: string;
  /** Raw text to configuration value; throws Error with a readable message. */
  readonly parse?: (raw: string) => unknown;
  /** Accepted for compatibility but without effect; the agent logs that it is ignored. */
  readonly ignored?: boolean;
  /**
   * More specific variables for the same key: when one of them is set, this
   * row steps aside instead of conflicting (OpenTelemetry's rule: a
   * signal-specific OTEL_EXPORTER_OTLP_LOGS_* beats the generic variable).
   */
  readonly yieldsTo?: readonly string[];
}

export const SEEDS = {
  goldmanePrometheus: 'Goldmane Prometheus Exporter',
  otlpExporter: 'calico-flow-logs-otlphttp-exporter',
  kubeEnricher: 'goflow2-kube-enricher',
  netExporter: 'net-exporter',
  accountant: 'calico-accountant',
} as const;

function commaList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function portAsListenAddress(raw: string): string {
  const text = raw.trim();
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) {
    throw new Error(`"${raw}" is not a port number (0-65535)`);
  }
  return `:${Number(text)}`;
}

function goBool(raw: string): boolean {
  // Go's strconv.ParseBool, as the seed read TLS_ENABLED.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw.trim())) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw.trim())) return false;
  throw new Error(`"${raw}" is not a boolean (true/false)`);
}

function millisecondsAsDuration(raw: string): string {
  if (!/^\d+$/.test(raw.trim())) throw new Error(`"${raw}" is not a whole number of milliseconds`);
  return `${Number(raw.trim())}ms`;
}

function wholeNumber(raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new Error(`"${raw}" is not a whole number`);
  return Number(raw.trim());
}

/** OpenTelemetry's `key1=value1,key2=value2` lists (headers, resource attributes); values percent-decoded. */
function otelKeyValues(raw: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [index, item] of raw.split(',').entries()) {
    if (item.trim() === '') continue;
    const equals = item.indexOf('=');
    const key = equals > 0 ? item.slice(0, equals).trim() : '';
    // The entry itself is not echoed: it may be a secret written with the wrong separator.
    if (key === '') throw new Error(`entry ${index + 1} is not key=value`);
    const value = item.slice(equals + 1).trim();
    try {
      result[key] = decodeURIComponent(value);
    } catch {
      throw new Error(`the value of ${key} is not valid percent-encoding`);
    }
  }
  return result;
}

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

export const ENVIRONMENT: readonly EnvVariable[] = [
  {
    name: 'FLOWLENS_CONFIG',
    description: 'Configuration file to read when --config is not given.',
  },
  {
    name: 'FLOWLENS_ENABLE',
    path: 'enable',
    parse: commaList,
    description: 'Comma-separated components to run (overrides `enable` from the file).',
  },
  {
    name: 'LOG_LEVEL',
    path: 'log.level',
    description: 'Log level; logrus names (`warning`, `panic`) accepted.',
  },
  {
    name: 'METRICS_ADDR',
    path: 'server.listen',
    seed: SEEDS.goldmanePrometheus,
    description: 'Listen address of the HTTP server, e.g. `:9090`.',
  },
  {
    name: 'METRICS_SERVER_PORT',
    path: 'server.listen',
    seed: SEEDS.accountant,
    parse: portAsListenAddress,
    description: 'Port of the HTTP server on every interface (`9009` means `:9009`).',
  },
  {
    name: 'GOLDMANE_ADDR',
    path: 'goldmane.address',
    seed: SEEDS.goldmanePrometheus,
    description: 'Goldmane gRPC address, host:port. Enables the goldmane source.',
  },
  {
    name: 'GOLDMANE_HOST',
    path: 'goldmane.address',
    seed: SEEDS.otlpExporter,
    description: 'Goldmane gRPC address, host:port. Enables the goldmane source.',
  },
  {
    name: 'GOLDMANE_SERVER_NAME',
    path: 'goldmane.serverName',
    description: 'TLS server name to verify when it differs from the host of the address.',
  },
  {
    name: 'POLL_INTERVAL',
    seed: SEEDS.goldmanePrometheus,
    ignored: true,
    description: 'Accepted for compatibility and unused: flowlens streams from Goldmane instead of polling.',
  },
  {
    name: 'TLS_ENABLED',
    path: 'goldmane.tls.enabled',
    seed: SEEDS.goldmanePrometheus,
    parse: goBool,
    description: 'TLS to Goldmane on or off.',
  },
  {
    name: 'TLS_CA_PATH',
    path: 'goldmane.tls.caFile',
    seed: SEEDS.goldmanePrometheus,
    description: 'CA bundle for Goldmane\'s certificate.',
  },
  {
    name: 'TLS_CERT_PATH',
    path: 'goldmane.tls.certFile',
    seed: SEEDS.goldmanePrometheus,
    description: 'Client certificate for Goldmane.',
  },
  {
    name: 'TLS_KEY_PATH',
    path: 'goldmane.tls.keyFile',
    seed: SEEDS.goldmanePrometheus,
    description: 'Client key for Goldmane.',
  },
  {
    name: 'CA_CERT_PATH',
    path: 'goldmane.tls.caFile',
    seed: SEEDS.otlpExporter,
    description: 'CA bundle for Goldmane\'s certificate (mTLS).',
  },
  {
    name: 'PUBLIC_CERT_PATH',
    path: 'goldmane.tls.certFile',
    seed: SEEDS.otlpExporter,
    description: 'Client certificate for Goldmane (mTLS).',
  },
  {
    name: 'PRIVATE_KEY_PATH',
    path: 'goldmane.tls.keyFile',
    seed: SEEDS.otlpExporter,
    description: 'Client key for Goldmane (mTLS).',
  },
  {
    name: 'RECONNECT_WAIT_TIME_IN_MILLISECONDS',
    path: 'goldmane.reconnect.initial',
    seed: SEEDS.otlpExporter,
    parse: millisecondsAsDuration,
    description: 'First wait before reconnecting to Goldmane, in milliseconds.',
  },
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
    name: 'KUBECONFIG',
    description: 'kubeconfig file used when `kubernetes.kubeconfig` is not set and flowlens does not run in a pod.',
  },
  {
    name: 'POD_IP',
    description: "This agent's pod IP (Downward API `status.podIP`): the probes leave it out of their peers.",
  },
  {
    name: 'NODE_NAME',
    path: 'kubernetes.nodeName',
    description: "This agent's node (Downward API `spec.nodeName`).",
  },
  {
    name: 'MINIMUM_COUNTER',
    path: 'accounting.minimumCounter',
    seed: SEEDS.accountant,
    parse: (raw) => {
      if (!/^\s*-?\d+\s*$/.test(raw)) throw new Error(`"${raw}" is not an integer`);
      return Number(raw.trim());
    },
    description: 'Scrapes in which no sample reaches this count are dropped (calico-accountant).',
  },
  {
    name: 'FELIX_INTERFACEPREFIX',
    path: 'accounting.interfacePrefixes',
    seed: SEEDS.accountant,
    parse: commaList,
    description: "Workload interface prefixes, comma-separated, as Calico's components read them (default `cali`).",
  },
  {
    name: 'NODENAME',
    path: 'kubernetes.nodeName',
    seed: SEEDS.accountant,
    yieldsTo: ['NODE_NAME'],
    description: "This agent's node, as calico-accountant read it (`NODE_NAME` wins).",
  },
  {
    name: 'FLOWLENS_CLUSTER',
    path: 'otlp.cluster',
    description: 'Cluster name sent with the flow logs (resource attributes `cluster`, `k8s.cluster.name`).',
  },
];
