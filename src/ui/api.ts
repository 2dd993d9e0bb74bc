import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from '../server/http-server.js';
import { FilterError, parseFilter } from './flow-filter.js';
import type { FlowStreams } from './flow-streams.js';
import type { FlowWindow } from './flow-window.js';
import { probeRows, accountingRows } from './views.js';
import type { MetricHistory } from './metric-history.js';

// The web view's API, usable without the page (docs/ui.md):
//   GET /api/v1/flows        Server-Sent Events, one flow per event, filtered
//   GET /api/v1/graph        the service map over ?window= (1m, 5m, 15m, ...)
//   GET /api/v1/policies     policies' verdicts and no-policy drops over ?window=
//   GET /api/v1/probes       DNS and peer probes over ?window=

const DEFAULT_WINDOW_MS = 5 * 60_000;
const MAX_WINDOW_MS = 15 * 60_000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `?window=`: 10s to 15m in seconds or minutes (`30s`, `5m`); default 5m. */
export function parseWindow(query: URLSearchParams): number {
  const text = query.get('window');
  if (text === null || text === '') return DEFAULT_WINDOW_MS;
  const match = /^(\d+)(s|m)$/.exec(text);
  const ms = match === null ? Number.NaN : Number(match[1]) * (match[2] === 's' ? 1_000 : 60_000);
  if (!(ms >= 10_000 && ms <= MAX_WINDOW_MS)) throw new ApiError(400, `window: "${text}" is not a duration from 10s to 15m (e.g. 1m, 5m, 15m)`);
  return ms;
}

function only(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of query.keys()) if (!allowed.includes(name)) throw new ApiError(400, `unknown parameter "${name}" (this endpoint takes: ${allowed.join(', ') || 'none'})`);
}

export interface ApiParts {
  readonly streams: FlowStreams;
  readonly window: FlowWindow;
  readonly history: MetricHistory;
  /** Which optional components run (the page hides views with nothing behind them). */
  readonly running: () => { readonly flows: boolean; readonly probes: boolean; readonly accounting: boolean };
}

const json = (response: ServerResponse, status: number, body: unknown): number => send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);

export function serveApi(parts: ApiParts, request: IncomingMessage, response: ServerResponse): number {
  const url = new URL(request.url ?? '/', 'http://flowlens.invalid');
  const query = url.searchParams;
  try {
    switch (url.pathname) {
      case '/api/v1/':
      case '/api/v1':
        only(query, []);
        return json(response, 200, {
          endpoints: ['/api/v1/flows', '/api/v1/graph', '/api/v1/policies', '/api/v1/probes', '/api/v1/status'],
          docs: 'docs/ui.md',
        });
      case '/api/v1/status':
        only(query, []);
        return json(response, 200, { running: parts.running(), streams: parts.streams.size });
      case '/api/v1/flows': {
        let filter;
        try {
          filter = parseFilter(query);
        } catch (error) {
          if (error instanceof FilterError) throw new ApiError(400, error.message);
          throw error;
        }
        return parts.streams.serve(request, response, filter);
      }
      case '/api/v1/graph': {
        only(query, ['window']);
        const windowMs = parseWindow(query);
        return json(response, 200, { window: windowMs / 1_000, ...parts.window.graph(windowMs) });
      }
      case '/api/v1/policies': {
        only(query, ['window']);
        const windowMs = parseWindow(query);
        return json(response, 200, { window: windowMs / 1_000, flows: parts.window.policies(windowMs), accounting: parts.running().accounting ? accountingRows(parts.history, windowMs) : null });
      }
      case '/api/v1/probes': {
        only(query, ['window']);
        const windowMs = parseWindow(query);
        return json(response, 200, { window: windowMs / 1_000, running: parts.running().probes, targets: probeRows(parts.history, windowMs) });
      }
      default:
        return json(response, 404, { error: `no such endpoint: ${url.pathname}` });
    }
  } catch (error) {
    if (error instanceof ApiError) return json(response, error.status, { error: error.message });
    throw error;
  }
}
