import type { Component, ComponentContext, ComponentDefinition, ComponentKind, ComponentStatus } from './components/component.js';
import { FlowKubeStage } from './enrich/flow-stage.js';
import { loadKubeConfig } from './kube/config.js';
import { DEFAULT_KINDS, KubeCache } from './kube/metadata-cache.js';
import type { Config } from './config/schema.js';
import { FlowBus } from './flow/flow-bus.js';
import type { Logger } from './log/logger.js';
import { MetricsPipeline } from './metrics/pipeline.js';
import { preflight, type PreflightResult } from './preflight.js';
import { HttpServer, type ReadinessReport } from './server/http-server.js';
import { FlowMetrics } from './sinks/prometheus/flow-metrics.js';
import { COMPONENT_UP } from './agent-metrics.js';


// The agent wires the enabled components to the metrics pipeline and the HTTP
// server and owns their lifecycle: services, then sinks, then sources start;
// on shutdown the agent goes not-ready first, then stops them in reverse order
// within one deadline, so sinks can flush what sources handed them.

const START_ORDER: readonly ComponentKind[] = ['service', 'sink', 'source'];

/** A component whose status() throws is reported as down, not allowed to break /ready or /metrics. */
function statusOf(component: Component): ComponentStatus {
  try {
    return component.status();
  } catch (error) {
    return { ready: false, up: false, reason: `status failed: ${(error as Error).message}` };
  }
}

export interface AgentOptions {
  readonly config: Config;
  readonly enabled: readonly ComponentDefinition[];
  readonly logger: Logger;
  readonly version: string;
  /** Options for the credential-reload timer and tests; see HttpServerOptions. */
  readonly reloadIntervalMs?: number;
}

interface Running {
  readonly name: string;
  readonly component: Component;
}

export class Agent {
  readonly metrics: MetricsPipeline;
  readonly flows: FlowBus;
  readonly server: HttpServer;
  private readonly running: Running[] = [];
  private shuttingDown = false;
  private started = false;

  constructor(private readonly options: AgentOptions) {
    const { config, logger } = options;
    this.metrics = new MetricsPipeline({
      maxSeriesPerMetric: config.metrics.maxSeriesPerMetric,
      seriesTtlMs: config.metrics.seriesTtl,
      families: config.metrics.families,
      version: options.version,
      onCollectError: (error) => logger.warn({ err: error }, 'a metrics collect hook failed'),
    });
    const componentUp = this.metrics.gauge(COMPONENT_UP);
    this.flows = new FlowBus(this.metrics, (error) => logger.error({ err: error }, 'a flow consumer failed on a batch'));
    if (config.metrics.flows && options.enabled.some((definition) => definition.producesFlows)) {
      this.flows.subscribe(new FlowMetrics(this.metrics));
    }
    this.metrics.onCollect(() => {
      for (const { name, component } of this.running) {
        componentUp.set({ component: name }, statusOf(component).up ? 1 : 0);
      }
    });
    this.server = new HttpServer({
      listen: config.server.listen,
      tls: config.server.tls,
      basicAuth: config.server.basicAuth,
      metrics: this.metrics,
      readiness: () => this.readiness(),
      logger,
      ...(options.reloadIntervalMs !== undefined ? { reloadIntervalMs: options.reloadIntervalMs } : {}),
    });
  }

  async start(): Promise<void> {
    const { logger, config } = this.options;
    // What check-config checks, with the same errors, before anything starts.
    this.checked = await preflight(config, this.options.enabled);
    await this.server.start();
    logger.info({ address: this.server.address, url: this.server.url }, 'HTTP server listening');
    const ordered = START_ORDER.flatMap((kind) => this.options.enabled.filter((definition) => definition.kind === kind));
    const context: ComponentContext = {
      logger,
      metrics: this.metrics,
      flows: this.flows,
      kube: () => this.kube(),
      identity: { nodeName: config.kubernetes.nodeName, podIP: process.env.POD_IP || undefined, serverListen: config.server.listen },
    };
    try {
      await this.startFlowEnrichment();
      for (const definition of ordered) {
        const section = config[definition.name];
        const component = await definition.create(section, { ...context, logger: logger.child({ component: definition.name }) });
        this.running.push({ name: definition.name, component });
        await component.start();
        logger.info({ component: definition.name, kind: definition.kind }, 'component started');
      }
    } catch (error) {
      await this.stop(config.shutdownTimeout);
      throw error;
    }
    this.started = true;
    logger.info({ components: ordered.map((definition) => definition.name) }, 'flowlens running');
  }

  private checked: PreflightResult | undefined;
  private kubeCache: Promise<KubeCache | undefined> | undefined;

  /**
   * The one Kubernetes metadata cache, created and started on first use and
   * then shared (a service: in /ready, stopped after the components using it);
   * undefined when no Kubernetes API is configured.
   */
  kube(): Promise<KubeCache | undefined> {
    this.kubeCache ??= (async () => {
      const { config, logger } = this.options;
      // Read by preflight when a component declared the need; else read now.
      const loaded = this.checked?.kube ?? (await loadKubeConfig(config.kubernetes));
      if (loaded === undefined) return undefined;
      const child = logger.child({ component: 'kubernetes' });
      child.info({ kubeconfig: loaded.source }, 'Kubernetes API');
      // What the configuration needs (preflight); everything for a component that asked without saying.
      const kinds = this.checked?.kinds.length ? this.checked.kinds : DEFAULT_KINDS;
      // Pods of this node only, when nothing needs the others (flow enrichment resolves remote pods).
      const nodeName = config.kubernetes.nodeName;
      const nodeScoped = nodeName !== undefined && !this.checked?.enrichFlows && this.options.enabled.every((definition) => (definition.kubePods ?? 'cluster') !== 'cluster');
      const cache = new KubeCache({
        config: loaded.config,
        logger: child,
        metrics: this.metrics,
        watchOwners: config.kubernetes.watchOwners,
        kinds,
        ...(nodeScoped ? { nodeName } : {}),
      });
      if (nodeScoped) child.info({ node: nodeName }, 'watching the pods of this node only');
      this.running.push({ name: cache.name, component: cache });
      await cache.start();
      return cache;
    })();
    return this.kubeCache;
  }

  /** kubernetes.enrichFlows: the cache as a stage of the flow bus (docs/kubernetes-cache.md). */
  private async startFlowEnrichment(): Promise<void> {
    const { enabled, logger } = this.options;
    if (!this.checked?.enrichFlows) return;
    const sources = enabled.filter((definition) => definition.producesFlows);
    const cache = await this.kube();
    if (cache === undefined) {
      // (enrichFlows: true without an API was refused by preflight)
      logger.info('flow records are not enriched: no Kubernetes API configured');
      return;
    }
    const stage = new FlowKubeStage(cache, this.metrics);
    this.flows.addStage((records) => stage.process(records));
    logger.info({ sources: sources.map((definition) => definition.name) }, 'flow records are enriched from the Kubernetes cache');
  }

  readiness(): ReadinessReport {
    const components: Record<string, ComponentStatus> = {};
    const notReady: string[] = [];
    for (const { name, component } of this.running) {
      const status = statusOf(component);
      components[name] = status;
      if (!status.ready) notReady.push(name);
    }
    const ready = this.started && !this.shuttingDown && notReady.length === 0;
    const status = this.shuttingDown ? 'shutting down' : ready ? 'ready' : this.started ? 'not ready' : 'starting';
    return { ready, body: { status, notReady, components } };
  }

  /**
   * Goes not-ready, then stops components (sources first) within timeoutMs.
   * Resolves true when every component stopped in time.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    const { logger } = this.options;
    this.shuttingDown = true;
    // A referenced timer (AbortSignal.timeout's is not): the deadline must come even when nothing else keeps the process alive.
    const abort = new AbortController();
    const deadlineTimer = setTimeout(() => abort.abort(), Math.max(1, timeoutMs));
    const deadline = abort.signal;
    const expired = new Promise<'expired'>((resolve) => deadline.addEventListener('abort', () => resolve('expired'), { once: true }));
    let clean = true;
    for (const { name, component } of [...this.running].reverse()) {
      const started = performance.now();
      try {
        const outcome = await Promise.race([component.stop(deadline).then(() => 'stopped' as const), expired]);
        if (outcome === 'expired') {
          clean = false;
          logger.warn({ component: name }, 'component did not stop before the shutdown deadline');
        } else {
          logger.info({ component: name, ms: Math.round(performance.now() - started) }, 'component stopped');
        }
      } catch (error) {
        clean = false;
        logger.error({ component: name, err: error }, 'component failed to stop');
      }
    }
    clearTimeout(deadlineTimer);
    this.running.length = 0;
    this.kubeCache = undefined;
    await this.server.stop();
    return clean;
  }
}
