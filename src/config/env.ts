// Every environment variable flowlens reads, one row each. Seed variables keep
// the meaning they had in the tool flowlens replaces (CONTRACTS.md section 2).
// The loader applies the rows in order; two rows that set the same key to
// different values are a configuration error, never a silent pick.

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
];
