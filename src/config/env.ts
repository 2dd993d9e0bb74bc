// The environment variables of the agent itself, one row each (each component's
// rows are in its definition: environmentRows() joins them). Seed variables keep
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

export function commaList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function portAsListenAddress(raw: string): string {
  const text = raw.trim();
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) {
    throw new Error(`"${raw}" is not a port number (0-65535)`);
  }
  return `:${Number(text)}`;
}

export function goBool(raw: string): boolean {
  // Go's strconv.ParseBool, as the seed read TLS_ENABLED.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw.trim())) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw.trim())) return false;
  throw new Error(`"${raw}" is not a boolean (true/false)`);
}

export function millisecondsAsDuration(raw: string): string {
  if (!/^\d+$/.test(raw.trim())) throw new Error(`"${raw}" is not a whole number of milliseconds`);
  return `${Number(raw.trim())}ms`;
}

export function wholeNumber(raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new Error(`"${raw}" is not a whole number`);
  return Number(raw.trim());
}

/** OpenTelemetry's `key1=value1,key2=value2` lists (headers, resource attributes); values percent-decoded. */
export function otelKeyValues(raw: string): Record<string, string> {
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

/** The agent's own variables (components bring theirs in their definitions). */
export const CORE_ENVIRONMENT: readonly EnvVariable[] = [
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
    name: 'NODENAME',
    path: 'kubernetes.nodeName',
    seed: SEEDS.accountant,
    yieldsTo: ['NODE_NAME'],
    description: "This agent's node, as calico-accountant read it (`NODE_NAME` wins).",
  },
];

/** Every variable flowlens reads: the agent's, then each component's. */
export function environmentRows(definitions: readonly { readonly env?: readonly EnvVariable[] | undefined }[]): EnvVariable[] {
  return [...CORE_ENVIRONMENT, ...definitions.flatMap((definition) => definition.env ?? [])];
}
