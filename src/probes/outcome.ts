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
