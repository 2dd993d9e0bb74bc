import * as z from 'zod';
import { certificateWithKey, dialAddress, duration, filePath } from '../../config/fields.js';
import { BUCKET_SECONDS, MAX_WINDOW_BUCKETS } from './interval-dedupe.js';

// The `goldmane` section. Seed variables (GOLDMANE_ADDR, GOLDMANE_HOST, TLS_*,
// CA_CERT_PATH, PUBLIC_CERT_PATH, PRIVATE_KEY_PATH,
// RECONNECT_WAIT_TIME_IN_MILLISECONDS) map onto it in src/config/env.ts.

const tls = z
  .strictObject({
    enabled: z.boolean().optional().meta({
      description: 'TLS on/off (TLS_ENABLED); default on when the section is present or a file is set.',
    }),
    caFile: filePath({ description: 'CA bundle that signed Goldmane\'s certificate; `#` comment lines allowed. Default: system roots.' }).optional(),
    certFile: filePath({ description: 'Client certificate for mTLS (Goldmane requires one).' }).optional(),
    keyFile: filePath({ description: 'Private key of certFile.' }).optional(),
  })
  .superRefine(certificateWithKey)
  .meta({ description: 'TLS to Goldmane; files are re-read at every reconnect, so rotated certificates apply without a restart.' });

export const goldmaneSchema = z
  .strictObject({
    address: dialAddress('goldmane.calico-system.svc:7443', {
      description: 'Goldmane\'s gRPC address, host:port.',
    }),
    serverName: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'TLS server name to verify (and send as SNI/authority); default: the host of address.' }),
    tls: tls.optional(),
    reconnect: z
      .strictObject({
        initial: duration('5s', { description: 'First wait before reconnecting; doubles per failure, with jitter.' }),
        max: duration('60s', { description: 'Longest wait between reconnects.' }),
      })
      .prefault({})
      .meta({ description: 'Reconnect backoff.' }),
    queueSize: z
      .int()
      .min(1)
      .max(10_000_000)
      .default(100_000)
      .meta({ description: 'Flow records held between the stream and the sinks; beyond it the oldest are dropped and counted.' }),
    idleTimeout: duration('5m', {
      description: 'A stream that delivers no flow report for this long (open but silent, or trickling bytes) counts as down and is reopened; 0 turns the check off. Goldmane reports every active flow every 15 s.',
    }),
    dedupeWindow: duration(
      '5m',
      { description: 'How far back re-sent flow reports are recognized (keys whose newest report is within it are kept); at most 8m.' },
      { ms: MAX_WINDOW_BUCKETS * BUCKET_SECONDS * 1_000, text: `${(MAX_WINDOW_BUCKETS * BUCKET_SECONDS) / 60}m (each key remembers ${MAX_WINDOW_BUCKETS} buckets of ${BUCKET_SECONDS} s)` },
    ),
    maxKeys: z
      .int()
      .min(1)
      .max(10_000_000)
      .default(100_000)
      .meta({
        description:
          'Flow keys the source remembers (decoded keys, and the dedupe entries): about 1 KB each while reported. Beyond it the keys remembered longest go first, 1/64 at a time (counted in flowlens_goldmane_evictions_total). The default fits the deployment\'s 512 MiB limit with the default series budget.',
      }),
  })
  .prefault({});

export type GoldmaneConfig = z.output<typeof goldmaneSchema>;

export type TransportSecurity =
  | { readonly mode: 'plaintext' }
  | { readonly mode: 'tls'; readonly caFile?: string | undefined; readonly certFile?: string | undefined; readonly keyFile?: string | undefined };

export function transportSecurity(config: GoldmaneConfig): TransportSecurity {
  const { tls: settings } = config;
  if (settings === undefined || settings.enabled === false) return { mode: 'plaintext' };
  return { mode: 'tls', caFile: settings.caFile, certFile: settings.certFile, keyFile: settings.keyFile };
}
