import * as z from 'zod';
import { certificateWithKey, duration, filePath } from '../../config/fields.js';

// The `otlp` section. The standard OpenTelemetry exporter variables
// (OTEL_EXPORTER_OTLP_*, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
// OTEL_BLRP_*) map onto it in src/config/env.ts, so the effective settings are
// visible in `flowlens check-config` like every other key.

const url = (description: string) =>
  z
    .string()
    .refine((value) => {
      try {
        const parsed = new URL(value);
        return parsed.protocol === 'http:' || parsed.protocol === 'https:';
      } catch {
        return false;
      }
    }, 'must be an http:// or https:// URL')
    .meta({ description });

export const otlpSchema = z
  .strictObject({
    endpoint: url('Base URL of the OTLP/HTTP receiver; `/v1/logs` is appended (like OTEL_EXPORTER_OTLP_ENDPOINT).').default(
      'http://localhost:4318',
    ),
    logsEndpoint: url('Full URL for logs, used as is (like OTEL_EXPORTER_OTLP_LOGS_ENDPOINT); wins over endpoint.').optional(),
    protocol: z
      .string()
      .refine((value) => value !== 'grpc', 'grpc is not supported: use http/protobuf (port 4318) or http/json')
      .pipe(z.enum(['http/protobuf', 'http/json']))
      .default('http/protobuf')
      .meta({ description: 'Encoding of the export requests.' }),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .meta({ description: 'HTTP headers sent with every export (e.g. Authorization, X-Scope-OrgID).', secret: true }),
    timeout: duration('10s', { description: 'Time one export request may take, answer included; then it counts as failed (reason timeout) and is retried.' }),
    compression: z.enum(['gzip', 'none']).default('none').meta({ description: 'Compression of the request body.' }),
    tls: z
      .strictObject({
        caFile: filePath({ description: 'CA bundle for an https endpoint (default: system roots).' }).optional(),
        certFile: filePath({ description: 'Client certificate for an https endpoint that requires one.' }).optional(),
        keyFile: filePath({ description: 'Private key of certFile.' }).optional(),
      })
      .superRefine(certificateWithKey)
      .optional()
      .meta({ description: 'TLS settings for an https endpoint.' }),
    serviceName: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Resource attribute service.name (else service.name from resourceAttributes, else flowlens).', defaultText: 'flowlens' }),
    resourceAttributes: z
      .record(z.string(), z.string())
      .default({})
      .meta({ description: 'More resource attributes (key: value).' }),
    cluster: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Cluster name, sent as resource attributes `cluster` and `k8s.cluster.name`.' }),
    queueSize: z
      .int()
      .min(1)
      .max(10_000_000)
      .default(100_000)
      .meta({ description: 'Flow log records held while the receiver is slow or down; beyond it the oldest are dropped and counted.' }),
    batchSize: z.int().min(1).max(100_000).default(512).meta({ description: 'Records per export request at most.' }),
    batchDelay: duration('1s', { description: 'Longest wait before a partly filled batch is sent.' }),
    retry: z
      .strictObject({
        initial: duration('1s', { description: 'First wait before exporting a failed batch again; doubles per failure, with jitter.' }),
        max: duration('30s', { description: 'Longest wait between attempts (a longer Retry-After from the receiver is honoured).' }),
      })
      .prefault({})
      .meta({ description: 'Retrying batches the receiver did not accept (unreachable, 429, 502, 503, 504, timeouts).' }),
    checkpointFile: z
      .string()
      .min(1)
      .optional()
      .meta({
        description:
          'File recording how far flow logs were delivered; after a restart the Goldmane source resumes from it (within Goldmane\'s hour) instead of now.',
      }),
  })
  .prefault({});

export type OtlpConfig = z.output<typeof otlpSchema>;

/** The URL export requests go to. */
export function logsUrl(config: OtlpConfig): string {
  if (config.logsEndpoint !== undefined) return config.logsEndpoint;
  return `${config.endpoint.replace(/\/+$/, '')}/v1/logs`;
}
