import type { Component, ComponentStatus, FlowSinkComponent } from '../components/component.js';
import type { FlowRecord } from '../flow/flow-record.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/pipeline.js';
import type { RouteRegistry } from '../server/routes.js';
import { serveApi } from './api.js';
import type { UiConfig } from './config.js';
import { FlowStreams } from './flow-streams.js';
import { FlowWindow } from './flow-window.js';
import { MetricHistory } from './metric-history.js';
import { StaticFiles } from './static-files.js';
import { SAMPLED_FAMILIES } from './views.js';

// The web view: a flow sink (it sees every flow after enrichment) that keeps
// what the page shows (recent flows for new streams, the service map's and
// policies' 10-second buckets), samples the probe and accounting families,
// and serves /ui/ and /api/v1/ on the agent's HTTP server.

export interface UiOptions {
  readonly config: UiConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly http: RouteRegistry;
  /** Which components run, for the page. */
  readonly running: () => { readonly flows: boolean; readonly probes: boolean; readonly accounting: boolean };
  /** Tests: where the built page is. */
  readonly root?: string;
  readonly now?: () => number;
}

export class WebView implements Component, FlowSinkComponent {
  readonly name = 'ui';
  private readonly streams: FlowStreams;
  private readonly window: FlowWindow;
  private readonly history: MetricHistory;
  private readonly files: StaticFiles;
  private readonly removals: Array<() => void> = [];

  constructor(private readonly options: UiOptions) {
    const now = options.now ?? Date.now;
    this.streams = new FlowStreams(options.config, options.metrics, now);
    this.window = new FlowWindow(now);
    this.history = new MetricHistory(options.metrics, SAMPLED_FAMILIES, now);
    this.files = new StaticFiles(options.root);
  }

  async start(): Promise<void> {
    const parts = { streams: this.streams, window: this.window, history: this.history, running: this.options.running };
    this.removals.push(this.options.http.addRoute({ path: '/api/v1/', name: 'api', handle: (request, response) => serveApi(parts, request, response) }));
    this.removals.push(this.options.http.addRoute({ path: '/api/v1', name: 'api', handle: (request, response) => serveApi(parts, request, response) }));
    this.removals.push(this.options.http.addRoute({ path: '/ui/', name: 'ui', index: 'web view', handle: (request, response) => this.files.serve(request, response) }));
    this.removals.push(this.options.http.addRoute({ path: '/ui', name: 'ui', handle: (request, response) => this.files.serve(request, response) }));
    this.history.start();
    if (!this.files.built) this.options.logger.warn({ root: this.files.root }, 'the web view was not built (npm run build): /ui/ answers 503; the API works');
  }

  status(): ComponentStatus {
    return { ready: true, up: true };
  }

  consume(records: readonly FlowRecord[]): void {
    this.streams.consume(records);
    this.window.add(records);
  }

  /** In place, unless the page's directory or the replay ring's size changes (then the agent makes a new one). */
  reconfigure(section: unknown): boolean {
    const config = section as UiConfig;
    return config.enabled && config.root === this.options.config.root && this.streams.reconfigure(config);
  }

  async stop(): Promise<void> {
    for (const remove of this.removals.splice(0)) remove();
    this.history.stop();
    this.streams.close();
  }
}
