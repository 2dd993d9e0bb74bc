import type { FlowAction, FlowEndpoint, FlowRecord } from '../flow/flow-record.js';

// The flow filters of GET /api/v1/flows (and of the page's URL): namespace,
// workload, action, policy, protocol, port. Each takes one value or several
// separated by commas (any of them); different parameters must all match.
// `namespace` and `workload` match either end of the flow.

export const FILTER_PARAMETERS = ['namespace', 'workload', 'action', 'policy', 'protocol', 'port'] as const;
export type FilterParameter = (typeof FILTER_PARAMETERS)[number];

const ACTIONS: ReadonlySet<string> = new Set<FlowAction>(['allow', 'deny', 'pass', 'unspecified', 'unknown']);

export class FilterError extends Error {}

export interface FlowFilter {
  /** The filter's parameters as given (normalized), for echoing back. */
  readonly params: Readonly<Partial<Record<FilterParameter, readonly string[]>>>;
  matches(record: FlowRecord): boolean;
}

/** The namespace an endpoint is in: Kubernetes' when enrichment found it, else the source's. */
export const namespaceOf = (endpoint: FlowEndpoint): string => endpoint.kube?.namespace ?? endpoint.namespace;

/**
 * The workload a Goldmane pod-set name (`<generateName>*`) stands for, by
 * Kubernetes' naming: a Deployment's pods are `<deployment>-<pod-template-hash>-*`
 * (the hash from an alphabet without vowels), a CronJob's `<cronjob>-<minutes>-*`,
 * a DaemonSet's or Job's `<name>-*`. Other names are returned as they are.
 */
export function podSetWorkload(name: string): string {
  if (!name.endsWith('-*')) return name;
  const base = name.slice(0, -2);
  return /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/.exec(base)?.[1] ?? /^(.+)-\d{8,}$/.exec(base)?.[1] ?? base;
}

/** The workload an endpoint belongs to: enrichment's, else what its pod-set name stands for, else its name (a host, a network). */
export const workloadOf = (endpoint: FlowEndpoint): string =>
  endpoint.kube?.workload ?? (endpoint.type === 'workload' ? podSetWorkload(endpoint.name) : endpoint.name);

/** Parses the query; unknown parameters and bad values are a FilterError naming them. `extra` lists parameters the caller reads itself. */
export function parseFilter(query: URLSearchParams, extra: readonly string[] = []): FlowFilter {
  const params: Partial<Record<FilterParameter, string[]>> = {};
  for (const name of new Set(query.keys())) {
    if (extra.includes(name)) continue;
    if (!(FILTER_PARAMETERS as readonly string[]).includes(name)) throw new FilterError(`unknown parameter "${name}" (filters: ${FILTER_PARAMETERS.join(', ')})`);
    const values = query
      .getAll(name)
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter((value) => value !== '');
    if (values.length === 0) continue;
    params[name as FilterParameter] = values;
  }
  const actions = params.action?.map((value) => value.toLowerCase());
  for (const action of actions ?? []) if (!ACTIONS.has(action)) throw new FilterError(`action: "${action}" is not one of ${[...ACTIONS].join(', ')}`);
  const ports = params.port?.map((value) => {
    const port = Number(value);
    if (!/^\d+$/.test(value) || port > 65_535) throw new FilterError(`port: "${value}" is not a port number (0-65535)`);
    return port;
  });
  const protocols = params.protocol?.map((value) => value.toLowerCase());
  if (actions) params.action = actions;
  if (protocols) params.protocol = protocols;
  const tests: Array<(record: FlowRecord) => boolean> = [];
  const namespaces = params.namespace;
  if (namespaces) tests.push((record) => namespaces.includes(namespaceOf(record.src)) || namespaces.includes(namespaceOf(record.dst)));
  const workloads = params.workload;
  if (workloads) {
    // The workload, the source's own name (a pod-set name as Goldmane sends it), or the pod.
    const side = (endpoint: FlowEndpoint): boolean => workloads.includes(workloadOf(endpoint)) || workloads.includes(endpoint.name) || (endpoint.kube?.pod !== undefined && workloads.includes(endpoint.kube.pod));
    tests.push((record) => side(record.src) || side(record.dst));
  }
  if (actions) tests.push((record) => actions.includes(record.action));
  const policies = params.policy;
  if (policies) {
    tests.push((record) => {
      const trace = record.policies;
      if (trace === undefined) return false;
      for (const hit of [...trace.enforced, ...trace.pending]) {
        if (policies.includes(hit.name) || policies.includes(`${hit.namespace}/${hit.name}`) || policies.includes(`${hit.tier}/${hit.name}`)) return true;
      }
      return false;
    });
  }
  if (protocols) tests.push((record) => protocols.includes(record.proto));
  if (ports) tests.push((record) => ports.includes(record.dst.port ?? 0));
  return {
    params,
    matches: (record) => {
      for (let i = 0; i < tests.length; i++) if (!tests[i]!(record)) return false;
      return true;
    },
  };
}
