import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6, Socket } from 'node:net';
import { decodeHeader, encodeQuery, RCODE, tcpFrame, tcpMessages, type DnsHeader } from './dns-message.js';
import { attempt, failure, success, type Outcome } from './outcome.js';

// One DNS query per probe, over UDP or TCP, straight to a server IP: a fresh
// socket and transaction id each time, our own timeout, no retry, no cache and
// no libuv thread pool (what net-exporter's miekg/dns Exchange did). The time
// runs from just before the socket is opened to the answer's arrival, so a TCP
// query includes its connect, as an application's would.

export interface DnsServer {
  readonly host: string;
  readonly port: number;
}

/** An answer's verdict: success with at least one answer, else why not. */
function verdict(header: DnsHeader | undefined, id: number, started: number, ended: number): Outcome | undefined {
  if (header === undefined) return failure('malformed', 'answer shorter than a DNS header', started, ended);
  if (header.id !== id || !header.response) return undefined; // not ours: keep waiting
  if (header.truncated) return failure('truncated', 'truncated answer (TC bit)', started, ended);
  switch (header.rcode) {
    case RCODE.noError:
      return header.answers > 0 ? success(started, ended) : failure('no_answer', 'NOERROR without answers', started, ended);
    case RCODE.nxDomain:
      return failure('nxdomain', 'NXDOMAIN', started, ended);
    case RCODE.servFail:
      return failure('servfail', 'SERVFAIL', started, ended);
    case RCODE.refused:
      return failure('refused', 'REFUSED', started, ended);
    default:
      return failure('error', `rcode ${header.rcode}`, started, ended);
  }
}

export function queryUdp(server: DnsServer, name: string, timeoutMs: number): Promise<Outcome> {
  const id = randomInt(0x10000);
  const query = encodeQuery(id, name);
  return attempt(timeoutMs, 'no answer', ({ started, finish, fail }) => {
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    let closed = false;
    socket.on('error', fail);
    socket.on('message', (message) => {
      const outcome = verdict(decodeHeader(message), id, started, performance.now());
      if (outcome !== undefined) finish(outcome);
    });
    // Connected, so an ICMP port unreachable comes back as ECONNREFUSED.
    socket.connect(server.port, server.host, () => {
      // A blocked loop can run the timeout before the connect callback: never send on a closed socket.
      if (!closed) socket.send(query);
    });
    return () => {
      closed = true;
      socket.close();
    };
  });
}

export function queryTcp(server: DnsServer, name: string, timeoutMs: number): Promise<Outcome> {
  const id = randomInt(0x10000);
  const query = encodeQuery(id, name);
  const framed = tcpFrame(query);
  return attempt(timeoutMs, 'no answer', ({ started, finish, fail }) => {
    const socket = new Socket();
    let received: Buffer = Buffer.alloc(0);
    socket.on('error', fail);
    socket.on('data', (chunk: Buffer) => {
      // Answers may come in several segments.
      const { messages, rest } = tcpMessages(received.length === 0 ? chunk : Buffer.concat([received, chunk]));
      received = rest;
      for (const message of messages) {
        const outcome = verdict(decodeHeader(message), id, started, performance.now());
        if (outcome !== undefined) return finish(outcome);
      }
    });
    socket.on('end', () => finish(failure('reset', 'the server closed the connection without an answer', started, performance.now())));
    socket.connect({ host: server.host, port: server.port }, () => socket.write(framed));
    return () => socket.destroy();
  });
}
