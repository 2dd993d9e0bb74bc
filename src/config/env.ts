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
];
