import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tcpFrame, tcpMessages } from '../probes/dns-message.js';
import { WORKLOADS } from './cluster.js';

// The demo cluster's DNS (CoreDNS' part): A records for
// <service>.<namespace>.svc.cluster.local. and kubernetes.default, NXDOMAIN
// for anything else, over UDP and TCP on one loopback port.

const RECORDS = new Map<string, string>([
  ['kubernetes.default.svc.cluster.local.', '10.96.0.1'],
  ...WORKLOADS.filter((workload) => workload.clusterIP !== undefined).map((workload) => [`${workload.name}.${workload.namespace}.svc.cluster.local.`, workload.clusterIP!] as [string, string]),
]);

/** The answer to one query message, or undefined for what is not a query. */
function answer(query: Buffer): Buffer | undefined {
  if (query.length < 17 || (query[2]! & 0x80) !== 0) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset]!;
    if (length > 63 || offset + 1 + length > query.length) return undefined;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('latin1').toLowerCase());
    offset += 1 + length;
  }
  const questionEnd = offset + 5;
  if (questionEnd > query.length) return undefined;
  const type = query.readUInt16BE(offset + 1);
  const ip = RECORDS.get(`${labels.join('.')}.`);
  const records = ip !== undefined && type === 1 ? [ip] : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8180 | (ip === undefined ? 3 : 0), 2); // QR RD RA, NXDOMAIN when unknown
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(1, 2);
    record.writeUInt16BE(1, 4);
    record.writeUInt32BE(30, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((part, i) => (record[12 + i] = Number(part)));
    return record;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}

export class DemoDns {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const tcp = createServer((socket) => {
      let pending: Buffer = Buffer.alloc(0);
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        const { messages, rest } = tcpMessages(Buffer.concat([pending, chunk]));
        pending = rest;
        for (const message of messages) {
          const reply = answer(message);
          if (reply !== undefined) socket.write(tcpFrame(reply));
        }
      });
    });
    await new Promise<void>((resolve) => tcp.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
    this.tcp = tcp;
    this.port = (tcp.address() as AddressInfo).port;
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind({ address: '127.0.0.1', port: this.port }, () => resolve()));
    udp.on('message', (query, remote) => {
      const reply = answer(query);
      if (reply !== undefined) udp.send(reply, remote.port, remote.address);
    });
    this.udp = udp;
  }

  async stop(): Promise<void> {
    this.udp?.close();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }
}
