import * as z from 'zod';
import { duration } from '../../config/fields.js';
import { parseListenUrl } from './listen.js';

// The `collector` section: NetFlow v5/v9, IPFIX and sFlow v5 over UDP, with
// goflow2's listen URLs.

export const collectorSchema = z
  .strictObject({
    listen: z
      .array(
        z.string().superRefine((value, ctx) => {
          try {
            parseListenUrl(value);
          } catch (error) {
            ctx.addIssue({ code: 'custom', message: (error as Error).message });
          }
        }),
      )
      .min(1)
      .default(['netflow://:2055', 'nfl://:2056', 'sflow://:6343'])
      .meta({
        description:
          'goflow2-style listen URLs: `netflow://HOST:PORT` (NetFlow v9 and IPFIX; v5 too), `nfl://` (NetFlow v5), `sflow://` (sFlow v5), `flow://` (any of them); an empty host listens on every IPv4 and IPv6 address. Query: `count=N` sockets sharing the port (SO_REUSEPORT, Node >= 22.12; one socket before), `rcvbuf=BYTES` (the kernel caps it at net.core.rmem_max).',
      }),
    templateTimeout: duration('30m', { description: 'NetFlow v9 / IPFIX templates not refreshed for this long are forgotten (exporters re-send them periodically; OVS every 10 minutes).' }),
    queueSize: z
      .int()
      .min(1)
      .max(10_000_000)
      .default(100_000)
      .meta({ description: 'Flow records held between the sockets and the sinks; beyond it the oldest are dropped and counted.' }),
  })
  .prefault({});

export type CollectorConfig = z.output<typeof collectorSchema>;
