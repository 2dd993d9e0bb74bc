import type { Logger } from './logger.js';

// Logs of things that can happen once per message (an undecodable frame, a
// malformed watch event, protobuf garbage): at most one line per reason per
// interval, carrying how many more of that reason happened since the last
// line, so a flood of bad input cannot flood the log. Metrics count each one.

export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs at warn level unless this reason was logged within the interval (then only counts it). */
  warn(reason: string, fields: Record<string, unknown>, message: string): void {
    this.log('warn', reason, fields, message);
  }

  /** The same at error level. */
  error(reason: string, fields: Record<string, unknown>, message: string): void {
    this.log('error', reason, fields, message);
  }

  private log(level: 'warn' | 'error', reason: string, fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    const seen = this.last.get(reason);
    if (seen !== undefined && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.set(reason, { at: now, suppressed: 0 });
    this.logger[level]({ reason, ...fields, ...(suppressed > 0 ? { alsoSinceLastLine: suppressed } : {}) }, message);
  }
}
