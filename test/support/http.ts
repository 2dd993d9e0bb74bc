import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';

export interface Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** PEM file paths for HTTPS: the CA that must have signed the server, and an optional client pair. */
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly timeoutMs?: number;
}

/** A real HTTP(S) client request with certificate verification on; bounded in time. */
export function get(url: string, options: RequestOptions = {}): Promise<Response> {
  const target = new URL(url);
  const tls = target.protocol === 'https:';
  const send = tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
        ...(tls
          ? {
              ca: options.caFile ? readFileSync(options.caFile) : undefined,
              cert: options.certFile ? readFileSync(options.certFile) : undefined,
              key: options.keyFile ? readFileSync(options.keyFile) : undefined,
              rejectUnauthorized: true,
            }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
