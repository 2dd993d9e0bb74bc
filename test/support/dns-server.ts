import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';

// A DNS server for tests, UDP and TCP on one loopback port, whose behaviour is
// set per name: answer (A records), delay, drop (never answer), truncate (TC
// bit over UDP), NXDOMAIN, SERVFAIL, REFUSED. It counts every query that
// reached it, by protocol and name: the proof that a client has no cache.

export type Behaviour =
  | { readonly answer: readonly string[]; readonly delayMs?: number }
  | { readonly rcode: 'nxdomain' | 'servfail' | 'refused'; readonly delayMs?: number }
  | { readonly drop: true }
  | { readonly truncate: true; readonly answer: readonly string[] };

const RCODES = { nxdomain: 3, servfail: 2, refused: 5 } as const;

export class DnsTestServer {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  readonly behaviours = new Map<string, Behaviour>();
  readonly queries: { proto: 'udp' | 'tcp'; name: string }[] = [];
  port = 0;

  constructor(
    readonly host = '127.0.0.1',
    /** 0: a free port, the same for UDP and TCP. */
    private readonly wantedPort = 0,
  ) {}

  count(proto: 'udp' | 'tcp', name: string): number {
    return this.queries.filter((query) => query.proto === proto && query.name === name).length;
  }

  async start(): Promise<void> {
    const tcp = createServer((socket) => {
      let buffer = Buffer.alloc(0);
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
          const query = buffer.subarray(2, 2 + buffer.readUInt16BE(0));
          buffer = buffer.subarray(2 + query.length);
          this.answer('tcp', query, (reply) => {
            const framed = Buffer.alloc(2 + reply.length);
            framed.writeUInt16BE(reply.length, 0);
            reply.copy(framed, 2);
            if (!socket.destroyed) socket.write(framed);
          });
        }
      });
    });
    await new Promise<void>((resolve) => tcp.listen({ host: this.host, port: this.wantedPort }, () => resolve()));
    this.tcp = tcp;
    this.port = (tcp.address() as AddressInfo).port;
    const udp = createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => udp.bind({ address: this.host, port: this.port }, () => resolve()));
    udp.on('message', (query, remote) => this.answer('udp', query, (reply) => !this.stopped && udp.send(reply, remote.port, remote.address)));
    this.udp = udp;
  }

  private answer(proto: 'udp' | 'tcp', query: Buffer, send: (reply: Buffer) => void): void {
    const parsed = parseQuestion(query);
    if (parsed === undefined) return;
    this.queries.push({ proto, name: parsed.name });
    const behaviour = this.behaviours.get(parsed.name) ?? { rcode: 'nxdomain' };
    if ('drop' in behaviour) return;
    const truncated = 'truncate' in behaviour && proto === 'udp';
    const rcode = 'rcode' in behaviour ? RCODES[behaviour.rcode] : 0;
    const answers = 'answer' in behaviour && !truncated ? behaviour.answer : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    header.writeUInt16BE(0x8180 | (truncated ? 0x0200 : 0) | rcode, 2); // QR, RD, RA
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const records = answers.map((ip) => {
      const record = Buffer.alloc(16);
      record.writeUInt16BE(0xc00c, 0); // pointer to the question name
      record.writeUInt16BE(1, 2);
      record.writeUInt16BE(1, 4);
      record.writeUInt32BE(30, 6);
      record.writeUInt16BE(4, 10);
      ip.split('.').forEach((part, i) => (record[12 + i] = Number(part)));
      return record;
    });
    const reply = Buffer.concat([header, query.subarray(12, parsed.questionEnd), ...records]);
    const delay = 'delayMs' in behaviour ? (behaviour.delayMs ?? 0) : 0;
    if (delay > 0) setTimeout(() => send(reply), delay);
    else send(reply);
  }

  private stopped = false;

  async stop(): Promise<void> {
    this.stopped = true;
    this.udp?.close();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }
}

function parseQuestion(query: Buffer): { name: string; questionEnd: number } | undefined {
  if (query.length < 17) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset]!;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += 1 + length;
  }
  return { name: `${labels.join('.')}.`, questionEnd: offset + 5 };
}
