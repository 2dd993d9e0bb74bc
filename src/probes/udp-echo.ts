import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { socketReason, type FailureReason } from './outcome.js';

// UDP echo between agents: each round sends N sequenced packets to a peer's
// echo responder and counts what comes back, for a loss ratio and RTTs
// without raw sockets. Packets carry a magic, a per-round nonce and a
// sequence number; the responder answers only packets with the magic, with
// exactly the bytes it got (never more: it cannot amplify).

export const ECHO_MAGIC = Buffer.from('FLE1');
const PACKET_BYTES = 64;
/** Gap between the packets of a round, so they are not one burst. */
const SPACING_MS = 2;

export interface EchoRound {
  readonly sent: number;
  readonly received: number;
  /** Round-trip times of the packets that came back, seconds. */
  readonly rtts: readonly number[];
  readonly started: number;
  readonly ended: number;
  /** Why nothing came back, when nothing did. */
  readonly reason?: FailureReason;
  readonly detail?: string;
}

export function echoRound(host: string, port: number, packets: number, timeoutMs: number): Promise<EchoRound> {
  const nonce = randomBytes(8);
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const sentAt = new Array<number>(packets).fill(0);
    const rtts: number[] = [];
    const back = new Set<number>();
    const started = performance.now();
    let error: NodeJS.ErrnoException | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      const ended = performance.now();
      const silent = back.size === 0;
      resolve({
        sent: packets,
        received: back.size,
        rtts,
        started,
        ended,
        ...(silent ? { reason: error ? socketReason(error) : 'timeout', detail: error?.message ?? `no echo within ${timeoutMs} ms` } : {}),
      });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('error', (failure: NodeJS.ErrnoException) => {
      error = failure;
      if (failure.code === 'ECONNREFUSED') finish();
    });
    socket.on('message', (message) => {
      const now = performance.now();
      if (message.length !== PACKET_BYTES || !message.subarray(0, 4).equals(ECHO_MAGIC) || !message.subarray(4, 12).equals(nonce)) return;
      const sequence = message.readUInt16BE(12);
      if (sequence >= packets || back.has(sequence)) return; // duplicates count once
      back.add(sequence);
      rtts.push((now - sentAt[sequence]!) / 1_000);
      if (back.size === packets) finish();
    });
    socket.connect(port, host, () => {
      let sequence = 0;
      const sendNext = (): void => {
        if (done || sequence >= packets) return;
        const packet = Buffer.alloc(PACKET_BYTES);
        ECHO_MAGIC.copy(packet, 0);
        nonce.copy(packet, 4);
        packet.writeUInt16BE(sequence, 12);
        sentAt[sequence] = performance.now();
        socket.send(packet);
        sequence++;
        if (sequence < packets) setTimeout(sendNext, SPACING_MS);
      };
      sendNext();
    });
  });
}

/** The responder side: answers echo packets on `socket` with the bytes received. */
export function answerEchoes(socket: Socket, onEcho?: () => void): void {
  socket.on('message', (message, remote) => {
    if (message.length !== PACKET_BYTES || !message.subarray(0, 4).equals(ECHO_MAGIC)) return;
    socket.send(message, remote.port, remote.address);
    onEcho?.();
  });
}
