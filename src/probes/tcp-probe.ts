import { Socket } from 'node:net';
import { attempt, success, type Outcome } from './outcome.js';

// TCP connect latency: from just before connect() to the 'connect' event, about
// one round trip (SYN to SYN/ACK), answered by the peer's kernel, so a busy peer
// process does not inflate it. The address is an IP literal (no DNS lookup, no
// thread pool); the socket is closed with a reset (no TIME_WAIT left behind).

export function probeTcp(host: string, port: number, timeoutMs: number): Promise<Outcome> {
  return attempt(timeoutMs, 'no connection', ({ started, finish, fail }) => {
    const socket = new Socket();
    socket.once('connect', () => finish(success(started, performance.now())));
    socket.on('error', fail);
    socket.connect({ host, port, noDelay: true });
    return (outcome) => {
      if (outcome.ok && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
    };
  });
}
