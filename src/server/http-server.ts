import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { constants as zlibConstants, gzip } from 'node:zlib';
import { formatAddress, parseListenAddress } from '../config/address.js';
import { ConfigError } from '../config/errors.js';
import type { Logger } from '../log/logger.js';
import { CONTENT_TYPE, negotiateFormat, type ExpositionFormat } from '../metrics/exposition.js';
import type { MetricsPipeline } from '../metrics/pipeline.js';
import type { CounterFamily, HistogramFamily } from '../metrics/series-budget.js';
import {
  BasicAuth,
  FileChangeDetector,
  loadTlsOptions,
  type BasicAuthSettings,
  type TlsFiles,
} from './credentials.js';
import type { CounterSpec, FamilySpec, HistogramSpec } from '../metrics/spec.js';
import type { Route, RouteRegistry } from './routes.js';
import { SharedRenders } from './shared-render.js';

// The one HTTP server (docs/contracts.md section 3): /metrics, /health (/healthz),
// /ready. Probe endpoints stay open so the kubelet can reach them; /metrics
// (and anything added later) sits behind basic auth and client-certificate
// checks when those are configured.

const gzipAsync = promisify(gzip);

export const HTTP_REQUESTS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_http_requests_total',
  help: 'HTTP requests served, by handler and status code.',
  labels: { handler: 'per route (a few: metrics, health, ready, index, not_found, and routes components add)', code: 'status codes seen (few)' },
  doc: 'HTTP requests served. `handler` is `metrics`, `health`, `ready`, `index`, `reload`, `not_found` or a route a component registered.',
};

export const HTTP_DURATION: HistogramSpec = {
  type: 'histogram',
  name: 'flowlens_http_request_duration_seconds',
  help: 'Time to answer HTTP requests, by handler (metrics = render and compress).',
  labels: { handler: 'per route (a few) × 10 buckets' },
  buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 10],
  doc: 'Time to answer; for `metrics` this is render plus compression, i.e. the scrape cost.',
};

export const HTTP_FAMILIES: readonly FamilySpec[] = [HTTP_REQUESTS, HTTP_DURATION];

export interface ReadinessReport {
  readonly ready: boolean;
  readonly body: unknown;
}

export interface HttpServerOptions {
  readonly listen: string;
  /** The setting named in errors about `listen` (default server.listen). */
  readonly listenSetting?: string;
  readonly tls?: TlsFiles | undefined;
  readonly basicAuth?: BasicAuthSettings | undefined;
  readonly metrics: MetricsPipeline;
  readonly readiness: () => ReadinessReport;
  readonly logger: Logger;
  /** How often credential files are checked for changes (default 30 s; 0 disables). */
  readonly reloadIntervalMs?: number;
}

type Handler = 'metrics' | 'health' | 'ready' | 'index' | 'not_found';

const ROUTES: Readonly<Record<string, Handler>> = {
  '/metrics': 'metrics',
  '/health': 'health',
  '/healthz': 'health',
  '/ready': 'ready',
  '/': 'index',
};

const OPEN_HANDLERS: ReadonlySet<Handler> = new Set(['health', 'ready']);

export class HttpServer implements RouteRegistry {
  private readonly routes = new Map<string, Route>();
  private readonly server: Server | HttpsServer;
  private readonly auth: BasicAuth | undefined;
  private readonly requireClientCert: boolean;
  private readonly requests: CounterFamily;
  private readonly durations: HistogramFamily;
  private readonly bodies: SharedRenders;
  private reloadTimer: NodeJS.Timeout | undefined;
  private boundAddress = '';

  constructor(private readonly options: HttpServerOptions) {
    this.auth = options.basicAuth ? new BasicAuth(options.basicAuth) : undefined;
    this.requireClientCert = options.tls?.clientCAFile !== undefined;
    this.bodies = new SharedRenders((kind) => this.renderBody(kind));
    const handler = (request: IncomingMessage, response: ServerResponse): void => {
      this.handle(request, response).catch((error: unknown) => {
        options.logger.error({ err: error }, 'request handling failed');
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('internal error\n');
      });
    };
    this.server = options.tls
      ? createHttpsServer(
          {
            ...loadTlsOptions(options.tls),
            // The handshake accepts clients without a certificate so kubelet probes
            // work; protected paths then require an authorized one.
            requestCert: this.requireClientCert,
            rejectUnauthorized: false,
          },
          handler,
        )
      : createHttpServer(handler);
    this.requests = options.metrics.counter(HTTP_REQUESTS);
    this.durations = options.metrics.histogram(HTTP_DURATION);
  }

  /** "host:port" actually bound (useful with port 0). */
  get address(): string {
    return this.boundAddress;
  }

  get url(): string {
    const { host, port } = parseListenAddress(this.boundAddress);
    const shown = host === '' || host === '::' || host === '0.0.0.0' ? '127.0.0.1' : host;
    return `${this.options.tls ? 'https' : 'http'}://${formatAddress({ host: shown, port })}`;
  }

  async start(): Promise<void> {
    const { host, port } = parseListenAddress(this.options.listen);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
        reject(new ConfigError(`${this.options.listenSetting ?? 'server.listen'}: cannot listen on "${this.options.listen}": ${reason}`));
      };
      this.server.once('error', onError);
      this.server.listen({ port, ...(host === '' ? {} : { host }) }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const bound = this.server.address() as AddressInfo;
    this.boundAddress = formatAddress({ host: bound.address, port: bound.port });
    this.server.on('error', (error) => this.options.logger.error({ err: error }, 'HTTP server error'));
    this.watchCredentials();
  }

  private watchCredentials(): void {
    const interval = this.options.reloadIntervalMs ?? 30_000;
    const { tls } = this.options;
    const paths = [tls?.certFile, tls?.keyFile, tls?.clientCAFile, this.options.basicAuth?.passwordFile].filter(
      (path): path is string => path !== undefined,
    );
    if (interval <= 0 || paths.length === 0) return;
    const detector = new FileChangeDetector(paths);
    this.reloadTimer = setInterval(() => {
      if (detector.changed()) this.reloadCredentials();
    }, interval);
    this.reloadTimer.unref();
  }

  /** Re-reads TLS and password files; on error keeps the previous ones and logs. */
  reloadCredentials(): void {
    try {
      if (this.options.tls) (this.server as HttpsServer).setSecureContext(loadTlsOptions(this.options.tls));
      this.auth?.reload();
      this.options.logger.info('reloaded HTTP server credentials');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'credential files changed but could not be loaded; keeping the previous ones');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.reloadTimer);
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const force = setTimeout(() => this.server.closeAllConnections(), 1_000);
    await closed;
    clearTimeout(force);
  }

  addRoute(route: Route): () => void {
    if (route.path in ROUTES || this.routes.has(route.path)) throw new Error(`HTTP route ${route.path} is already served`);
    this.routes.set(route.path, route);
    return () => {
      if (this.routes.get(route.path) === route) this.routes.delete(route.path);
    };
  }

  private findRoute(path: string): Route | undefined {
    const exact = this.routes.get(path);
    if (exact !== undefined) return exact;
    let best: Route | undefined;
    for (const route of this.routes.values()) {
      if (route.path.endsWith('/') && path.startsWith(route.path) && (best === undefined || route.path.length > best.path.length)) best = route;
    }
    return best;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (request.url ?? '/').split('?', 1)[0] as string;
    const builtIn: Handler | undefined = ROUTES[path];
    const added = builtIn === undefined ? this.findRoute(path) : undefined;
    const handler = builtIn ?? added?.name ?? 'not_found';
    const code = added !== undefined ? await this.serveRoute(added, request, response) : await this.route(builtIn ?? 'not_found', request, response);
    this.requests.inc({ handler, code });
    this.durations.observe({ handler }, (performance.now() - started) / 1_000);
  }

  private async serveRoute(route: Route, request: IncomingMessage, response: ServerResponse): Promise<number> {
    const methods = route.methods ?? ['GET', 'HEAD'];
    if (!methods.includes(request.method ?? 'GET')) {
      return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: methods.join(', ') });
    }
    const denied = this.deny(request, response);
    if (denied !== undefined) return denied;
    return route.handle(request, response);
  }

  private async route(handler: Handler, request: IncomingMessage, response: ServerResponse): Promise<number> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
    }
    if (!OPEN_HANDLERS.has(handler)) {
      const denied = this.deny(request, response);
      if (denied !== undefined) return denied;
    }
    switch (handler) {
      case 'health':
        return send(response, 200, 'text/plain; charset=utf-8', 'ok\n');
      case 'ready': {
        const report = this.options.readiness();
        return send(response, report.ready ? 200 : 503, 'application/json', `${JSON.stringify(report.body)}\n`);
      }
      case 'metrics':
        return this.serveMetrics(request, response);
      case 'index':
        return send(
          response,
          200,
          'text/html; charset=utf-8',
          '<!doctype html><title>flowlens</title><h1>flowlens</h1><ul>' +
            [...this.routes.values()]
              .filter((route) => route.index !== undefined)
              .map((route) => `<li><a href="${route.path}">${route.index}</a></li>`)
              .join('') +
            '<li><a href="/metrics">/metrics</a></li><li><a href="/health">/health</a></li>' +
            '<li><a href="/ready">/ready</a></li></ul>\n',
        );
      default:
        return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  }

  /** The status code of a refusal, or undefined when the request may proceed. */
  private deny(request: IncomingMessage, response: ServerResponse): number | undefined {
    if (this.requireClientCert && !(request.socket as TLSSocket).authorized) {
      return send(response, 403, 'text/plain; charset=utf-8', 'a client certificate signed by the configured CA is required\n');
    }
    if (this.auth && !this.auth.check(request.headers.authorization)) {
      return send(response, 401, 'text/plain; charset=utf-8', 'unauthorized\n', {
        'www-authenticate': 'Basic realm="flowlens", charset="UTF-8"',
      });
    }
    return undefined;
  }

  /** Bodies rendered for /metrics so far; concurrent scrapes share one. */
  get metricsRenders(): number {
    return this.bodies.renders;
  }

  private async serveMetrics(request: IncomingMessage, response: ServerResponse): Promise<number> {
    const format = negotiateFormat(request.headers.accept);
    const gzipped = /\bgzip\b/i.test(request.headers['accept-encoding'] ?? '');
    const shared = this.bodies.acquire(`${format}${gzipped ? '+gzip' : ''}`);
    response.once('close', shared.release);
    let body: Buffer;
    try {
      body = await shared.body;
    } catch (error) {
      shared.release();
      throw error;
    }
    if (!gzipped) return send(response, 200, CONTENT_TYPE[format], body);
    return send(response, 200, CONTENT_TYPE[format], body, { 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
  }

  private async renderBody(kind: string): Promise<Buffer> {
    const [format, encoding] = kind.split('+') as [ExpositionFormat, string | undefined];
    const text = await this.options.metrics.render(format);
    return encoding === 'gzip' ? gzipAsync(text, { level: zlibConstants.Z_BEST_SPEED }) : Buffer.from(text);
  }
}

export function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Readonly<Record<string, string>> = {},
): number {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
  return status;
}
