import http from 'node:http';
import https from 'node:https';
import { gzip } from 'node:zlib';
import type { ExportResponse, IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { VERSION } from '../../version.js';

// The OTLP/HTTP transport under the SDK's export delegate: one POST per
// export, no retries of its own (the sink retries, with its backoff and the
// receiver's Retry-After, for as long as it takes). A failed request's HTTP
// status and Retry-After travel in its own error (ExportHttpError), which the
// delegate hands to that export's callback: two batches in flight never see
// each other's answers.

/** Larger answers are cut off (a receiver answers an export with a few bytes). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** A Retry-After beyond this is not believed. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface HttpTransportOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string;
  readonly gzip: boolean;
  readonly agent: http.Agent;
  /** Told the status of every answer (metrics). */
  readonly onResponse?: (status: number) => void;
}

/** Why one export request failed: the HTTP status and Retry-After of its answer, or a network error. */
export class ExportHttpError extends Error {
  override readonly name = 'ExportHttpError';

  constructor(
    message: string,
    /** The answer's status; undefined when there was no answer. */
    readonly status?: number,
    /** Retry-After of a 429 or 503, in ms. */
    readonly retryAfterMs?: number,
    /** No answer came in time. */
    readonly timedOut = false,
    /** The whole request had been sent when it failed without an answer: the receiver may have taken it. */
    readonly maybeReceived = false,
  ) {
    super(message);
  }
}

export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = Number(value.trim());
  const ms = value.trim() !== '' && Number.isFinite(seconds) ? seconds * 1_000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

export function createHttpTransport(options: HttpTransportOptions): IExporterTransport {
  const url = new URL(options.url);
  const request = url.protocol === 'https:' ? https.request : http.request;
  const failed = (error: ExportHttpError): ExportResponse => ({ status: 'failure', error });
  return {
    async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
      const body = options.gzip ? await new Promise<Buffer>((resolve, reject) => gzip(data, (error, zipped) => (error ? reject(error) : resolve(zipped)))) : data;
      return new Promise<ExportResponse>((settle) => {
        // The whole request, answer included, gets timeoutMillis.
        let sent = false;
        const timer = setTimeout(() => {
          resolve(failed(new ExportHttpError(`no answer within ${timeoutMillis} ms`, undefined, undefined, true, sent)));
          req.destroy();
        }, timeoutMillis);
        const resolve = (response: ExportResponse): void => {
          clearTimeout(timer);
          settle(response);
        };
        const headers: Record<string, string> = {
          ...options.headers,
          'Content-Type': options.contentType,
          'Content-Length': String(body.length),
          'User-Agent': `flowlens/${VERSION}`,
          ...(options.gzip ? { 'Content-Encoding': 'gzip' } : {}),
        };
        const req = request(url, { method: 'POST', headers, agent: options.agent }, (response) => {
          const status = response.statusCode ?? 0;
          options.onResponse?.(status);
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              resolve(failed(new ExportHttpError(`HTTP ${status}: answer larger than ${MAX_RESPONSE_BYTES} bytes`, status)));
              response.destroy();
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', (error) => resolve(status >= 200 && status < 300 ? { status: 'success' } : failed(new ExportHttpError(`HTTP ${status}: ${error.message}`, status))));
          response.on('end', () => {
            if (status >= 200 && status < 300) {
              resolve({ status: 'success', data: Buffer.concat(chunks) });
              return;
            }
            const retryAfter = status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after']) : undefined;
            resolve(failed(new ExportHttpError(`HTTP ${status}`, status, retryAfter)));
          });
        });
        req.on('error', (error) => resolve(failed(new ExportHttpError(error.message, undefined, undefined, false, sent))));
        req.on('finish', () => (sent = true));
        req.end(body);
      });
    },
    shutdown(): void {},
  };
}
