import { connect, type ConnectionOptions } from 'node:tls';

// Why a Goldmane stream failed, in words an operator can act on. grpc-js
// reports a TLS problem as UNAVAILABLE ("No connection established. Last
// error: ..."), a rejected client certificate often only as "Failed to
// connect", and a frame it cannot read with neither code nor details
// ("undefined undefined: undefined"). A TLS failure is told apart from an
// unreachable Goldmane, and when grpc-js's words are not enough, one plain TLS
// handshake with the same files asks the server directly.

export interface StreamFailure {
  /** Metric label (flowlens_goldmane_reconnects_total): a gRPC status in snake case, "tls" or "protocol". */
  readonly code: string;
  readonly detail: string;
}

const TLS_WORDS = /alert|certificate|ssl routines|ERR_TLS|self[- ]signed|altname|handshake/i;

/** "No connection established. Last error: X (date). Resolution note: " -> "X". */
function lastError(details: string): string {
  const match = /Last error: ([\s\S]*?)(?: \(\d{4}-\d\d-\d\dT[^)]*\))?\.?\s*(?:Resolution note:.*)?$/.exec(details);
  return (match?.[1] ?? details).replace(/^Error(?: \[\w+\])?: /, '').replace(/\s+/g, ' ').trim();
}

/** What a TLS failure means for Goldmane's mutual TLS, from OpenSSL's or Node's words. */
export function tlsMeaning(raw: string): string {
  // OpenSSL's "<hex>:error:<code>:SSL routines:<fn>:tlsv13 alert certificate required:<file>:<line>:SSL alert number 116": the alert is what matters.
  const message = /(?:tlsv1\d?|sslv3) alert [a-z ]+/i.exec(raw)?.[0] ?? raw;
  if (/alert (certificate required|bad certificate|unknown ca|certificate unknown|handshake failure|access denied|decrypt error)/i.test(message)) {
    return `Goldmane refused the client certificate (${message})`;
  }
  if (/altname|ERR_TLS_CERT_ALTNAME/i.test(message)) return `Goldmane's certificate does not name the server name flowlens verifies (${message}); set goldmane.serverName`;
  if (/self[- ]signed|unable to (get|verify)|unknown ca|certificate (has )?expired|not yet valid/i.test(message)) return `Goldmane's certificate is not trusted by goldmane.tls.caFile (${message})`;
  return message;
}

/** Classifies an error grpc-js gave; `code` is undefined when it gave none. */
export function classify(code: string | undefined, details: string | undefined, message: string): StreamFailure {
  if (code === undefined) {
    return { code: 'protocol', detail: 'the stream could not be read as gRPC (a malformed or compressed frame; grpc-js reported no status)' };
  }
  const text = details || message;
  if (code === 'unavailable' && TLS_WORDS.test(text)) return { code: 'tls', detail: `TLS: ${tlsMeaning(lastError(text))}` };
  return { code, detail: text.includes('Last error:') ? lastError(text) : text };
}

/**
 * One plain TLS handshake with the stream's own files: resolves with what
 * went wrong at the TLS layer (the server's alert about our certificate, or
 * our verdict on its certificate), or undefined when TLS is fine. Bounded by
 * timeoutMs; used only after a failure grpc-js did not explain.
 */
export function probeTls(options: ConnectionOptions & { host: string; port: number }, timeoutMs = 2_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (result: string | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const socket = connect({ ...options, ALPNProtocols: ['h2'] });
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const message = error.message.replace(/\s+/g, ' ').trim();
      // Not a TLS problem (refused, reset, unreachable): grpc-js's own words stand.
      finish(/^ERR_(TLS|SSL)/.test(error.code ?? '') || TLS_WORDS.test(message) ? tlsMeaning(message) : undefined);
    });
    // With TLS 1.3 the server judges our certificate after the handshake: its verdict comes with the
    // first read, as an alert or as the connection closed before the HTTP/2 server's first frame.
    let secure = false;
    socket.on('secureConnect', () => {
      secure = true;
      socket.resume();
    });
    socket.on('data', () => finish(undefined));
    socket.on('close', () => finish(secure ? 'Goldmane refused the client certificate (it closed the connection right after the TLS handshake)' : undefined));
  });
}
