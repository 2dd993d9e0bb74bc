import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import {
  STREAM_METHOD,
  decodeFlowResult,
  decodeStreamRequest,
  encodeFlowResult,
  encodeStreamRequest,
  type goldmane,
} from '../../src/sources/goldmane/codec.js';

// A Goldmane peer for tests: a real grpc-js server exposing
// /goldmane.Flows/Stream over TLS with client-certificate verification (as
// Goldmane requires), or plaintext. Each incoming stream is handed to the test,
// which writes FlowResults (or raw bytes), ends it, fails it with a status, or
// shuts the whole server down abruptly.

export type Outgoing = goldmane.FlowResult.$Properties | Buffer;

export interface TestStream {
  /** start_time_gte the client asked for. */
  readonly startTimeGte: number;
  write(message: Outgoing): void;
  /** Clean end of stream (status OK): what the client sees as EOF. */
  end(): void;
  fail(code: grpc.status, details: string): void;
  readonly cancelled: Promise<void>;
}

export interface ServerTls {
  readonly certFile: string;
  readonly keyFile: string;
  /** CA that client certificates must chain to; Goldmane always requires one. */
  readonly clientCAFile: string;
}

const service: grpc.ServiceDefinition = {
  Stream: {
    path: STREAM_METHOD,
    requestStream: false,
    responseStream: true,
    requestSerialize: (value: goldmane.FlowStreamRequest.$Properties) => encodeStreamRequest(value),
    requestDeserialize: (bytes: Buffer) => decodeStreamRequest(bytes),
    responseSerialize: (value: Outgoing) => (Buffer.isBuffer(value) ? value : encodeFlowResult(value)),
    responseDeserialize: (bytes: Buffer) => decodeFlowResult(bytes),
    originalName: 'stream',
  },
};

export class GoldmaneTestServer {
  /** start_time_gte of every stream opened, in order. */
  readonly requests: number[] = [];
  private readonly pending: TestStream[] = [];
  private waiters: Array<(stream: TestStream) => void> = [];
  private server: grpc.Server | undefined;

  private constructor(
    private readonly tls: ServerTls | undefined,
    public port: number,
  ) {}

  static async start(tls?: ServerTls, port = 0): Promise<GoldmaneTestServer> {
    const peer = new GoldmaneTestServer(tls, port);
    await peer.listen();
    return peer;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  private async listen(): Promise<void> {
    const server = new grpc.Server();
    server.addService(service, {
      Stream: (call: grpc.ServerWritableStream<goldmane.FlowStreamRequest, Outgoing>) => this.accept(call),
    });
    const credentials = this.tls
      ? grpc.ServerCredentials.createSsl(
          readFileSync(this.tls.clientCAFile),
          [{ cert_chain: readFileSync(this.tls.certFile), private_key: readFileSync(this.tls.keyFile) }],
          true,
        )
      : grpc.ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, credentials, (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.server = server;
  }

  private accept(call: grpc.ServerWritableStream<goldmane.FlowStreamRequest, Outgoing>): void {
    const startTimeGte = Number(call.request.startTimeGte ?? 0);
    this.requests.push(startTimeGte);
    const stream: TestStream = {
      startTimeGte,
      write: (message) => {
        call.write(message);
      },
      end: () => call.end(),
      fail: (code, details) => call.emit('error', { code, details }),
      cancelled: new Promise((resolve) => call.on('cancelled', () => resolve())),
    };
    const waiter = this.waiters.shift();
    if (waiter) waiter(stream);
    else this.pending.push(stream);
  }

  /** The next stream a client opens (bounded wait). */
  nextStream(timeoutMs = 10_000): Promise<TestStream> {
    const ready = this.pending.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== deliver);
        reject(new Error(`no stream within ${timeoutMs} ms (requests so far: ${this.requests.join(', ')})`));
      }, timeoutMs);
      const deliver = (stream: TestStream): void => {
        clearTimeout(timer);
        resolve(stream);
      };
      this.waiters.push(deliver);
    });
  }

  /** Drops every connection at once, as a crashing Goldmane would. */
  kill(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  /** Starts again on the same port (a restarted Goldmane). */
  async restart(): Promise<void> {
    this.kill();
    await this.listen();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  }
}

/** Interval 0 starts ten minutes before the tests began: well inside Goldmane's hour. */
const BASE = Math.floor(Date.now() / 1_000) - 600;

/** Bucket bounds are multiples of 15 unix seconds, as in Goldmane. */
export function bucket(index: number, base = BASE): { startTime: number; endTime: number } {
  const startTime = base - (base % 15) + index * 15;
  return { startTime, endTime: startTime + 15 };
}
