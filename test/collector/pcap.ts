import { writeFileSync } from 'node:fs';

// Packets written as a pcap file (libpcap format, Ethernet link type), for
// the exporters under test to read (softflowd -r, pmacctd pcap_savefile):
// scripted conversations with known addresses, ports, protocols, packet and
// byte counts, so every exported flow can be checked against what was sent.

export interface Conversation {
  readonly src: string;
  readonly dst: string;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly srcPort: number;
  readonly dstPort: number;
  /** Packets from src to dst. */
  readonly packets: number;
  /** IP payload bytes per packet (after the transport header). */
  readonly payload: number;
  /** Start time, unix seconds. */
  readonly start: number;
}

const ipv4 = (text: string): number[] => text.split('.').map(Number);

function checksum(bytes: number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One Ethernet + IPv4 frame of a conversation; `index` sets TCP flags (SYN first, FIN last). */
export function frame(c: Conversation, index: number): Buffer {
  const transport: number[] = [];
  if (c.proto === 'tcp') {
    const flags = index === 0 ? 0x02 : index === c.packets - 1 ? 0x11 : 0x10;
    transport.push(c.srcPort >> 8, c.srcPort & 0xff, c.dstPort >> 8, c.dstPort & 0xff, 0, 0, 0, index + 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0);
  } else if (c.proto === 'udp') {
    const length = 8 + c.payload;
    transport.push(c.srcPort >> 8, c.srcPort & 0xff, c.dstPort >> 8, c.dstPort & 0xff, length >> 8, length & 0xff, 0, 0);
  } else {
    transport.push(8, 0, 0, 0, 0, 1, index >> 8, index & 0xff);
  }
  const payload = new Array<number>(c.payload).fill(0x61);
  const total = 20 + transport.length + payload.length;
  const proto = c.proto === 'tcp' ? 6 : c.proto === 'udp' ? 17 : 1;
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, index & 0xff, 0x40, 0, 64, proto, 0, 0, ...ipv4(c.src), ...ipv4(c.dst)];
  const sum = checksum(ip);
  ip[10] = sum >> 8;
  ip[11] = sum & 0xff;
  const ethernet = [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
  return Buffer.from([...ethernet, ...ip, ...transport, ...payload]);
}

/** IP bytes of one packet of a conversation (what NetFlow counts as octets). */
export const ipBytes = (c: Conversation): number => 20 + (c.proto === 'tcp' ? 20 : 8) + c.payload;

/** Writes the conversations' packets, interleaved in time (10 ms apart), to a pcap file. */
export function writePcap(path: string, conversations: readonly Conversation[]): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const packets: Array<{ time: number; data: Buffer }> = [];
  for (const c of conversations) {
    for (let i = 0; i < c.packets; i++) packets.push({ time: c.start * 1000 + i * 10, data: frame(c, i) });
  }
  packets.sort((a, b) => a.time - b.time);
  const parts: Buffer[] = [header];
  for (const { time, data } of packets) {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(time / 1000), 0);
    record.writeUInt32LE((time % 1000) * 1000, 4);
    record.writeUInt32LE(data.length, 8);
    record.writeUInt32LE(data.length, 12);
    parts.push(record, data);
  }
  writeFileSync(path, Buffer.concat(parts));
}
