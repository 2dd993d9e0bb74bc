// The one normalized flow record every flow source produces (Goldmane stream,
// goflow2 input, the IPFIX collector) and every flow sink consumes (Prometheus
// flow metrics, OTLP and JSONL flow logs). It keeps what the sources carry in
// common, plus the Goldmane detail the seed-compatible outputs need.

export type FlowSource = 'goldmane' | 'goflow2' | 'ipfix';

/** Final verdict of the flow (Goldmane: key.action); `unknown` for enum values newer than this flowlens. */
export type FlowAction = 'allow' | 'deny' | 'pass' | 'unspecified' | 'unknown';

/** Which end observed the flow: Goldmane reports both ends of pod-to-pod traffic separately. */
export type FlowReporter = 'src' | 'dst' | 'unspecified' | 'unknown';

export type EndpointType = 'workload' | 'host' | 'networkset' | 'network' | 'unspecified' | 'unknown';

export interface FlowEndpoint {
  /** Pod, aggregated pod-set name (`prefix-*`), host, network set or network (`pub`/`pvt`). */
  readonly name: string;
  /** Empty for non-namespaced endpoints. */
  readonly namespace: string;
  readonly type: EndpointType;
  /** `key=value` labels as the source reports them. */
  readonly labels: readonly string[];
  /** Address and port where the source has them (goflow2, IPFIX; not Goldmane's source). */
  readonly ip?: string;
  readonly port?: number;
  /** Kubernetes metadata added by enrichment from the metadata cache. */
  readonly kube?: KubeEndpoint;
  /**
   * A cache cell from a source that reuses endpoint objects (the collector's
   * interned addresses): one per recurring endpoint, or one per address shared
   * by its one-off endpoints. The enrichment stage keeps what it found there
   * instead of looking it up in a map.
   */
  readonly memo?: MemoCell;
}

/**
 * A mutable cell on an otherwise immutable object, for the one stage or sink
 * of its kind on the flow bus: it claims the cell (`owner`, replacing a
 * predecessor's value after a reload) and keeps its `value` there.
 */
export interface MemoCell {
  owner: unknown;
  value: unknown;
}

export interface KubeEndpoint {
  readonly pod?: string;
  readonly namespace?: string;
  readonly hostIP?: string;
  readonly node?: string;
  readonly workload?: string;
  /** Deployment, DaemonSet, StatefulSet, CronJob, Job, ReplicaSet, Pod, Service, Node. */
  readonly workloadKind?: string;
}

export interface FlowService {
  readonly name: string;
  readonly namespace: string;
  readonly portName: string;
  readonly port: number;
}

export type PolicyKind =
  | 'CalicoNetworkPolicy'
  | 'GlobalNetworkPolicy'
  | 'StagedNetworkPolicy'
  | 'StagedGlobalNetworkPolicy'
  | 'StagedKubernetesNetworkPolicy'
  | 'NetworkPolicy'
  | 'AdminNetworkPolicy'
  | 'BaselineAdminNetworkPolicy'
  | 'Profile'
  | 'EndOfTier'
  | 'ClusterNetworkPolicy'
  | 'KindUnspecified'
  | `Kind${number}`;

export interface PolicyHit {
  readonly kind: PolicyKind;
  readonly namespace: string;
  readonly name: string;
  readonly tier: string;
  readonly action: FlowAction;
  readonly policyIndex: number;
  readonly ruleIndex: number;
  /** The policy that triggered an end-of-tier verdict. */
  readonly trigger?: PolicyHit;
}

export interface FlowRecord {
  readonly source: FlowSource;
  /** Interval covered by the counters, unix milliseconds; [startTime, endTime). */
  readonly startTime: number;
  readonly endTime: number;
  /** Lower-case protocol name (`tcp`, `udp`, `icmp`) or the IANA number as text. */
  readonly proto: string;
  readonly src: FlowEndpoint;
  readonly dst: FlowEndpoint;
  readonly service?: FlowService;
  readonly reporter: FlowReporter;
  readonly action: FlowAction;
  readonly policies?: { readonly enforced: readonly PolicyHit[]; readonly pending: readonly PolicyHit[] };
  /** Counters for this interval only (deltas, not totals). */
  readonly packetsIn: number;
  readonly packetsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly connectionsStarted: number;
  readonly connectionsCompleted: number;
  readonly connectionsLive: number;
  /**
   * Identity of the flow key: the same for every interval of one flow. Equal
   * keys mean equal endpoints, protocol, reporter, action and policy trace.
   */
  readonly key: string;
  /** Identity of the record for exactly-once counting: flow key and interval. */
  readonly id: string;
  /**
   * Re-read from the source's memory after a restart (a checkpoint resume) to
   * complete the flow logs; the previous process may have counted it, so the
   * Prometheus counters skip it.
   */
  readonly replay?: boolean;
  /**
   * A cache cell that comes with every record of this key, from a source that
   * interns its keys (the collector): the flow metrics keep the key's series
   * there instead of looking the key up in a map.
   */
  readonly keyMemo?: MemoCell;
  /** A copy with other endpoints, for records that are not plain objects (a stage must not lose their computed fields). */
  withEndpoints?(src: FlowEndpoint, dst: FlowEndpoint): FlowRecord;
}

/**
 * Where a restarted agent should resume reading a source, from a sink's
 * checkpoint: the start time (unix seconds) and, for the intervals from there
 * on, the flow keys already delivered (so they are not delivered twice).
 */
export interface ResumePoint {
  readonly startTime: number;
  readonly delivered: ReadonlyMap<number, readonly string[]>;
}

/** Something that takes batches of flow records (sinks, enrichment stages). */
export interface FlowConsumer {
  consume(records: readonly FlowRecord[]): void;
}
