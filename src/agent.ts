import { isDeepStrictEqual } from 'node:util';
import { COMPONENT_UP, CONFIG_INFO, RELOAD_SUCCESS_TIME, RELOAD_SUCCESSFUL } from './agent-metrics.js';
import {
  isFlowConsumer,
  isFlowStage,
  type Component,
  type ComponentContext,
  type ComponentDefinition,
  type ComponentKind,
  type ComponentStatus,
  type ServiceKey,
  type Services,
} from './components/component.js';
import { configHash } from './config/hash.js';
import type { Config } from './config/schema.js';
import { FlowBus } from './flow/flow-bus.js';
import type { KubeCache } from './kube/metadata-cache.js';
import { KUBE, startKubeCache } from './kube/service.js';
import { RateLimitedLog } from './log/rate-limited.js';
import type { LogRoot, Logger } from './log/logger.js';
import { MetricsPipeline, type MetricsScope } from './metrics/pipeline.js';
import { preflight, type KubeLookup, type PreflightResult } from './preflight.js';
import { componentDefinitions } from './registry.js';
import { HttpServer, type ReadinessReport } from './server/http-server.js';

// The agent builds the component graph the configuration asks for (flow
// sources -> stages -> flow sinks, plus the other sources), wires it to the
// metrics pipeline, the flow bus and the HTTP server, and owns its lifecycle:
// sinks, then stages, then sources start; on shutdown the agent goes
// not-ready first, then stops them in reverse order within one deadline, so
// sinks can flush what sources handed them. reload() applies a new
// configuration to the running graph (docs/operations.md).

const START_ORDER: readonly ComponentKind[] = ['sink', 'stage', 'source'];

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
  /** The root the logger came from: log.level changes on reload reach every component's logger. */
  readonly logRoot?: LogRoot;
  readonly version: string;
  /** Options for the credential-reload timer and tests; see HttpServerOptions. */
  readonly reloadIntervalMs?: number;
  /** Every definition the graph may use (default: the registry). */
  readonly definitions?: readonly ComponentDefinition[];
  /** Serve HTTP (default true; `flowlens enrich` without --listen does not). */
  readonly serve?: boolean;
  /** The setting named when the listen address is taken (default server.listen). */
  readonly listenSetting?: string;
  /** How the kubeconfig is looked for (flowlens enrich: --kubeconfig, then KUBECONFIG, then in-cluster), and the environment. */
  readonly kube?: KubeLookup & { readonly env?: NodeJS.ProcessEnv };
}

/** A configuration to apply: what the loader returns. */
export interface NextConfig {
  readonly config: Config;
  readonly enabled: readonly ComponentDefinition[];
}

export interface ReloadResult {
  /** Components by what happened to them. */
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  readonly restarted: readonly string[];
  readonly reconfigured: readonly string[];
  readonly unchanged: readonly string[];
  /** Settings that apply at the next restart only (server.*). */
  readonly deferred: readonly string[];
}

interface Running {
  readonly definition: ComponentDefinition;
  readonly component: Component;
  section: unknown;
  readonly scope: MetricsScope;
}

export class Agent {
  readonly metrics: MetricsPipeline;
  readonly flows: FlowBus;
  readonly server: HttpServer;
  private readonly log: Logger;
  /** In start order. */
  private readonly running = new Map<string, Running>();
  private config: Config;
  private enabled: readonly ComponentDefinition[];
  private checked: PreflightResult | undefined;
  private kubeCache: Promise<KubeCache | undefined> | undefined;
  private kubeComponent: KubeCache | undefined;
  private kubeScope: MetricsScope | undefined;
  private shuttingDown = false;
  private started = false;
  private reloading: Promise<unknown> = Promise.resolve();
  private readonly reloadOk;
  private readonly reloadTime;
  private readonly configInfo;
  private readonly services: Services = { get: <T>(key: ServiceKey<T>) => this.service(key) };

  constructor(private readonly options: AgentOptions) {
    const { config } = options;
    this.config = config;
    this.enabled = options.enabled;
    this.log = options.logger.child({ component: 'agent' });
    const pipelineLog = new RateLimitedLog(options.logger.child({ component: 'pipeline' }));
    this.metrics = new MetricsPipeline({
      maxSeriesPerMetric: config.metrics.maxSeriesPerMetric,
      seriesTtlMs: config.metrics.seriesTtl,
      families: config.metrics.families,
      version: options.version,
      // Nobody scrapes an agent that does not serve: no event-loop or GC observers for the process metrics.
      processMetrics: options.serve ?? true,
      onCollectError: (error) => this.log.warn({ err: error }, 'a metrics collect hook failed'),
    });
    const componentUp = this.metrics.gauge(COMPONENT_UP);
    this.reloadOk = this.metrics.gauge(RELOAD_SUCCESSFUL);
    this.reloadTime = this.metrics.gauge(RELOAD_SUCCESS_TIME);
    this.configInfo = this.metrics.gauge(CONFIG_INFO);
    this.reloadOk.set(undefined, 1);
    this.reloadTime.set(undefined, Date.now() / 1_000);
    this.configInfo.set({ hash: configHash(config) }, 1);
    this.flows = new FlowBus(this.metrics, (error, kind, name) => pipelineLog.error(`${kind}:${name}`, { err: error, [kind]: name }, `flow ${kind} ${name} failed on a batch`));
    this.metrics.onCollect(() => {
      const names = new Set<string>();
      for (const [name, component] of this.components()) {
        names.add(name);
        componentUp.set({ component: name }, statusOf(component).up ? 1 : 0);
      }
      // A component a reload stopped is not reported as down: it is gone.
      componentUp.removeWhere((labels) => !names.has(labels.component ?? ''));
    });
    this.server = new HttpServer({
      listen: config.server.listen,
      tls: config.server.tls,
      basicAuth: config.server.basicAuth,
      metrics: this.metrics,
      readiness: () => this.readiness(),
      logger: options.logger.child({ component: 'server' }),
      ...(options.listenSetting !== undefined ? { listenSetting: options.listenSetting } : {}),
      ...(options.reloadIntervalMs !== undefined ? { reloadIntervalMs: options.reloadIntervalMs } : {}),
    });
  }

  /** The configuration in effect (the last one applied). */
  get configuration(): Config {
    return this.config;
  }

  private get definitions(): readonly ComponentDefinition[] {
    return this.options.definitions ?? componentDefinitions;
  }

  /** The components in the graph now, by name (the Kubernetes cache among them once used). */
  get graph(): readonly string[] {
    return [...this.running.keys()];
  }

  /** Running components and services, by name. */
  private *components(): Iterable<[string, Component]> {
    for (const [name, running] of this.running) yield [name, running.component];
    if (this.kubeComponent !== undefined) yield [this.kubeComponent.name, this.kubeComponent];
  }

  async start(): Promise<void> {
    const { config } = this;
    // What check-config checks, with the same errors, before anything starts.
    this.checked = await this.check(config, this.enabled);
    for (const { name, reason } of this.checked.skipped) this.log.info({ skipped: name, reason }, `${name} does not run: ${reason}`);
    if (this.options.serve ?? true) {
      await this.server.start();
      this.log.info({ address: this.server.address, url: this.server.url }, 'HTTP server listening');
    }
    try {
      for (const definition of ordered(this.checked.graph)) await this.startComponent(definition);
    } catch (error) {
      await this.stop(config.shutdownTimeout);
      throw error;
    }
    this.started = true;
    this.log.info({ components: this.graph, flows: this.flows.graph }, 'flowlens running');
  }

  /** The graph a configuration asks for, checked as check-config checks it (start and reload alike). */
  private check(config: Config, enabled: readonly ComponentDefinition[]): Promise<PreflightResult> {
    return preflight(config, enabled, this.options.kube?.env ?? process.env, this.definitions, this.options.kube);
  }

  private context(definition: ComponentDefinition, scope: MetricsScope): ComponentContext {
    const { config } = this;
    return {
      logger: this.options.logger.child({ component: definition.name }),
      metrics: scope,
      flows: this.flows,
      services: this.services,
      http: this.server,
      identity: { nodeName: config.kubernetes.nodeName, podIP: process.env.POD_IP || undefined, serverListen: config.server.listen },
      graph: () => [...this.running.values()].map(({ definition }) => ({ name: definition.name, kind: definition.kind, producesFlows: definition.producesFlows === true })),
    };
  }

  /** Creates and starts a component; then connects it to the flow graph (a sink or stage of the same name is replaced in the same turn). */
  private async startComponent(definition: ComponentDefinition): Promise<Running> {
    const scope = this.metrics.scope();
    const section = this.config[definition.name];
    let component: Component;
    try {
      component = await definition.create(section, this.context(definition, scope));
      await component.start();
    } catch (error) {
      scope.close();
      throw error;
    }
    if (definition.kind === 'stage' && isFlowStage(component)) this.flows.addStage((records) => component.process(records), definition.name);
    if (definition.kind === 'sink' && isFlowConsumer(component)) this.flows.subscribe(component, definition.name);
    const running: Running = { definition, component, section, scope };
    this.running.set(definition.name, running);
    this.log.info({ started: definition.name, kind: definition.kind }, 'component started');
    return running;
  }

  private async service<T>(key: ServiceKey<T>): Promise<T | undefined> {
    if (key.name !== KUBE.name) throw new Error(`no service "${key.name}"`);
    return (await this.kube()) as T | undefined;
  }

  /**
   * The one Kubernetes metadata cache, created and started on first use and
   * then shared (in /ready, stopped after the components using it);
   * undefined when no Kubernetes API is configured.
   */
  kube(): Promise<KubeCache | undefined> {
    this.kubeCache ??= (async () => {
      const { config } = this;
      const graph = this.checked?.graph ?? this.enabled;
      const nodeName = config.kubernetes.nodeName;
      // Pods of this node only, when nothing in the graph needs the others (flow enrichment resolves remote pods).
      const nodeScoped = nodeName !== undefined && graph.every((definition) => (definition.kubePods ?? 'cluster') !== 'cluster');
      // Its own scope: a cache rebuilt by a reload leaves no scrape hooks of the old one behind.
      this.kubeScope = this.metrics.scope();
      const cache = await startKubeCache({
        loaded: this.checked?.kube,
        kinds: this.checked?.kinds ?? [],
        watchOwners: config.kubernetes.watchOwners,
        nodeName: nodeScoped ? nodeName : undefined,
        logger: this.options.logger.child({ component: 'kubernetes' }),
        metrics: this.kubeScope,
      });
      this.kubeComponent = cache;
      return cache;
    })();
    return this.kubeCache;
  }

  readiness(): ReadinessReport {
    const components: Record<string, ComponentStatus> = {};
    const notReady: string[] = [];
    for (const [name, component] of this.components()) {
      const status = statusOf(component);
      components[name] = status;
      if (!status.ready) notReady.push(name);
    }
    const ready = this.started && !this.shuttingDown && notReady.length === 0;
    const status = this.shuttingDown ? 'shutting down' : ready ? 'ready' : this.started ? 'not ready' : 'starting';
    return { ready, body: { status, notReady, components } };
  }

  /**
   * Applies a new configuration (SIGHUP, POST /-/reload, a watched file):
   * validated as at start (preflight), then diffed per component. Unchanged
   * components keep running untouched; changed ones are reconfigured in place
   * when they can be, else restarted; components enabled or disabled start or
   * stop. A configuration preflight refuses changes nothing (throws, and
   * flowlens_config_last_reload_successful goes to 0). Reloads run one at a time.
   */
  reload(next: NextConfig): Promise<ReloadResult> {
    const result = this.reloading.then(() => this.applyReload(next));
    this.reloading = result.catch(() => undefined);
    return result;
  }

  /** A reload that failed before it reached the agent (the configuration did not load). */
  reloadFailed(): void {
    this.reloadOk.set(undefined, 0);
  }

  private async applyReload(next: NextConfig): Promise<ReloadResult> {
    if (this.shuttingDown) throw new Error('the agent is shutting down');
    const old = this.config;
    let checked: PreflightResult;
    try {
      checked = await this.check(next.config, next.enabled);
    } catch (error) {
      this.reloadOk.set(undefined, 0);
      throw error;
    }
    const result = { started: [] as string[], stopped: [] as string[], restarted: [] as string[], reconfigured: [] as string[], unchanged: [] as string[], deferred: [] as string[] };
    try {
      // The agent's own settings, in place.
      if (next.config.log.level !== old.log.level) {
        if (this.options.logRoot) this.options.logRoot.setLevel(next.config.log.level);
        else this.options.logger.level = next.config.log.level;
      }
      this.metrics.configure({ maxSeriesPerMetric: next.config.metrics.maxSeriesPerMetric, seriesTtlMs: next.config.metrics.seriesTtl, families: next.config.metrics.families });
      // The listener, its TLS and auth settings stay until a restart (credential files are re-read on their own); server.reload applies now.
      const { reload: _nextReload, ...nextServer } = next.config.server;
      const { reload: _oldReload, ...oldServer } = old.server;
      if (!isDeepStrictEqual(nextServer, oldServer)) {
        result.deferred.push('server');
        this.log.warn({ deferred: 'server' }, 'server.listen, server.tls and server.basicAuth changes apply at the next restart');
      }
      if (next.config.shutdownTimeout !== old.shutdownTimeout) result.reconfigured.push('shutdownTimeout');
      const kubeChanged = !isDeepStrictEqual(next.config.kubernetes, old.kubernetes) || !isDeepStrictEqual(checked.kinds, this.checked?.kinds ?? []);

      const wanted = new Set(checked.graph.map((definition) => definition.name));
      const usesKube = (definition: ComponentDefinition): boolean => definition.kubernetes?.(next.config[definition.name], next.config) !== undefined;
      // Gone from the graph, or reading a Kubernetes cache that must be rebuilt: stop (sources first).
      const stopping = [...this.running.values()].filter((running) => !wanted.has(running.definition.name) || (kubeChanged && usesKube(running.definition)));
      const deadline = AbortSignal.timeout(next.config.shutdownTimeout);
      for (const running of stopOrder(stopping)) {
        await this.stopComponent(running, deadline, !wanted.has(running.definition.name));
        if (!wanted.has(running.definition.name)) result.stopped.push(running.definition.name);
      }
      this.config = next.config;
      this.enabled = next.enabled;
      this.checked = checked;
      if (kubeChanged && this.kubeCache !== undefined) {
        await this.kubeComponent?.stop();
        this.kubeScope?.close();
        this.kubeCache = undefined;
        this.kubeComponent = undefined;
      }
      for (const definition of ordered(checked.graph)) {
        const running = this.running.get(definition.name);
        const section = next.config[definition.name];
        if (running === undefined) {
          await this.startComponent(definition);
          (stopping.some((stopped) => stopped.definition.name === definition.name) ? result.restarted : result.started).push(definition.name);
        } else if (isDeepStrictEqual(running.section, section)) {
          result.unchanged.push(definition.name);
        } else if ((await running.component.reconfigure?.(section)) === true) {
          running.section = section;
          result.reconfigured.push(definition.name);
        } else {
          await this.restartComponent(running, deadline);
          result.restarted.push(definition.name);
        }
      }
    } catch (error) {
      this.reloadOk.set(undefined, 0);
      throw error;
    }
    this.reloadOk.set(undefined, 1);
    this.reloadTime.set(undefined, Date.now() / 1_000);
    this.configInfo.removeWhere(() => true);
    this.configInfo.set({ hash: configHash(next.config) }, 1);
    this.log.info(result, 'configuration reloaded');
    return result;
  }

  /**
   * A changed component that cannot take its new section in place. A sink or
   * stage: the new one starts first and takes the old one's place in the
   * flow graph in one turn (every batch reaches exactly one of them), then the
   * old one stops and flushes what it holds. A source: the old one stops
   * (handing what it queued to the sinks), then the new one starts.
   */
  private async restartComponent(old: Running, deadline: AbortSignal): Promise<void> {
    const { definition } = old;
    if (definition.kind === 'source') {
      await this.stopComponent(old, deadline, false);
      await this.startComponent(definition);
      return;
    }
    this.running.delete(definition.name);
    try {
      await this.startComponent(definition);
    } catch (error) {
      // The old one keeps its place in the graph.
      this.running.set(definition.name, old);
      throw error;
    }
    old.scope.close();
    await this.stopOne(definition.name, old.component, deadline);
  }

  /** Stops a component and takes it out of the graph; `forget`: its metric families go too (disabled). */
  private async stopComponent(running: Running, deadline: AbortSignal, forget: boolean): Promise<void> {
    const { name } = running.definition;
    this.flows.remove(name);
    this.running.delete(name);
    running.scope.close();
    await this.stopOne(name, running.component, deadline);
    if (forget) {
      const scopes = [...[...this.running.values()].map((other) => other.scope), ...(this.kubeScope ? [this.kubeScope] : [])];
      const kept = new Set(scopes.flatMap((scope) => [...scope.families]));
      running.scope.drop(kept);
    }
  }

  /**
   * Stops one component within the deadline (shutdown and reload alike): one
   * that does not finish by then is abandoned and logged. True when it stopped
   * in time without failing.
   */
  private async stopOne(name: string, component: Component, deadline: AbortSignal): Promise<boolean> {
    const started = performance.now();
    let onAbort: (() => void) | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      onAbort = () => resolve('expired');
      if (deadline.aborted) onAbort();
      else deadline.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([component.stop(deadline).then(() => 'stopped' as const), expired]);
      if (outcome === 'expired') {
        this.log.warn({ stopped: name }, 'component did not stop before the deadline');
        return false;
      }
      this.log.info({ stopped: name, ms: Math.round(performance.now() - started) }, 'component stopped');
      return true;
    } catch (error) {
      this.log.error({ failed: name, err: error }, 'component failed to stop');
      return false;
    } finally {
      deadline.removeEventListener('abort', onAbort!);
    }
  }

  /**
   * Goes not-ready, then stops components (sources first) within timeoutMs.
   * Resolves true when every component stopped in time.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.shuttingDown = true;
    await this.reloading;
    // A referenced timer (AbortSignal.timeout's is not): the deadline must come even when nothing else keeps the process alive.
    const abort = new AbortController();
    const deadlineTimer = setTimeout(() => abort.abort(), Math.max(1, timeoutMs));
    let clean = true;
    const stopping: [string, Component][] = stopOrder([...this.running.values()]).map((running) => [running.definition.name, running.component]);
    if (this.kubeComponent !== undefined) stopping.push([this.kubeComponent.name, this.kubeComponent]);
    for (const [name, component] of stopping) if (!(await this.stopOne(name, component, abort.signal))) clean = false;
    clearTimeout(deadlineTimer);
    for (const running of this.running.values()) running.scope.close();
    this.kubeScope?.close();
    this.running.clear();
    this.kubeCache = undefined;
    this.kubeComponent = undefined;
    await this.server.stop();
    return clean;
  }
}

/** Sources, then stages, then sinks (the reverse of the start order), whatever order a reload left them in. */
function stopOrder(running: readonly Running[]): Running[] {
  return [...START_ORDER].reverse().flatMap((kind) => running.filter((entry) => entry.definition.kind === kind).reverse());
}

/** Sinks, then stages, then sources; registry order within a kind. */
function ordered(graph: readonly ComponentDefinition[]): ComponentDefinition[] {
  return START_ORDER.flatMap((kind) => graph.filter((definition) => definition.kind === kind));
}
