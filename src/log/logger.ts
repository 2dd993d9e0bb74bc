import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/schema.js';

export type { Logger } from 'pino';

/**
 * flowlens' own logs: JSON lines on stderr (stdout is kept for data, such as
 * `flowlens enrich` output), level names as strings, ISO timestamps.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 2, sync: true }),
  );
}
