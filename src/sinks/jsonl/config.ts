import * as z from 'zod';

export const jsonlSchema = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .default('-')
      .meta({ description: 'File to append flow logs to, one JSON object per line; `-` is standard output.' }),
    maxBufferBytes: z
      .int()
      .min(1_024)
      .default(64 * 1024 * 1024)
      .meta({ description: 'Bytes waiting for a slow reader of the output; beyond it lines are dropped and counted.' }),
  })
  .prefault({});

export type JsonlConfig = z.output<typeof jsonlSchema>;
