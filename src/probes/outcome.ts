// What one probe came to: a latency, or a failure with a reason from a small
// fixed set (the `reason` label of flowlens_probe_errors_total).

export type FailureReason =
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'reset'
  | 'nxdomain'
  | 'servfail'
  | 'truncated'
  | 'no_answer'
  | 'malformed'
  | 'error';

export type Outcome =
  | { readonly ok: true; readonly seconds: number; readonly started: number; readonly ended: number }
  | { readonly ok: false; readonly reason: FailureReason; readonly detail: string; readonly started: number; readonly ended: number };

/** A socket error's reason: refused, reset, unreachable, timeout or error. */
export function socketReason(error: NodeJS.ErrnoException): FailureReason {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'error';
  }
}

export const success = (started: number, ended: number): Outcome => ({ ok: true, seconds: (ended - started) / 1_000, started, ended });

export const failure = (reason: FailureReason, detail: string, started: number, ended: number): Outcome => ({ ok: false, reason, detail, started, ended });

/** One probe in flight: its start time and the ways it ends (the first one wins). */
export interface Attempt {
  readonly started: number;
  finish(outcome: Outcome): void;
  /** Ends it with a socket error's reason. */
  fail(error: NodeJS.ErrnoException): void;
}

/**
 * Runs one probe: `run` opens its socket and returns how to close it; the
 * first outcome wins, and after timeoutMs the outcome is a timeout
 * ("<noAnswer> within N ms"). The close function runs exactly once.
 */
export function attempt(timeoutMs: number, noAnswer: string, run: (attempt: Attempt) => (outcome: Outcome) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    let done: Outcome | undefined;
    let close: ((outcome: Outcome) => void) | undefined;
    const finish = (outcome: Outcome): void => {
      if (done !== undefined) return;
      done = outcome;
      clearTimeout(timer);
      close?.(outcome);
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(failure('timeout', `${noAnswer} within ${timeoutMs} ms`, started, performance.now())), timeoutMs);
    close = run({ started, finish, fail: (error) => finish(failure(socketReason(error), error.message, started, performance.now())) });
    if (done !== undefined) close(done); // ended while starting
  });
}
