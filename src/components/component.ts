import type { Logger } from '../log/logger.js';
import type * as z from 'zod';
import type { FlowBus } from '../flow/flow-bus.js';
import type { KubeCache, KubeKind } from '../kube/metadata-cache.js';
import type { MetricsPipeline } from '../metrics/pipeline.js';
import type { EnvVariable } from '../config/env.js';
import type { FamilySpec } from '../metrics/spec.js';

// The one shape every source, sink and shared service has. The agent starts
// components in kind order (services, sinks, sources) and stops them in the
// reverse order, so sinks are still there to flush what sources handed them.

export type ComponentKind = 'service' | 'sink' | 'source';

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
}

export interface ComponentContext {
  readonly logger: Logger;
  readonly metrics: MetricsPipeline;
  /** Flow sources queue records here; flow sinks subscribe to it. */
  readonly flows: FlowBus;
  /**
   * The shared Kubernetes metadata cache (started on first call; wait for
   * `synced()` before trusting lookups); undefined when no Kubernetes API is
   * configured.
   */
  kube(): Promise<KubeCache | undefined>;
  /** Who this agent is, for components that tell themselves from their peers. */
  readonly identity: AgentIdentity;
}

export interface AgentIdentity {
  /** kubernetes.nodeName (NODE_NAME / NODENAME). */
  readonly nodeName?: string | undefined;
  /** POD_IP (Downward API). */
  readonly podIP?: string | undefined;
  /** server.listen, whose host other listeners default to. */
  readonly serverListen: string;
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
  /** The configuration section; `.prefault({})` so defaults apply when absent. */
  readonly schema: Schema;
  /** Its environment variables (docs/configuration.md lists them; the loader applies them). */
  readonly env?: readonly EnvVariable[];
  /** Command-line flags of the tool it replaces, as aliases of its keys (run and check-config). */
  readonly flags?: SeedFlags;
  /** Its metric families (docs/metrics.md is generated from them). */
  readonly metrics?: readonly FamilySpec[];
  /** Environment variables whose presence enables the component (its seed's required variable). */
  readonly enableEnv?: readonly string[];
  /** A flow source: the agent then attaches the Prometheus flow metrics (unless metrics.flows is off). */
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
  readonly kubernetes?: (config: z.output<Schema>) => KubeNeed | undefined;
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
  readonly kinds: readonly KubeKind[];
}

export function defineComponent<Schema extends z.ZodType>(
  definition: ComponentDefinition<Schema>,
): ComponentDefinition<Schema> {
  return definition;
}
