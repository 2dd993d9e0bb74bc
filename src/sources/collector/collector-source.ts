import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { ipv6Groups } from '../../kube/ip.js';
import type { Component, ComponentStatus } from '../../components/component.js';
import type { FlowBus, FlowQueue } from '../../flow/flow-bus.js';
import type { FlowEndpoint, FlowRecord, MemoCell } from '../../flow/flow-record.js';
import type { Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/pipeline.js';
import type { CounterFamily, CounterSeries, GaugeFamily } from '../../metrics/series-budget.js';
import type { CollectorConfig } from './config.js';
import { addressText, protoName, type CollectedFlow } from './flow.js';
import { parseListenUrl, type Listener } from './listen.js';
import { FLOWS, INTERFACE_ERRORS, INTERFACE_OCTETS, LOST, MALFORMED, NO_TEMPLATE, OUTPUT_DROPPED, PACKETS, RECEIVE_DROPS, SEQUENCE_GAPS, SFLOW_COUNTERS, TEMPLATES } from './metrics.js';
import { DecodeError, NetflowDecoder, type DecodeResult } from './netflow.js';
import { decodeSflow, type SflowResult } from './sflow.js';

// The collector source: UDP sockets per listen URL, each datagram decoded
// (netflow.ts, sflow.ts), sequence numbers tracked per exporter and domain,
// flows handed to the flow bus as FlowRecords (counts multiplied by the
// sampling rate; addresses and ports on the endpoints, so the enrichment
// stage names pods, services and nodes). `onFlows` lets `flowlens collect`
// take the decoded flows themselves.

const SWEEP_MS = 30_000;
const LOG_EVERY_MS = 60_000;
/** Node added SO_REUSEPORT for dgram sockets in 22.12 / 23.1. */
const REUSE_PORT = (() => {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
})();

export interface CollectorOptions {
  readonly config: CollectorConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly flows?: FlowBus;
  /** Decoded flows, as they arrive (the `collect` command); returns how many it had to drop. */
  readonly onFlows?: (flows: readonly CollectedFlow[]) => number | void;
  /** Tests: the clock. */
  readonly now?: () => number;
}

type Protocol = 'netflow_v5' | 'netflow_v9' | 'ipfix' | 'sflow';

/** An exporter socket address: its address text, template scope, address bytes, conversations and counters. */
interface Exporter {
  readonly address: string;
  /** Templates are kept per exporter address and port. */
  readonly templates: string;
  readonly bytes: Uint8Array;
  readonly conversations: ByProto;
  readonly series: Map<Protocol, { labels: { protocol: Protocol; exporter: string }; packets: CounterSeries; flows: CounterSeries; sequence: string }>;
}

const MAX_EXPORTERS = 10_000;

export class CollectorSource implements Component {
  readonly name = 'collector';
  private readonly sockets: Array<{ listener: Listener; socket: dgram.Socket }> = [];
  private readonly netflow: NetflowDecoder;
  private readonly queue: FlowQueue | undefined;
  private readonly sequences = new Map<string, number>();
  private readonly conversations = new Conversations();
  private readonly exporters = new Map<string, Exporter>();
  private readonly lastLog = new Map<string, number>();
  private sweep: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private lastError: string | undefined;

  private readonly packets: CounterFamily;
  private readonly flowCount: CounterFamily;
  private readonly malformed: CounterFamily;
  private readonly gaps: CounterFamily;
  private readonly lost: CounterFamily;
  private readonly noTemplate: CounterFamily;
  private readonly templates: GaugeFamily;
  private readonly receiveDrops: CounterFamily;
  private readonly sflowCounters: CounterFamily;
  private readonly outputDropped: CounterFamily;
  private readonly interfaceOctets: CounterFamily;
  private readonly interfaceErrors: CounterFamily;

  constructor(private readonly options: CollectorOptions) {
    const { metrics, config } = options;
    this.now = options.now ?? Date.now;
    this.netflow = new NetflowDecoder({ templateTimeoutMs: config.templateTimeout });
    this.queue = options.flows?.queue('collector', config.queueSize);
    this.packets = metrics.counter(PACKETS);
    this.flowCount = metrics.counter(FLOWS);
    this.malformed = metrics.counter(MALFORMED);
    this.gaps = metrics.counter(SEQUENCE_GAPS);
    this.lost = metrics.counter(LOST);
    this.noTemplate = metrics.counter(NO_TEMPLATE);
    this.templates = metrics.gauge(TEMPLATES);
    this.receiveDrops = metrics.counter(RECEIVE_DROPS);
    this.sflowCounters = metrics.counter(SFLOW_COUNTERS);
    this.outputDropped = metrics.counter(OUTPUT_DROPPED);
    this.interfaceOctets = metrics.counter(INTERFACE_OCTETS);
    this.interfaceErrors = metrics.counter(INTERFACE_ERRORS);
    this.outputDropped.inc(undefined, 0);
    metrics.onCollect(async () => {
      this.templates.set(undefined, this.netflow.templateCount());
      await this.readKernelDrops();
    });
  }

  /** The local ports the sockets are bound to, per listen URL (tests bind port 0... via the URL's port). */
  get bound(): Array<{ url: string; port: number; address: string }> {
    return this.sockets.map(({ listener, socket }) => ({ url: listener.url, port: socket.address().port, address: socket.address().address }));
  }

  async start(): Promise<void> {
    const listeners = this.options.config.listen.map(parseListenUrl);
    for (const listener of listeners) {
      if (listener.count > 1 && !REUSE_PORT) this.options.logger.warn({ listener: listener.url }, `count=${listener.count}: SO_REUSEPORT needs Node >= 22.12; one socket`);
      const count = REUSE_PORT ? listener.count : 1;
      for (let i = 0; i < count; i++) this.sockets.push({ listener, socket: await this.bind(listener, count > 1) });
    }
    this.sweep = setInterval(() => this.netflow.expire(this.now()), SWEEP_MS);
    this.sweep.unref();
    this.options.logger.info({ listen: this.bound.map((entry) => `${entry.url} (${entry.address}:${entry.port})`) }, 'flow collector listening');
  }

  status(): ComponentStatus {
    return this.lastError === undefined ? { ready: true, up: true } : { ready: true, up: false, reason: this.lastError };
  }

  async stop(): Promise<void> {
    if (this.sweep !== undefined) clearInterval(this.sweep);
    await Promise.all(this.sockets.map(({ socket }) => new Promise<void>((resolve) => socket.close(() => resolve()))));
    this.sockets.length = 0;
  }

  private async bind(listener: Listener, reusePort: boolean): Promise<dgram.Socket> {
    const attempt = (type: 'udp4' | 'udp6', address: string | undefined): Promise<dgram.Socket> =>
      new Promise((resolve, reject) => {
        const socket = dgram.createSocket({ type, ...(reusePort ? { reusePort: true } : {}) } as dgram.SocketOptions);
        socket.once('error', reject);
        socket.bind({ port: listener.port, ...(address !== undefined ? { address } : {}) }, () => {
          socket.off('error', reject);
          socket.on('error', (error) => {
            this.lastError = `${listener.url}: ${error.message}`;
            this.options.logger.warn({ err: error.message, listener: listener.url }, 'collector socket error');
          });
          if (listener.rcvbuf !== undefined) socket.setRecvBufferSize(listener.rcvbuf);
          socket.on('message', (message, remote) => this.receive(listener, message, remote));
          resolve(socket);
        });
      });
    if (listener.host === '') {
      // Every address: IPv6 with IPv4-mapped addresses, or IPv4 alone where IPv6 is off.
      try {
        return await attempt('udp6', '::');
      } catch {
        return attempt('udp4', '0.0.0.0');
      }
    }
    return attempt(isIPv4(listener.host) ? 'udp4' : 'udp6', listener.host);
  }

  /** What a datagram's sender address gives, worked out once per exporter socket address. */
  private exporterOf(remote: { address: string; port: number }): Exporter {
    const id = `${remote.address}|${remote.port}`;
    let exporter = this.exporters.get(id);
    if (exporter === undefined) {
      if (this.exporters.size >= MAX_EXPORTERS) this.exporters.clear();
      const address = remote.address.startsWith('::ffff:') && isIPv4(remote.address.slice(7)) ? remote.address.slice(7) : remote.address;
      const templates = `${address}:${remote.port}`;
      exporter = { address, templates, bytes: addressBytes(address), conversations: this.conversations.forExporter(address), series: new Map() };
      this.exporters.set(id, exporter);
    }
    return exporter;
  }

  /** One datagram: decoded, counted, tracked, delivered. Never throws. */
  receive(listener: Listener, message: Uint8Array, remote: { address: string; port: number }): void {
    const exporter = this.exporterOf(remote);
    const address = exporter.address;
    const now = this.now();
    let result: DecodeResult | SflowResult;
    let protocol: Protocol;
    try {
      const sflow = message.length >= 4 && message[0] === 0 && message[1] === 0 && message[2] === 0 && message[3] === 5;
      if (sflow ? listener.scheme !== 'sflow' && listener.scheme !== 'flow' : listener.scheme === 'sflow') {
        throw new DecodeError('scheme', `${sflow ? 'sFlow' : 'NetFlow/IPFIX'} on ${listener.url}`);
      }
      if (sflow) {
        result = decodeSflow(message, now);
        protocol = 'sflow';
      } else {
        const version = message.length >= 2 ? (message[0]! << 8) | message[1]! : 0;
        if (listener.scheme === 'nfl' && version !== 5) throw new DecodeError('version', `NetFlow v${version} on a v5 (nfl) listener`);
        result = this.netflow.decode(message, exporter.templates, exporter.bytes, now);
        protocol = version === 5 ? 'netflow_v5' : version === 9 ? 'netflow_v9' : 'ipfix';
      }
    } catch (error) {
      const reason = error instanceof DecodeError ? error.reason : 'truncated';
      this.malformed.inc({ exporter: address, reason });
      const last = this.lastLog.get(address) ?? 0;
      if (now - last > LOG_EVERY_MS) {
        this.lastLog.set(address, now);
        this.options.logger.warn({ exporter: address, listener: listener.url, reason, err: (error as Error).message }, 'undecodable export packet dropped');
      }
      return;
    }
    let series = exporter.series.get(protocol);
    if (series === undefined || series.packets.removed || series.flows.removed) {
      const labels = { protocol, exporter: address };
      series = { labels, packets: this.packets.seriesOf(labels), flows: this.flowCount.seriesOf(labels), sequence: `${address}|${protocol}|` };
      exporter.series.set(protocol, series);
    }
    const labels = series.labels;
    this.packets.add(series.packets, 1);
    this.flowCount.add(series.flows, result.flows.length);
    if (result.noTemplate > 0) this.noTemplate.inc({ exporter: address }, result.noTemplate);
    this.track(series.sequence + result.info.domain, result.info.sequence, result.info.advance, labels, result.info.unit);
    if ('sampleSequences' in result) {
      if (result.counterSamples > 0) this.sflowCounters.inc({ exporter: address }, result.counterSamples);
      for (const counters of result.interfaces) {
        const index = String(counters.index);
        this.interfaceOctets.setTotal({ exporter: address, if_index: index, direction: 'in' }, Number(counters.inOctets));
        this.interfaceOctets.setTotal({ exporter: address, if_index: index, direction: 'out' }, Number(counters.outOctets));
        this.interfaceErrors.setTotal({ exporter: address, if_index: index, direction: 'in', kind: 'errors' }, counters.inErrors);
        this.interfaceErrors.setTotal({ exporter: address, if_index: index, direction: 'out', kind: 'errors' }, counters.outErrors);
        this.interfaceErrors.setTotal({ exporter: address, if_index: index, direction: 'in', kind: 'discards' }, counters.inDiscards);
        this.interfaceErrors.setTotal({ exporter: address, if_index: index, direction: 'out', kind: 'discards' }, counters.outDiscards);
      }
      for (const sample of result.sampleSequences) this.track(`${address}|sample|${result.info.domain}|${sample.source}`, sample.sequence, 1, labels, 'samples');
    }
    const flows = result.flows;
    if (flows.length === 0) return;
    const dropped = this.options.onFlows?.(flows);
    if (dropped) this.outputDropped.inc(undefined, dropped);
    const queue = this.queue;
    if (queue === undefined) return;
    for (let i = 0; i < flows.length; i++) queue.push(toRecord(flows[i]!, address, this.conversations, exporter.conversations));
  }

  /** Sequence numbers: a jump forward is a gap (its size an estimate of what was lost); backwards restarts tracking. */
  private track(key: string, sequence: number, advance: number, labels: { protocol: Protocol; exporter: string }, unit: 'flows' | 'packets' | 'samples'): void {
    const expected = this.sequences.get(key);
    if (expected !== undefined) {
      const gap = (sequence - expected) >>> 0;
      if (gap !== 0 && gap < 0x80000000) {
        this.gaps.inc(labels);
        this.lost.inc({ ...labels, unit }, gap);
      }
    }
    if (this.sequences.size > 100_000 && !this.sequences.has(key)) this.sequences.clear();
    this.sequences.set(key, (sequence + advance) >>> 0);
  }

  private async readKernelDrops(): Promise<void> {
    const ports = new Map<number, string>();
    for (const { listener, socket } of this.sockets) {
      try {
        ports.set(socket.address().port, listener.url);
      } catch {
        // closed
      }
    }
    if (ports.size === 0) return;
    const drops = new Map<string, number>();
    for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const columns = line.trim().split(/\s+/);
        const local = columns[1];
        if (local === undefined) continue;
        const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
        const url = ports.get(port);
        if (url === undefined) continue;
        drops.set(url, (drops.get(url) ?? 0) + Number(columns[columns.length - 1] ?? 0));
      }
    }
    for (const [listener, value] of drops) this.receiveDrops.setTotal({ listener }, value);
  }
}

/** An address as the 4 or 16 bytes a flow carries (all zeroes for text that is no address). */
export function addressBytes(text: string): Uint8Array {
  if (isIPv4(text)) return new Uint8Array(text.split('.').map(Number));
  const out = new Uint8Array(16);
  ipv6Groups(text)?.forEach((group, i) => {
    out[i * 2] = group >> 8;
    out[i * 2 + 1] = group & 0xff;
  });
  return out;
}

/** Private, loopback and link-local ranges (RFC 1918, 4193, 4291), read from the address bytes. */
function isPrivate(a: Uint8Array): boolean {
  if (a.length === 4) return a[0] === 10 || a[0] === 127 || (a[0] === 172 && (a[1]! & 0xf0) === 16) || (a[0] === 192 && a[1] === 168) || (a[0] === 169 && a[1] === 254);
  if (a.length !== 16) return false;
  if ((a[0]! & 0xfe) === 0xfc || (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80)) return true;
  for (let i = 0; i < 15; i++) if (a[i] !== 0) return false;
  return a[15] === 1;
}

interface AddressEntry {
  readonly ip: string;
  readonly name: string;
  readonly ports: Map<number, FlowEndpoint>;
  /** The memo cell the address's one-off endpoints share. */
  readonly memo: MemoCell;
}

/**
 * An address endpoint. Its memo cell (FlowEndpoint.memo) is a private field
 * behind a getter: copies (the enrichment stage's `{ ...endpoint, kube }`)
 * and serialized records do not carry it.
 */
class AddressEndpoint implements FlowEndpoint {
  readonly namespace = '';
  readonly type = 'network' as const;
  readonly labels = NO_LABELS;
  readonly #memo: MemoCell;

  constructor(
    readonly name: string,
    readonly ip: string,
    readonly port: number,
    memo: MemoCell,
  ) {
    this.#memo = memo;
  }

  get memo(): MemoCell {
    return this.#memo;
  }
}

const newEntry = (ip: string, address: Uint8Array): AddressEntry => ({ ip, name: isPrivate(address) ? 'pvt' : 'pub', ports: new Map(), memo: { owner: undefined, value: undefined } });

/**
 * Address endpoints, interned: one object per (address, port) while it keeps
 * being seen, so the enrichment stage and the sinks meet the same object (and
 * the same address string) for every record of a busy conversation instead of
 * new ones. Dropped wholesale when it holds too many addresses.
 */
export class Endpoints {
  private readonly v4 = new Map<number, AddressEntry>();
  private readonly other = new Map<string, AddressEntry>();

  /** The entry of an address (undefined for none). */
  entry(address: Uint8Array): AddressEntry | undefined {
    let entry;
    if (address.length === 4) {
      const key = v4(address);
      entry = this.v4.get(key);
      if (entry === undefined) {
        if (this.v4.size >= MAX_ADDRESSES) this.v4.clear();
        this.v4.set(key, (entry = newEntry(addressText(address), address)));
      }
      return entry;
    }
    const ip = addressText(address);
    if (ip === '') return undefined;
    entry = this.other.get(ip);
    if (entry === undefined) {
      if (this.other.size >= MAX_ADDRESSES) this.other.clear();
      this.other.set(ip, (entry = newEntry(ip, address)));
    }
    return entry;
  }

  of(address: Uint8Array, port: number): FlowEndpoint {
    return endpointAt(this.entry(address), port);
  }
}

/** The endpoint of an address entry and port: interned (a memo cell of its own), or a one-off (its address's cell) once the address has many ports. */
function endpointAt(entry: AddressEntry | undefined, port: number): FlowEndpoint {
  if (entry === undefined) return { name: '', namespace: '', type: 'network', labels: NO_LABELS, port };
  let endpoint = entry.ports.get(port);
  if (endpoint === undefined) {
    // A full port map (a client address, its ephemeral ports) is not churned: such endpoints are one-offs.
    if (entry.ports.size >= MAX_PORTS) return new AddressEndpoint(entry.name, entry.ip, port, entry.memo);
    entry.ports.set(port, (endpoint = Object.freeze(new AddressEndpoint(entry.name, entry.ip, port, { owner: undefined, value: undefined }))));
  }
  return endpoint;
}

const MAX_ADDRESSES = 100_000;
/** Ports interned per address: a server's few service ports; a client's ephemeral ports stop at the limit. */
const MAX_PORTS = 64;
/** Conversations kept across exporters before they are dropped wholesale. */
const MAX_CONVERSATIONS = 1_000_000;

const NO_LABELS: readonly string[] = Object.freeze([]);

/** What a record's key names (exporter, protocol, both addresses, destination port), worked out once. */
interface Conversation {
  /** `exporter|proto|src address|dst address|dst port`: the series a record counts in (no source port: ephemeral ports would make every connection a key). */
  readonly key: string;
  readonly proto: string;
  readonly src: AddressEntry | undefined;
  readonly dst: FlowEndpoint;
  /** The records' keyMemo: the flow metrics keep the key's series here. */
  readonly memo: MemoCell;
}

type ByProto = Map<number, Map<unknown, Map<unknown, Conversation>>>;

/**
 * Conversations, interned per exporter: found by numbers (IPv4: protocol,
 * source address, destination address and port) or address text (IPv6),
 * so a record costs three map reads for its key string (hash computed once,
 * so the sinks' maps meet the same string) and its interned endpoints.
 */
export class Conversations {
  private readonly byExporter = new Map<string, ByProto>();
  private size = 0;

  constructor(private readonly endpoints: Endpoints = new Endpoints()) {}

  /** An exporter's conversations (look it up once per datagram). */
  forExporter(exporter: string): ByProto {
    let byProto = this.byExporter.get(exporter);
    if (byProto === undefined) {
      if (this.byExporter.size >= MAX_EXPORTERS) this.byExporter.clear();
      this.byExporter.set(exporter, (byProto = new Map()));
    }
    return byProto;
  }

  of(exporter: string, byProto: ByProto, flow: CollectedFlow): Conversation {
    let bySrc = byProto.get(flow.proto);
    if (bySrc === undefined) byProto.set(flow.proto, (bySrc = new Map()));
    const srcKey = flow.srcAddr.length === 4 ? v4(flow.srcAddr) : addressText(flow.srcAddr);
    let byDst = bySrc.get(srcKey);
    if (byDst === undefined) bySrc.set(srcKey, (byDst = new Map()));
    const dstKey = flow.dstAddr.length === 4 ? v4(flow.dstAddr) * 65536 + flow.dstPort : `${addressText(flow.dstAddr)}|${flow.dstPort}`;
    let conversation = byDst.get(dstKey);
    if (conversation === undefined) {
      if (++this.size > MAX_CONVERSATIONS) {
        // Everything goes (the maps stay: exporters keep theirs).
        for (const map of this.byExporter.values()) map.clear();
        byProto.clear();
        this.size = 0;
        bySrc = new Map();
        byProto.set(flow.proto, bySrc);
        byDst = new Map();
        bySrc.set(srcKey, byDst);
      }
      const src = this.endpoints.entry(flow.srcAddr);
      const dst = this.endpoints.of(flow.dstAddr, flow.dstPort);
      const proto = protoName(flow.proto);
      conversation = { key: `${exporter}|${proto}|${src?.ip ?? ''}|${dst.ip ?? ''}|${flow.dstPort}`, proto, src, dst, memo: { owner: undefined, value: undefined } };
      byDst.set(dstKey, conversation);
    }
    return conversation;
  }
}

const v4 = (a: Uint8Array): number => ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0;

/**
 * A collector flow on the flow bus. Its `id` (exactly-once identity: key,
 * source port, export packet) is built only when read: nothing on the hot path
 * reads it, and its numbers made up a fifth of the per-record cost. Stages
 * that copy records keep the prototype (src/enrich/flow-stage.ts).
 */
class CollectorRecord implements FlowRecord {
  readonly source = 'ipfix' as const;
  readonly reporter = 'unspecified' as const;
  readonly action = 'unspecified' as const;
  readonly connectionsCompleted = 0;
  readonly connectionsLive = 0;
  readonly #conversation: Conversation;

  constructor(
    readonly startTime: number,
    readonly endTime: number,
    readonly proto: string,
    readonly src: FlowEndpoint,
    readonly dst: FlowEndpoint,
    readonly packetsOut: number,
    readonly bytesOut: number,
    /** An IPFIX biflow's reverse counters (destination back to source); 0 for one-direction flows. */
    readonly packetsIn: number,
    readonly bytesIn: number,
    readonly connectionsStarted: number,
    conversation: Conversation,
    readonly sequence: number,
  ) {
    this.#conversation = conversation;
  }

  get key(): string {
    return this.#conversation.key;
  }

  get keyMemo(): MemoCell {
    return this.#conversation.memo;
  }

  get id(): string {
    return `${this.key}|${this.src.port ?? 0}|${this.sequence}`;
  }

  /** The same record with enriched endpoints (the enrichment stage's copy, without a generic object copy). */
  withEndpoints(src: FlowEndpoint, dst: FlowEndpoint): FlowRecord {
    return new CollectorRecord(this.startTime, this.endTime, this.proto, src, dst, this.packetsOut, this.bytesOut, this.packetsIn, this.bytesIn, this.connectionsStarted, this.#conversation, this.sequence);
  }
}

const nsToMs = (ns: bigint): number => Number(ns / 1_000_000n);

/** A decoded flow as the flow bus's record: counts scaled by the sampling rate, src -> dst counted as out (a biflow's reverse counts as in). */
export function toRecord(flow: CollectedFlow, exporter: string, conversations: Conversations = new Conversations(), byProto: ByProto = conversations.forExporter(exporter)): FlowRecord {
  const scale = flow.samplingRate > 1 ? flow.samplingRate : 1;
  const start = nsToMs(flow.timeFlowStartNs);
  const end = nsToMs(flow.timeFlowEndNs);
  const conversation = conversations.of(exporter, byProto, flow);
  // TCP flows whose flags include SYN opened a connection (one per direction); others are not counted as connections.
  const connections = flow.proto === 6 && (flow.tcpFlags & 0x02) !== 0 ? 1 : 0;
  return new CollectorRecord(
    start,
    Math.max(end, start),
    conversation.proto,
    endpointAt(conversation.src, flow.srcPort),
    conversation.dst,
    Number(flow.packets) * scale,
    Number(flow.bytes) * scale,
    Number(flow.reversePackets) * scale,
    Number(flow.reverseBytes) * scale,
    connections,
    conversation,
    flow.sequenceNum,
  );
}
