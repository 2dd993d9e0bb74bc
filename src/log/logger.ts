import pino, { type DestinationStream, type Logger } from 'pino';
import * as z from 'zod';

export type { Logger } from 'pino';

// flowlens' one logging module: JSON lines on stderr (stdout is kept for data,
// such as `flowlens enrich` output), level names as strings, ISO timestamps,
// errors under `err` (pino's serializer: type, message, stack). Every line
// names its component: components get a child logger bound to their name.

/** pino's levels plus the logrus names the seed tools used. */
const LOG_LEVELS = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  panic: 'fatal',
  silent: 'silent',
} as const;

export type LogLevel = (typeof LOG_LEVELS)[keyof typeof LOG_LEVELS];

/** Case-insensitive, as logrus parsed levels. */
export const logLevel = z.string().transform((name, ctx): LogLevel => {
  const level = (LOG_LEVELS as Readonly<Record<string, LogLevel>>)[name.trim().toLowerCase()];
  if (level === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown log level "${name}" (use trace, debug, info, warn or warning, error, fatal or panic, silent)`,
    });
    return z.NEVER;
  }
  return level;
});

/**
 * The root logger of one agent and every logger derived from it: a level
 * change (a configuration reload) reaches the children components already
 * hold, which pino alone does not do.
 */
export class LogRoot {
  readonly logger: Logger;
  private readonly children = new Set<WeakRef<Logger>>();

  constructor(level: LogLevel, destination?: DestinationStream) {
    this.logger = pino(
      {
        level,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        onChild: (child) => {
          this.children.add(new WeakRef(child));
        },
      },
      destination ?? pino.destination({ dest: 2, sync: true }),
    );
  }

  get level(): LogLevel {
    return this.logger.level as LogLevel;
  }

  /** Sets the level of the root and of every child logger made from it. */
  setLevel(level: LogLevel): void {
    this.logger.level = level;
    for (const reference of this.children) {
      const child = reference.deref();
      if (child === undefined) this.children.delete(reference);
      else child.level = level;
    }
  }
}

/** A root logger on its own (commands that never change the level). */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return new LogRoot(level, destination).logger;
}
