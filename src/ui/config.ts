import * as z from 'zod';
import { duration } from '../config/fields.js';

// The `ui` section: the web view at /ui/ and its API under /api/v1/.

export const uiSchema = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: 'Serve the web view at /ui/ and its API under /api/v1/ (behind the server\'s TLS, client certificates and basic auth).' }),
    root: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Directory with the page's files (index.html, assets/); default: the page built with this flowlens." }),
    maxStreams: z
      .int()
      .min(1)
      .max(1_000)
      .default(16)
      .meta({ description: 'Flow streams (GET /api/v1/flows) served at once; one more is refused with 503.' }),
    replay: duration('1m', { description: 'How far back a new flow stream starts: the recent matching flows the agent still holds are sent first.' }, { ms: 15 * 60_000, text: '15m' }),
    replayMaxFlows: z
      .int()
      .min(0)
      .max(100_000)
      .default(20_000)
      .meta({ description: 'Flows held for replay (the newest; older ones and those past `replay` go first).' }),
    maxRowsPerSecond: z
      .int()
      .min(10)
      .max(100_000)
      .default(500)
      .meta({ description: 'Rows one flow stream sends per second at most, after folding records of one flow key and interval into one row; the rest are skipped and counted in the stream.' }),
    maxBufferBytes: z
      .int()
      .min(16 * 1024)
      .default(1024 * 1024)
      .meta({ description: 'Bytes a flow stream may have waiting for a slow client; beyond it the client is dropped (flowlens_ui_streams_dropped_total).' }),
  })
  .prefault({});

export type UiConfig = z.output<typeof uiSchema>;
