import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Component, ComponentStatus } from '../../components/component.js';
import type { FlowConsumer, FlowRecord } from '../../flow/flow-record.js';
import type { Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/pipeline.js';
import type { CounterFamily } from '../../metrics/series-budget.js';
import type { CounterSpec, FamilySpec } from '../../metrics/spec.js';
import { FlowBodies } from '../flow-log/body.js';
import type { JsonlConfig } from './config.js';

// Flow logs as JSON lines (the same body as the OTLP records) on standard
// output or appended to a file, for pipelines that ship container logs.
// flowlens' own logs go to standard error, so standard output carries flow
// logs only. Writes never block the flow pipeline: while the reader is slow,
// lines wait in the stream's buffer up to maxBufferBytes, then are dropped and
// counted.

export interface JsonlSinkOptions {
  readonly config: JsonlConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Where `-` writes; process.stdout unless a test says otherwise. */
  readonly stdout?: Writable;
}

export const JSONL_RECORDS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_jsonl_records_total',
  help: 'Flow log lines written.',
  expires: false,
};

export const JSONL_DROPPED: CounterSpec = {
  type: 'counter',
  name: 'flowlens_jsonl_dropped_total',
  help: 'Flow log lines dropped, by reason (backpressure: the reader is too slow; error: the output failed).',
  labels: { reason: 'fixed (2: backpressure, error)' },
  doc: 'Lines dropped: `backpressure` (the reader of stdout or the disk is slower than the flows; more than `jsonl.maxBufferBytes` waiting), `error` (the output failed).',
  expires: false,
};

export const JSONL_FAMILIES: readonly FamilySpec[] = [JSONL_RECORDS, JSONL_DROPPED];

export class JsonlSink implements Component, FlowConsumer {
  readonly name = 'jsonl';
  private readonly bodies = new FlowBodies();
  private output: Writable | undefined;
  private failure: string | undefined;
  private readonly written: CounterFamily;
  private readonly dropped: CounterFamily;

  constructor(private options: JsonlSinkOptions) {
    this.written = options.metrics.counter(JSONL_RECORDS);
    this.dropped = options.metrics.counter(JSONL_DROPPED);
    this.written.inc(undefined, 0);
  }

  async start(): Promise<void> {
    const { path } = this.options.config;
    if (path === '-') {
      this.output = this.options.stdout ?? process.stdout;
    } else {
      const file: WriteStream = createWriteStream(path, { flags: 'a' });
      await new Promise<void>((resolve, reject) => {
        file.once('open', () => resolve());
        file.once('error', (error) => reject(new Error(`jsonl.path: ${path}: ${error.message}`)));
      });
      this.output = file;
    }
    this.output.on('error', (error: Error) => {
      this.failure = error.message;
      this.options.logger.error({ err: error }, 'writing flow logs failed');
    });
  }

  /** A new section: in place unless the output changes (then the agent swaps in a new sink, which appends). */
  reconfigure(section: unknown): boolean {
    const config = section as JsonlConfig;
    if (config.path !== this.options.config.path) return false;
    this.options = { ...this.options, config };
    return true;
  }

  status(): ComponentStatus {
    return { ready: true, up: this.failure === undefined, ...(this.failure === undefined ? {} : { reason: this.failure }) };
  }

  consume(records: readonly FlowRecord[]): void {
    const output = this.output;
    if (output === undefined || this.failure !== undefined || output.writableEnded) {
      this.dropped.inc({ reason: 'error' }, records.length);
      return;
    }
    if (output.writableLength >= this.options.config.maxBufferBytes) {
      this.dropped.inc({ reason: 'backpressure' }, records.length);
      return;
    }
    let text = '';
    for (const record of records) text += `${this.bodies.body(record)}\n`;
    output.write(text);
    this.written.inc(undefined, records.length);
  }

  async stop(deadline: AbortSignal): Promise<void> {
    const output = this.output;
    if (output === undefined || this.failure !== undefined) return;
    await new Promise<void>((resolve) => {
      const done = (): void => resolve();
      deadline.addEventListener('abort', done, { once: true });
      if (output === process.stdout || output === this.options.stdout) {
        // Never end standard output; wait until what was written is handed over.
        if (output.writableLength === 0) resolve();
        else output.once('drain', done);
      } else {
        output.end(done);
      }
    });
  }
}
