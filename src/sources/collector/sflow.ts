import { emptyFlow, type CollectedFlow } from './flow.js';
import { DecodeError, type DecodeResult } from './netflow.js';
import { parseFrame } from './packet.js';

// sFlow v5 (sflow.org/sflow_version_5.txt): XDR, 4-byte aligned. Flow
// samples (format 1) and expanded flow samples (3) become one flow each, from
// their sampled packet header (raw header record 1: Ethernet, 802.1Q, IPv4,
// IPv6, TCP, UDP, ICMP) or sampled IPv4/IPv6 records (3, 4), with the
// extended switch (1001), router (1002) and gateway (1003) records, as goflow2
// reads them: packets 1, bytes the frame length, the sampling rate kept.
// Counter samples (2, 4) are counted, generic interface counters (record 1)
// returned for the interface metrics. Non-standard enterprises are skipped.

export interface InterfaceCounters {
  readonly index: number;
  readonly inOctets: bigint;
  readonly outOctets: bigint;
  readonly inErrors: number;
  readonly outErrors: number;
  readonly inDiscards: number;
  readonly outDiscards: number;
}

export interface SflowResult extends DecodeResult {
  readonly counterSamples: number;
  readonly interfaces: InterfaceCounters[];
  /** Per sample source (`<source id>`): the flow sample sequence numbers seen, for loss estimates. */
  readonly sampleSequences: Array<{ source: number; sequence: number; drops: number }>;
}

class Reader {
  at = 0;
  constructor(
    readonly view: DataView,
    readonly end: number,
  ) {}

  need(bytes: number, what: string): void {
    if (this.at + bytes > this.end) throw new DecodeError('truncated', `sFlow ${what} at ${this.at}: ${bytes} bytes past the end (${this.end})`);
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.view.getUint32(this.at);
    this.at += 4;
    return value;
  }

  u64(what: string): bigint {
    this.need(8, what);
    const value = this.view.getBigUint64(this.at);
    this.at += 8;
    return value;
  }

  bytes(length: number, what: string): Uint8Array {
    this.need(length, what);
    const out = new Uint8Array(this.view.buffer.slice(this.view.byteOffset + this.at, this.view.byteOffset + this.at + length));
    this.at += length;
    return out;
  }

  address(what: string): Uint8Array {
    const type = this.u32(what);
    if (type === 1) return this.bytes(4, what);
    if (type === 2) return this.bytes(16, what);
    if (type === 0) return new Uint8Array(0);
    throw new DecodeError('address', `sFlow ${what}: address type ${type}`);
  }

  /** A sub-reader over the next `length` bytes (padded to 4), the cursor moved past them. */
  sub(length: number, what: string): Reader {
    this.need(length, what);
    const reader = new Reader(this.view, this.at + length);
    reader.at = this.at;
    this.at += (length + 3) & ~3;
    if (this.at > this.end) this.at = this.end;
    return reader;
  }
}

export function decodeSflow(buf: Uint8Array, receivedMs: number): SflowResult {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const reader = new Reader(view, buf.byteLength);
  const version = reader.u32('version');
  if (version !== 5) throw new DecodeError('version', `sFlow version ${version}`);
  const agent = reader.address('agent address');
  const subAgent = reader.u32('sub-agent id');
  const sequence = reader.u32('sequence number');
  reader.u32('uptime');
  const count = reader.u32('sample count');
  if (count > 10_000) throw new DecodeError('length', `sFlow: ${count} samples`);
  const received = BigInt(receivedMs) * 1_000_000n;
  const flows: CollectedFlow[] = [];
  const interfaces: InterfaceCounters[] = [];
  const sampleSequences: Array<{ source: number; sequence: number; drops: number }> = [];
  let counterSamples = 0;
  for (let i = 0; i < count; i++) {
    const format = reader.u32('sample format');
    const length = reader.u32('sample length');
    const sample = reader.sub(length, 'sample');
    if (format >>> 12 !== 0) continue; // another enterprise's sample
    switch (format & 0xfff) {
      case 1:
      case 3: {
        const expanded = (format & 0xfff) === 3;
        const flow = emptyFlow('SFLOW_5', received, agent);
        flow.sequenceNum = sequence;
        flow.timeFlowStartNs = received;
        flow.timeFlowEndNs = received;
        flow.packets = 1n;
        const sampleSequence = sample.u32('flow sample sequence');
        let source: number;
        if (expanded) {
          const type = sample.u32('source id type');
          source = ((type & 0xff) << 24) | (sample.u32('source id index') & 0xffffff);
        } else source = sample.u32('source id');
        flow.samplingRate = sample.u32('sampling rate');
        sample.u32('sample pool');
        const drops = sample.u32('drops');
        if (expanded) {
          sample.u32('input format');
          flow.inIf = sample.u32('input');
          sample.u32('output format');
          flow.outIf = sample.u32('output');
        } else {
          flow.inIf = sample.u32('input') & 0x3fffffff;
          flow.outIf = sample.u32('output') & 0x3fffffff;
        }
        sampleSequences.push({ source: source >>> 0, sequence: sampleSequence, drops });
        const records = sample.u32('record count');
        for (let r = 0; r < records; r++) {
          const recordFormat = sample.u32('record format');
          const recordLength = sample.u32('record length');
          const record = sample.sub(recordLength, 'flow record');
          if (recordFormat >>> 12 !== 0) continue;
          flowRecord(flow, recordFormat & 0xfff, record);
        }
        flows.push(flow);
        break;
      }
      case 2:
      case 4: {
        counterSamples++;
        const expanded = (format & 0xfff) === 4;
        sample.u32('counter sample sequence');
        sample.u32('source id');
        if (expanded) sample.u32('source id index');
        const records = sample.u32('record count');
        for (let r = 0; r < records; r++) {
          const recordFormat = sample.u32('counter record format');
          const recordLength = sample.u32('counter record length');
          const record = sample.sub(recordLength, 'counter record');
          if (recordFormat === 1) interfaces.push(genericInterface(record));
        }
        break;
      }
      default:
        break;
    }
  }
  return {
    flows,
    info: { version: 5, domain: subAgent, sequence, unit: 'packets', advance: 1 },
    noTemplate: 0,
    templatesAdded: 0,
    counterSamples,
    interfaces,
    sampleSequences,
  };
}

function genericInterface(record: Reader): InterfaceCounters {
  const index = record.u32('ifIndex');
  record.u32('ifType');
  record.u64('ifSpeed');
  record.u32('ifDirection');
  record.u32('ifStatus');
  const inOctets = record.u64('ifInOctets');
  record.u32('ifInUcastPkts');
  record.u32('ifInMulticastPkts');
  record.u32('ifInBroadcastPkts');
  const inDiscards = record.u32('ifInDiscards');
  const inErrors = record.u32('ifInErrors');
  record.u32('ifInUnknownProtos');
  const outOctets = record.u64('ifOutOctets');
  record.u32('ifOutUcastPkts');
  record.u32('ifOutMulticastPkts');
  record.u32('ifOutBroadcastPkts');
  const outDiscards = record.u32('ifOutDiscards');
  const outErrors = record.u32('ifOutErrors');
  return { index, inOctets, outOctets, inErrors, outErrors, inDiscards, outDiscards };
}

function flowRecord(flow: CollectedFlow, format: number, record: Reader): void {
  switch (format) {
    case 1: {
      const protocol = record.u32('header protocol');
      const frameLength = record.u32('frame length');
      record.u32('stripped');
      const headerLength = record.u32('header length');
      const header = record.bytes(Math.min(headerLength, record.end - record.at), 'header');
      flow.bytes = BigInt(frameLength);
      if (protocol === 1) parseFrame(flow, header); // goflow2 parses Ethernet headers only
      break;
    }
    case 3: // sampled IPv4
    case 4: {
      // sampled IPv6: the same fields with 16-byte addresses (its "priority" where IPv4 has the ToS)
      const v4 = format === 3;
      flow.bytes = BigInt(record.u32('length'));
      flow.proto = record.u32('protocol');
      flow.srcAddr = record.bytes(v4 ? 4 : 16, 'src ip');
      flow.dstAddr = record.bytes(v4 ? 4 : 16, 'dst ip');
      flow.srcPort = record.u32('src port');
      flow.dstPort = record.u32('dst port');
      flow.tcpFlags = record.u32('tcp flags');
      flow.ipTos = record.u32(v4 ? 'tos' : 'priority');
      flow.etype = v4 ? 0x800 : 0x86dd;
      break;
    }
    case 1001:
      flow.srcVlan = record.u32('src vlan');
      record.u32('src priority');
      flow.dstVlan = record.u32('dst vlan');
      break;
    case 1002:
      flow.nextHop = record.address('next hop');
      flow.srcNet = record.u32('src mask');
      flow.dstNet = record.u32('dst mask');
      break;
    case 1003: {
      flow.bgpNextHop = record.address('bgp next hop');
      const as = record.u32('as');
      const srcAs = record.u32('src as');
      record.u32('src peer as');
      const segments = record.u32('as path segments');
      const path: number[] = [];
      for (let s = 0; s < segments && s < 64; s++) {
        record.u32('segment type');
        const length = record.u32('segment length');
        for (let a = 0; a < length && a < 256; a++) path.push(record.u32('as'));
      }
      const communities = record.u32('communities');
      for (let c = 0; c < communities && c < 256; c++) flow.bgpCommunities.push(record.u32('community'));
      flow.asPath = path;
      flow.dstAs = path.length > 0 ? path[path.length - 1]! : as;
      if (path.length > 0) flow.nextHopAs = path[0]!;
      flow.srcAs = srcAs > 0 ? srcAs : as;
      break;
    }
    default:
      break;
  }
}
