import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Agent, NextConfig, ReloadResult } from './agent.js';
import type { CoreConfig } from './config/core.js';
import { redactUrls } from './config/redact.js';
import type { Logger } from './log/logger.js';
import { FileChangeDetector } from './server/credentials.js';
import { send } from './server/http-server.js';

// Configuration reload without restart: SIGHUP, a watch of the config file
// (server.reload.watch) and POST /-/reload (server.reload.http) all re-read
// the configuration as at start (file, environment, flags), and hand it to
// the agent, which validates it whole and applies what changed. A refused
// configuration leaves the running one as it is and logs one line.

export type ReloadTrigger = 'SIGHUP' | 'http' | 'watch';

export type ReloadOutcome = { readonly ok: true; readonly result: ReloadResult } | { readonly ok: false; readonly error: string };

export class Reloader {
  private watchTimer: NodeJS.Timeout | undefined;
  private removeRoute: (() => void) | undefined;
  private readonly onSignal = (): void => void this.trigger('SIGHUP');

  constructor(
    private readonly agent: Agent,
    /** Re-reads the configuration as at start; throws ConfigError. */
    private readonly load: () => NextConfig,
    private readonly logger: Logger,
    private readonly configFile: string | undefined,
  ) {}

  /** Installs the SIGHUP handler and what `server.reload` asks for. */
  start(settings: CoreConfig['server']['reload']): void {
    process.on('SIGHUP', this.onSignal);
    this.apply(settings);
  }

  stop(): void {
    process.off('SIGHUP', this.onSignal);
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
    this.removeRoute?.();
    this.removeRoute = undefined;
  }

  /** Reads and applies the configuration; never throws (the outcome says). */
  async trigger(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    try {
      const next = this.load();
      const result = await this.agent.reload(next);
      this.apply(next.config.server.reload);
      return { ok: true, result };
    } catch (error) {
      this.agent.reloadFailed();
      const message = redactUrls((error as Error).message).replace(/\s*\n\s*/g, ' ');
      this.logger.error({ trigger }, `configuration reload refused, the running configuration stays: ${message}`);
      return { ok: false, error: message };
    }
  }

  private apply(settings: CoreConfig['server']['reload']): void {
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
    if (settings.watch && this.configFile !== undefined) {
      const detector = new FileChangeDetector([this.configFile]);
      this.watchTimer = setInterval(() => {
        if (detector.changed()) void this.trigger('watch');
      }, settings.watchInterval);
      this.watchTimer.unref();
    } else if (settings.watch) {
      this.logger.warn('server.reload.watch: no configuration file to watch (--config / FLOWLENS_CONFIG)');
    }
    if (settings.http && this.removeRoute === undefined) {
      this.removeRoute = this.agent.server.addRoute({ path: '/-/reload', name: 'reload', methods: ['POST', 'PUT'], handle: (request, response) => this.serve(request, response) });
    } else if (!settings.http && this.removeRoute !== undefined) {
      this.removeRoute();
      this.removeRoute = undefined;
    }
  }

  private async serve(_request: IncomingMessage, response: ServerResponse): Promise<number> {
    const outcome = await this.trigger('http');
    return outcome.ok
      ? send(response, 200, 'application/json', `${JSON.stringify({ status: 'reloaded', ...outcome.result })}\n`)
      : send(response, 400, 'application/json', `${JSON.stringify({ status: 'refused', error: outcome.error })}\n`);
  }
}
