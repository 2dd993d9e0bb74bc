import { createHash } from 'node:crypto';
import type { EndpointType, FlowAction, FlowRecord, FlowReporter, FlowService, PolicyHit, PolicyKind } from '../../flow/flow-record.js';
import type { goldmane } from './codec.js';
import type { FlowLabels } from './report-decoder.js';

// Goldmane's wire shape to the normalized flow record. Enum numbers the
// running flowlens does not know (a newer Calico) map to "unknown" (or
// "Kind<N>" for policy kinds) instead of failing.

const ACTIONS: readonly FlowAction[] = ['unspecified', 'allow', 'deny', 'pass'];
const REPORTERS: readonly FlowReporter[] = ['unspecified', 'src', 'dst'];
const ENDPOINT_TYPES: readonly EndpointType[] = ['unspecified', 'workload', 'host', 'networkset', 'network'];
const POLICY_KINDS: readonly PolicyKind[] = [
  'KindUnspecified',
  'CalicoNetworkPolicy',
  'GlobalNetworkPolicy',
  'StagedNetworkPolicy',
  'StagedGlobalNetworkPolicy',
  'StagedKubernetesNetworkPolicy',
  'NetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
  'Profile',
  'EndOfTier',
  'ClusterNetworkPolicy',
];

export const actionName = (value: number | null | undefined): FlowAction => ACTIONS[value ?? 0] ?? 'unknown';
export const reporterName = (value: number | null | undefined): FlowReporter => REPORTERS[value ?? 0] ?? 'unknown';
export const endpointTypeName = (value: number | null | undefined): EndpointType => ENDPOINT_TYPES[value ?? 0] ?? 'unknown';
export const policyKindName = (value: number | null | undefined): PolicyKind => POLICY_KINDS[value ?? 0] ?? `Kind${value ?? 0}`;

type WireKey = goldmane.FlowKey.$Properties;
type WireHit = goldmane.PolicyHit.$Properties;

function hitKey(hit: WireHit): string {
  const trigger = hit.trigger ? `>${hitKey(hit.trigger)}` : '';
  return `${hit.kind ?? 0}/${hit.tier ?? ''}/${hit.namespace ?? ''}/${hit.name ?? ''}/${hit.action ?? 0}/${hit.policyIndex ?? 0}/${hit.ruleIndex ?? 0}${trigger}`;
}

/**
 * A string identifying the flow key: equal for equal keys whatever order or
 * encoding the server used. With the interval's start time it is the identity
 * each Goldmane flow report is counted under exactly once. It is the
 * SHA-256 of the key's canonical text, 22 characters (128 bits: no collision
 * in any realistic number of keys), kept per remembered key instead of the
 * text (a few hundred bytes), and stable across restarts (checkpoints hold it).
 */
export function flowKeyId(key: WireKey): string {
  return createHash('sha256').update(flowKeyText(key)).digest('base64url').slice(0, 22);
}

/** The canonical text of a flow key: its fields in a fixed order, NUL-separated. */
function flowKeyText(key: WireKey): string {
  const policies = key.policies;
  const enforced = policies?.enforcedPolicies?.map(hitKey).join(',') ?? '';
  const pending = policies?.pendingPolicies?.map(hitKey).join(',') ?? '';
  return [
    key.sourceName ?? '',
    key.sourceNamespace ?? '',
    key.sourceType ?? 0,
    key.destName ?? '',
    key.destNamespace ?? '',
    key.destType ?? 0,
    key.destPort ?? 0,
    key.destServiceName ?? '',
    key.destServiceNamespace ?? '',
    key.destServicePortName ?? '',
    key.destServicePort ?? 0,
    key.proto ?? '',
    key.reporter ?? 0,
    key.action ?? 0,
    enforced,
    pending,
  ].join('\u0000');
}

/** Strings as the caller wants them kept (shared instances: an Interner's string()); as they are by default. */
export type Intern = (value: string) => string;
const asIs: Intern = (value) => value;

function toPolicyHit(hit: WireHit, intern: Intern): PolicyHit {
  return {
    kind: policyKindName(hit.kind),
    namespace: intern(hit.namespace ?? ''),
    name: intern(hit.name ?? ''),
    tier: intern(hit.tier ?? ''),
    action: actionName(hit.action),
    policyIndex: hit.policyIndex ?? 0,
    ruleIndex: hit.ruleIndex ?? 0,
    ...(hit.trigger ? { trigger: toPolicyHit(hit.trigger, intern) } : {}),
  };
}

/** Everything a record takes from its flow key: computed once per distinct key. */
export interface KeyParts {
  /** flowKeyId of the key. */
  readonly id: string;
  readonly proto: string;
  readonly reporter: FlowReporter;
  readonly action: FlowAction;
  readonly src: { readonly name: string; readonly namespace: string; readonly type: EndpointType };
  readonly dst: { readonly name: string; readonly namespace: string; readonly type: EndpointType; readonly port: number };
  readonly service: FlowService;
  readonly policies: { readonly enforced: readonly PolicyHit[]; readonly pending: readonly PolicyHit[] };
}

export function keyParts(key: WireKey, intern: Intern = asIs): KeyParts {
  return {
    id: flowKeyId(key),
    proto: intern(key.proto ?? ''),
    reporter: reporterName(key.reporter),
    action: actionName(key.action),
    src: { name: intern(key.sourceName ?? ''), namespace: intern(key.sourceNamespace ?? ''), type: endpointTypeName(key.sourceType) },
    dst: { name: intern(key.destName ?? ''), namespace: intern(key.destNamespace ?? ''), type: endpointTypeName(key.destType), port: key.destPort ?? 0 },
    service: {
      name: intern(key.destServiceName ?? ''),
      namespace: intern(key.destServiceNamespace ?? ''),
      portName: intern(key.destServicePortName ?? ''),
      port: key.destServicePort ?? 0,
    },
    policies: {
      enforced: key.policies?.enforcedPolicies?.map((hit) => toPolicyHit(hit, intern)) ?? [],
      pending: key.policies?.pendingPolicies?.map((hit) => toPolicyHit(hit, intern)) ?? [],
    },
  };
}

/** The interval, counters and labels of one flow report (Flow's fields, as decoded). */
export interface FlowCounters {
  readonly startTime?: number | null;
  readonly endTime?: number | null;
  readonly sourceLabels?: string[] | null;
  readonly destLabels?: string[] | null;
  readonly packetsIn?: number | null;
  readonly packetsOut?: number | null;
  readonly bytesIn?: number | null;
  readonly bytesOut?: number | null;
  readonly numConnectionsStarted?: number | null;
  readonly numConnectionsCompleted?: number | null;
  readonly numConnectionsLive?: number | null;
}

/** The flow record of one Goldmane flow report; labels default to the flow's own. */
export function toFlowRecord(flow: FlowCounters, key: KeyParts, labels?: FlowLabels): FlowRecord {
  const startSeconds = flow.startTime ?? 0;
  const sourceLabels = labels === undefined ? (flow.sourceLabels ?? []) : labels.source;
  const destLabels = labels === undefined ? (flow.destLabels ?? []) : labels.dest;
  return {
    source: 'goldmane',
    startTime: startSeconds * 1_000,
    endTime: (flow.endTime ?? 0) * 1_000,
    proto: key.proto,
    // Written out rather than spread: this runs for every flow report.
    src: { name: key.src.name, namespace: key.src.namespace, type: key.src.type, labels: sourceLabels },
    dst: { name: key.dst.name, namespace: key.dst.namespace, type: key.dst.type, port: key.dst.port, labels: destLabels },
    service: key.service,
    reporter: key.reporter,
    action: key.action,
    policies: key.policies,
    packetsIn: flow.packetsIn ?? 0,
    packetsOut: flow.packetsOut ?? 0,
    bytesIn: flow.bytesIn ?? 0,
    bytesOut: flow.bytesOut ?? 0,
    connectionsStarted: flow.numConnectionsStarted ?? 0,
    connectionsCompleted: flow.numConnectionsCompleted ?? 0,
    connectionsLive: flow.numConnectionsLive ?? 0,
    key: key.id,
    id: `${key.id}@${startSeconds}`,
  };
}
