import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FlowRecord } from '../flow/flow-record.js';
import { Ring } from '../flow/ring.js';
import type { Metrics } from '../metrics/pipeline.js';
import type { CounterFamily, GaugeFamily } from '../metrics/series-budget.js';
import type { CounterSpec, GaugeSpec } from '../metrics/spec.js';
import { send } from '../server/http-server.js';
import { FlowBodies } from '../sinks/flow-log/body.js';
import type { UiConfig } from './config.js';
import type { FlowFilter } from './flow-filter.js';

// GET /api/v1/flows: Server-Sent Events, one flow per event (its `data` the
// JSON-lines sink's line), filtered on the server. The pipeline never waits
// for a client: records are matched and queued per stream as they pass;
// a timer sends each stream's rows every FLUSH_MS, folding records of one
// flow key and interval into one row and skipping what is over the stream's
// rate (counted, and told to the client in `stats` events). A client whose
// unsent bytes pass `maxBufferBytes` is dropped.

const FLUSH_MS = 200;
const KEEPALIVE_MS = 15_000;
/** Rows a new stream replays at most (the newest matching). */
const REPLAY_ROWS = 2_000;

export const UI_STREAMS: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_ui_streams',
  help: 'Flow streams (GET /api/v1/flows) open now.',
  doc: 'Flow streams (`GET /api/v1/flows`) open now, at most `ui.maxStreams`.',
  expires: false,
};

export const UI_STREAMS_DROPPED: CounterSpec = {
  type: 'counter',
  name: 'flowlens_ui_streams_dropped_total',
  help: 'Flow streams the agent ended or refused, by reason (slow: the client did not read; limit: ui.maxStreams were open).',
  labels: { reason: 'fixed (2: slow, limit)' },
  doc: 'Flow streams ended or refused: `slow` (more than `ui.maxBufferBytes` waited for the client), `limit` (`ui.maxStreams` were open: 503).',
  expires: false,
};

export const UI_STREAM_ROWS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_ui_stream_rows_total',
  help: 'Flow records matched by flow streams, by outcome (sent, folded into a row of the same key and interval, skipped over the stream rate).',
  labels: { outcome: 'fixed (3: sent, folded, skipped)' },
  doc: 'Flow records the streams matched: `sent` as rows, `folded` into a row of the same flow key and interval, `skipped` over `ui.maxRowsPerSecond` (each stream tells its client its own counts).',
  expires: false,
};

export const UI_STREAM_FAMILIES = [UI_STREAMS, UI_STREAMS_DROPPED, UI_STREAM_ROWS];

/** One row: the records of one flow key and interval, summed. */
function folded(a: FlowRecord, b: FlowRecord): FlowRecord {
  return {
    source: a.source,
    startTime: Math.min(a.startTime, b.startTime),
    endTime: Math.max(a.endTime, b.endTime),
    proto: a.proto,
    src: a.src,
    dst: a.dst,
    ...(a.service !== undefined ? { service: a.service } : {}),
    reporter: a.reporter,
    action: a.action,
    ...(a.policies !== undefined ? { policies: a.policies } : {}),
    packetsIn: a.packetsIn + b.packetsIn,
    packetsOut: a.packetsOut + b.packetsOut,
    bytesIn: a.bytesIn + b.bytesIn,
    bytesOut: a.bytesOut + b.bytesOut,
    connectionsStarted: a.connectionsStarted + b.connectionsStarted,
    connectionsCompleted: a.connectionsCompleted + b.connectionsCompleted,
    connectionsLive: a.connectionsLive + b.connectionsLive,
    key: a.key,
    id: a.id,
  };
}

class Stream {
  /** Rows waiting for the next flush, by flow key and interval (oldest first). */
  readonly pending = new Map<string, FlowRecord>();
  folded = 0;
  skipped = 0;
  sent = 0;
  private reported = '';
  lastWrite = 0;

  constructor(
    readonly filter: FlowFilter,
    readonly response: ServerResponse,
    private readonly maxPending: number,
    private readonly rows: CounterFamily,
  ) {}

  add(record: FlowRecord): void {
    const id = `${record.key}|${record.startTime}`;
    const row = this.pending.get(id);
    if (row !== undefined) {
      this.pending.set(id, folded(row, record));
      this.folded++;
      this.rows.inc({ outcome: 'folded' });
      return;
    }
    if (this.pending.size >= this.maxPending) {
      // The newest rows matter most in a live view: the oldest waiting one goes.
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      this.skipped++;
      this.rows.inc({ outcome: 'skipped' });
    }
    this.pending.set(id, record);
  }

  /** Sends up to `budget` rows, the newest if there are more; then the counts when they changed. */
  flush(budget: number, bodies: FlowBodies, now: number): void {
    let text = '';
    if (this.pending.size > budget) {
      const over = this.pending.size - budget;
      let dropped = 0;
      for (const id of this.pending.keys()) {
        if (dropped++ >= over) break;
        this.pending.delete(id);
      }
      this.skipped += over;
      this.rows.inc({ outcome: 'skipped' }, over);
    }
    for (const record of this.pending.values()) text += `data: ${bodies.body(record)}\n\n`;
    this.sent += this.pending.size;
    this.rows.inc({ outcome: 'sent' }, this.pending.size);
    this.pending.clear();
    const stats = `{"sent":${this.sent},"folded":${this.folded},"skipped":${this.skipped}}`;
    if (stats !== this.reported) {
      this.reported = stats;
      text += `event: stats\ndata: ${stats}\n\n`;
    }
    if (text === '' && now - this.lastWrite >= KEEPALIVE_MS) text = ': keepalive\n\n';
    if (text !== '') {
      this.response.write(text);
      this.lastWrite = now;
    }
  }
}

export class FlowStreams {
  private readonly recent: Ring<{ readonly at: number; readonly record: FlowRecord }> | undefined;
  private readonly streams = new Set<Stream>();
  private readonly bodies = new FlowBodies();
  private timer: NodeJS.Timeout | undefined;
  private readonly open: GaugeFamily;
  private readonly dropped: CounterFamily;
  private readonly rows: CounterFamily;

  constructor(
    private config: UiConfig,
    metrics: Metrics,
    private readonly now: () => number = Date.now,
  ) {
    this.recent = config.replayMaxFlows > 0 ? new Ring(config.replayMaxFlows) : undefined;
    this.open = metrics.gauge(UI_STREAMS);
    this.dropped = metrics.counter(UI_STREAMS_DROPPED);
    this.rows = metrics.counter(UI_STREAM_ROWS);
    this.open.set(undefined, 0);
    for (const reason of ['slow', 'limit']) this.dropped.inc({ reason }, 0);
  }

  /** Settings that apply in place (the replay ring's size does not: a new sink is made). */
  reconfigure(config: UiConfig): boolean {
    if (config.replayMaxFlows !== this.config.replayMaxFlows) return false;
    this.config = config;
    return true;
  }

  get size(): number {
    return this.streams.size;
  }

  consume(records: readonly FlowRecord[]): void {
    const at = this.now();
    if (this.recent !== undefined) for (const record of records) this.recent.push({ at, record });
    if (this.streams.size === 0) return;
    for (const stream of this.streams) {
      const filter = stream.filter;
      for (const record of records) if (filter.matches(record)) stream.add(record);
    }
  }

  /** Serves one stream until the client goes (or is dropped); resolves with the status code sent. */
  serve(request: IncomingMessage, response: ServerResponse, filter: FlowFilter): number {
    if (this.streams.size >= this.config.maxStreams) {
      this.dropped.inc({ reason: 'limit' });
      return send(response, 503, 'text/plain; charset=utf-8', `at most ${this.config.maxStreams} flow streams at once (ui.maxStreams)\n`, { 'retry-after': '10' });
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    const perFlush = Math.max(1, Math.floor((this.config.maxRowsPerSecond * FLUSH_MS) / 1_000));
    const stream = new Stream(filter, response, perFlush * 4, this.rows);
    response.write(`retry: 2000\n: flowlens flow stream ${JSON.stringify(filter.params)}\n\n`);
    this.replay(stream);
    this.streams.add(stream);
    this.open.set(undefined, this.streams.size);
    const gone = (): void => {
      if (this.streams.delete(stream)) this.open.set(undefined, this.streams.size);
    };
    request.once('close', gone);
    response.once('close', gone);
    this.schedule();
    return 200;
  }

  /** The recent matching flows, within `replay` and at most REPLAY_ROWS rows, oldest first. */
  private replay(stream: Stream): void {
    if (this.recent === undefined) return;
    const since = this.now() - this.config.replay;
    const matched: FlowRecord[] = [];
    this.recent.forEach(({ at, record }) => {
      if (at >= since && stream.filter.matches(record)) matched.push(record);
    });
    const rows = new Map<string, FlowRecord>();
    for (const record of matched.slice(-REPLAY_ROWS * 4)) {
      const id = `${record.key}|${record.startTime}`;
      const row = rows.get(id);
      rows.set(id, row === undefined ? record : folded(row, record));
    }
    let text = '';
    for (const record of [...rows.values()].slice(-REPLAY_ROWS)) text += `data: ${this.bodies.body(record)}\n\n`;
    if (text !== '') stream.response.write(text);
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  private flush(): void {
    const now = this.now();
    const perFlush = Math.max(1, Math.floor((this.config.maxRowsPerSecond * FLUSH_MS) / 1_000));
    for (const stream of this.streams) {
      if (Math.max(stream.response.writableLength, stream.response.socket?.writableLength ?? 0) > this.config.maxBufferBytes) {
        this.dropped.inc({ reason: 'slow' });
        this.streams.delete(stream);
        stream.response.destroy();
        continue;
      }
      stream.flush(perFlush, this.bodies, now);
    }
    this.open.set(undefined, this.streams.size);
    if (this.streams.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Ends every stream (the agent stops, or the web view is turned off). */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const stream of this.streams) stream.response.end();
    this.streams.clear();
    this.open.set(undefined, 0);
  }
}
