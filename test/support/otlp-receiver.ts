import { createRequire } from 'node:module';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

// An OTLP/HTTP logs receiver for tests. It decodes requests with the official
// OpenTelemetry protocol schema (the opentelemetry-proto .proto files, as
// shipped in @opentelemetry/otlp-grpc-exporter-base@0.38, loaded by protobufjs
// at run time), not with the serializer flowlens sends with, and accepts both
// http/protobuf and http/json. Scenarios: answer with an error status for a
// while (with Retry-After), go down and come back on the same port, hold
// requests and answer them by hand (headers and body apart, in any order).

const require = createRequire(import.meta.url);
const PROTOS = join(dirname(require.resolve('@opentelemetry/otlp-grpc-exporter-base/package.json')), 'build', 'protos');

let requestType: protobuf.Type | undefined;
function exportRequestType(): protobuf.Type {
  if (requestType === undefined) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(PROTOS, target);
    root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto', { keepCase: false });
    requestType = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
  }
  return requestType;
}

export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue } | null;

export interface ReceivedLog {
  readonly resource: Record<string, AttributeValue>;
  readonly scope: { readonly name: string; readonly version: string };
  /** Nanoseconds since the epoch, as text (they exceed 2^53). */
  readonly timeUnixNano: string;
  readonly observedTimeUnixNano: string;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: AttributeValue;
  readonly attributes: Record<string, AttributeValue>;
}

export interface ReceivedRequest {
  readonly path: string;
  readonly contentType: string;
  readonly contentEncoding: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
  readonly logs: ReceivedLog[];
}

/** A request held unanswered (hold()); the test answers it, headers first if it likes. */
export interface HeldRequest {
  readonly logs: ReceivedLog[];
  /** Sends the status line and headers now (the body follows with end()). */
  head(status: number, headers?: Record<string, string>): void;
  /** Ends the answer; a 2xx one counts the request as accepted. */
  end(): void;
}

interface Failure {
  remaining: number;
  readonly status: number;
  readonly headers: Record<string, string>;
}

type Plain = Record<string, unknown>;

function anyValue(value: Plain | undefined): AttributeValue {
  if (value === undefined || value === null) return null;
  if ('stringValue' in value) return value.stringValue as string;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('boolValue' in value) return Boolean(value.boolValue);
  if ('arrayValue' in value) return (((value.arrayValue as Plain).values as Plain[] | undefined) ?? []).map(anyValue);
  if ('kvlistValue' in value) return keyValues((value.kvlistValue as Plain).values as Plain[] | undefined);
  return null;
}

function keyValues(list: Plain[] | undefined): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {};
  for (const entry of list ?? []) result[entry.key as string] = anyValue(entry.value as Plain | undefined);
  return result;
}

/** Decodes one request body (protobuf or OTLP/JSON) into log records; throws on anything the schema rejects. */
export function decodeExportRequest(body: Buffer, contentType: string): ReceivedLog[] {
  const type = exportRequestType();
  let message: protobuf.Message;
  if (contentType.startsWith('application/x-protobuf')) {
    message = type.decode(body);
  } else if (contentType.startsWith('application/json')) {
    // OTLP/JSON is protojson: int64 as decimal strings, which fromObject takes
    // (verify() would not); a value of the wrong shape throws here.
    message = type.fromObject(JSON.parse(body.toString('utf8')) as Plain);
  } else {
    throw new Error(`unexpected content type ${contentType}`);
  }
  const plain = type.toObject(message, { longs: String, enums: Number, defaults: false, arrays: true, oneofs: false }) as Plain;
  const logs: ReceivedLog[] = [];
  for (const resourceLogs of (plain.resourceLogs as Plain[] | undefined) ?? []) {
    const resource = keyValues(((resourceLogs.resource as Plain | undefined)?.attributes as Plain[] | undefined) ?? []);
    for (const scopeLogs of (resourceLogs.scopeLogs as Plain[] | undefined) ?? []) {
      const scope = (scopeLogs.scope as Plain | undefined) ?? {};
      for (const record of (scopeLogs.logRecords as Plain[] | undefined) ?? []) {
        logs.push({
          resource,
          scope: { name: (scope.name as string) ?? '', version: (scope.version as string) ?? '' },
          timeUnixNano: String(record.timeUnixNano ?? '0'),
          observedTimeUnixNano: String(record.observedTimeUnixNano ?? '0'),
          severityNumber: Number(record.severityNumber ?? 0),
          severityText: (record.severityText as string) ?? '',
          body: anyValue(record.body as Plain | undefined),
          attributes: keyValues(record.attributes as Plain[] | undefined),
        });
      }
    }
  }
  return logs;
}

export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** When each request answered with an error arrived (ms; not in `requests`). */
  readonly refusedAt: number[] = [];
  private server: http.Server | undefined;
  private failure: Failure | undefined;
  private holding = 0;
  /** Requests held so far (hold()), in arrival order. */
  readonly held: HeldRequest[] = [];
  private port = 0;
  private readonly sockets = new Set<import('node:net').Socket>();

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every record accepted so far, in arrival order. */
  get logs(): ReceivedLog[] {
    return this.requests.flatMap((request) => request.logs);
  }

  async start(): Promise<void> {
    const server = http.createServer((request, response) => this.handle(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Goes down: closes the listener and every open connection (the port stays reserved for start()). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Answers the next `count` requests with `status` (and headers such as Retry-After). */
  fail(count: number, status: number, headers: Record<string, string> = {}): void {
    this.failure = { remaining: count, status, headers };
  }

  /** Holds the next `count` requests unanswered; they appear in `held`. */
  hold(count: number): void {
    this.holding = count;
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (this.holding > 0) {
        this.holding--;
        this.holdRequest(request, response, Buffer.concat(chunks));
        return;
      }
      const failure = this.failure;
      if (failure !== undefined && failure.remaining > 0) {
        failure.remaining--;
        this.refusedAt.push(Date.now());
        response.writeHead(failure.status, { 'content-type': 'text/plain', ...failure.headers });
        response.end('try later');
        return;
      }
      const contentType = request.headers['content-type'] ?? '';
      try {
        this.requests.push(this.decode(request, Buffer.concat(chunks)));
      } catch (error) {
        response.writeHead(400, { 'content-type': 'text/plain' });
        response.end((error as Error).message);
        return;
      }
      if (contentType.startsWith('application/json')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      } else {
        response.writeHead(200, { 'content-type': 'application/x-protobuf' });
        response.end();
      }
    });
  }

  private decode(request: http.IncomingMessage, raw: Buffer): ReceivedRequest {
    const contentType = request.headers['content-type'] ?? '';
    const encoding = request.headers['content-encoding'];
    const body = encoding === 'gzip' ? gunzipSync(raw) : raw;
    return { path: request.url ?? '', contentType, contentEncoding: encoding, headers: request.headers, logs: decodeExportRequest(body, contentType) };
  }

  private holdRequest(request: http.IncomingMessage, response: http.ServerResponse, raw: Buffer): void {
    const decoded = this.decode(request, raw);
    let status = 0;
    this.held.push({
      logs: decoded.logs,
      head: (code, headers = {}) => {
        status = code;
        response.writeHead(code, { 'content-type': 'text/plain', ...headers });
        response.flushHeaders();
      },
      end: () => {
        if (status >= 200 && status < 300) this.requests.push(decoded);
        else this.refusedAt.push(Date.now());
        response.end();
      },
    });
  }
}
