import type { Logger } from '../log/logger.js';
import type * as z from 'zod';
import type { FlowBus } from '../flow/flow-bus.js';
import type { FlowConsumer, FlowRecord } from '../flow/flow-record.js';
import type { Metrics } from '../metrics/pipeline.js';
import type { RouteRegistry } from '../server/routes.js';
import type { Config } from '../config/core.js';
import type { EnvVariable } from '../config/env.js';
import type { FamilySpec } from '../metrics/spec.js';

// The one shape every source, stage, sink and shared service has. The agent
// builds a graph from the configuration (flow sources -> stages -> flow
// sinks), starts sinks, then stages, then sources, and stops them in the
// reverse order, so sinks are still there to flush what sources handed them.
// This file is a contract: it names no concrete service (the Kubernetes cache
// is reached through a ServiceKey its own folder defines).

export type ComponentKind = 'sink' | 'stage' | 'source';

export interface ComponentStatus {
  /** Synced or connected at least once; /ready waits for this. */
  readonly ready: boolean;
  /** Working right now (flowlens_component_up). */
  readonly up: boolean;
  /** Why it is not ready or not up; shown in the /ready body. */
  readonly reason?: string;
}

export interface Component {
  readonly name: string;
  /** Begins work. Resolves once started (not necessarily ready); rejects only on fatal errors. */
  start(): Promise<void>;
  status(): ComponentStatus;
  /**
   * Stops, flushing what it holds. `deadline` aborts when the shutdown budget
   * is spent: from then on the component must give up and resolve promptly.
   */
  stop(deadline: AbortSignal): Promise<void>;
  /**
   * A new configuration section, applied in place (a reload). Returns false
   * when this change needs a restart of the component; absent: always restart.
   */
  reconfigure?(config: unknown): boolean | Promise<boolean>;
}

/** A sink that takes flow records: the agent subscribes it to the flow bus. */
export interface FlowSinkComponent extends Component, FlowConsumer {}

/** A stage every flow batch passes through before the sinks. */
export interface FlowStageComponent extends Component {
  process(records: readonly FlowRecord[]): readonly FlowRecord[];
}

export function isFlowConsumer(component: Component): component is FlowSinkComponent {
  return typeof (component as Partial<FlowSinkComponent>).consume === 'function';
}

export function isFlowStage(component: Component): component is FlowStageComponent {
  return typeof (component as Partial<FlowStageComponent>).process === 'function';
}

/** A typed handle on a shared service (the Kubernetes cache: src/kube/service.ts). */
export interface ServiceKey<T> {
  readonly name: string;
  /** Never set: carries T. */
  readonly type?: T;
}

export interface Services {
  /** The service, started on first use and shared; undefined when it is not configured (no Kubernetes API). */
  get<T>(key: ServiceKey<T>): Promise<T | undefined>;
}

export interface ComponentContext {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Flow sources queue records here. */
  readonly flows: FlowBus;
  readonly services: Services;
  /** The HTTP server: a component may serve routes of its own (behind the server's TLS and auth). */
  readonly http: RouteRegistry;
  /** Who this agent is, for components that tell themselves from their peers. */
  readonly identity: AgentIdentity;
  /** The components in the graph now (a view shows what runs). */
  graph(): readonly GraphMember[];
}

export interface GraphMember {
  readonly name: string;
  readonly kind: ComponentKind;
  readonly producesFlows: boolean;
}

export interface AgentIdentity {
  /** kubernetes.nodeName (NODE_NAME / NODENAME). */
  readonly nodeName?: string | undefined;
  /** POD_IP (Downward API). */
  readonly podIP?: string | undefined;
  /** server.listen, whose host other listeners default to. */
  readonly serverListen: string;
}

/** What the agent knows when it decides on components that run on their own (`auto`). */
export interface GraphFacts {
  readonly config: Config;
  /** The components the configuration enabled. */
  readonly enabled: readonly ComponentDefinition[];
}

/**
 * One registry entry: the component's name (as used in FLOWLENS_ENABLE), its
 * configuration section with defaults, the seed variables that enable it, and
 * its factory. Adding a component touches its folder and one registry line.
 */
export interface ComponentDefinition<Schema extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly kind: ComponentKind;
  readonly description: string;
  /** The configuration section; `.prefault({})` so defaults apply when absent. Absent: no section of its own. */
  readonly schema?: Schema;
  /**
   * Runs without being enabled, when this says so (the Prometheus flow
   * metrics while a flow source runs; Kubernetes enrichment). Such a
   * component is not enabled by a section, a variable or `enable`.
   */
  readonly auto?: (facts: GraphFacts) => boolean;
  /** Its environment variables (docs/configuration.md lists them; the loader applies them). */
  readonly env?: readonly EnvVariable[];
  /** Command-line flags of the tool it replaces, as aliases of its keys (run and check-config). */
  readonly flags?: SeedFlags;
  /** Its metric families (docs/metrics.md is generated from them). */
  readonly metrics?: readonly FamilySpec[];
  /** Environment variables whose presence enables the component (its seed's required variable). */
  readonly enableEnv?: readonly string[];
  /** A flow source (queues records on the flow bus). */
  readonly producesFlows?: boolean;
  /**
   * Which pods it needs from the shared Kubernetes cache: `none`, only this
   * node's (`node`: the cache then watches only them when every user agrees
   * and kubernetes.nodeName is set), or all of them (`cluster`, the default).
   */
  readonly kubePods?: 'none' | 'node' | 'cluster';

  /** Its flow endpoints carry IP addresses (goflow2, IPFIX): kubernetes.enrichFlows `auto` enriches them. */
  readonly flowAddresses?: boolean;
  /**
   * What it needs from the Kubernetes API under this configuration, if
   * anything: the setting that needs it (without an API, check-config and run
   * refuse the configuration naming it: src/preflight.ts) and the kinds the
   * shared cache must list and watch for it (the RBAC it needs).
   */
  readonly kubernetes?: (section: z.output<Schema>, config: Config) => KubeNeed | undefined;
  create(config: z.output<Schema>, context: ComponentContext): Component | Promise<Component>;
}

/** A replaced tool's command-line flags, taken as aliases of configuration keys. */
export interface SeedFlags {
  readonly flags: readonly SeedFlag[];
  /** The given flags (by commander's camelCase names) as `--set key=value` entries. */
  toSet(values: Readonly<Record<string, unknown>>): string[];
}

export interface SeedFlag {
  /** commander's option text, e.g. `--hosts <names>` (a boolean flag has no value). */
  readonly option: string;
  readonly description: string;
}

export interface KubeNeed {
  readonly setting: string;
  /** Kubernetes kinds (src/kube's KubeKind names: pods, services, ...). */
  readonly kinds: readonly string[];
  /** Without a Kubernetes API the component just does not run (instead of refusing the configuration). */
  readonly optional?: boolean;
  /** The refusal's wording after the setting (default: "needs the Kubernetes API"). */
  readonly what?: string;
  /** The whole refusal, when the component words it itself (a command's own flags). */
  readonly missing?: string;
}

export function defineComponent<Schema extends z.ZodType>(
  definition: ComponentDefinition<Schema>,
): ComponentDefinition<Schema> {
  return definition;
}

/**
 * A component with nothing to start, stop or report of its own (a stage or
 * sink that only transforms or counts what passes): always ready and up, and
 * a new section is taken as it is.
 */
export abstract class PassiveComponent implements Component {
  abstract readonly name: string;

  async start(): Promise<void> {}

  status(): ComponentStatus {
    return { ready: true, up: true };
  }

  async stop(): Promise<void> {}

  reconfigure(): boolean {
    return true;
  }
}
