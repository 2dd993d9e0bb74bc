import { goBool, millisecondsAsDuration, SEEDS, type EnvVariable } from '../../config/env.js';

// The goldmane source's environment variables: the Goldmane Prometheus
// Exporter's and calico-flow-logs-otlphttp-exporter's, with their meaning.
export const GOLDMANE_ENVIRONMENT: readonly EnvVariable[] = [
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
