import { Socket } from 'node:net';
import { failure, socketReason, success, type Outcome } from './outcome.js';

// TCP connect latency: from just before connect() to the 'connect' event, about
// one round trip (SYN to SYN/ACK), answered by the peer's kernel, so a busy peer
// process does not inflate it. The address is an IP literal (no DNS lookup, no
// thread pool); the socket is closed with a reset (no TIME_WAIT left behind).

export function probeTcp(host: string, port: number, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let done = false;
    const started = performance.now();
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (outcome.ok && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(failure('timeout', `no connection within ${timeoutMs} ms`, started, performance.now())), timeoutMs);
    socket.once('connect', () => finish(success(started, performance.now())));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(failure(socketReason(error), error.message, started, performance.now())));
    socket.connect({ host, port, noDelay: true });
  });
}
