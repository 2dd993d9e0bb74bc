import type {
  EndpointType,
  FlowAction,
  FlowEndpoint,
  FlowRecord,
  FlowReporter,
  PolicyHit,
  PolicyKind,
} from '../../flow/flow-record.js';
import type { goldmane } from './codec.js';

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
 * each Goldmane flow report is counted under exactly once.
 */
export function flowKeyId(key: WireKey): string {
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

function toPolicyHit(hit: WireHit): PolicyHit {
  return {
    kind: policyKindName(hit.kind),
    namespace: hit.namespace ?? '',
    name: hit.name ?? '',
    tier: hit.tier ?? '',
    action: actionName(hit.action),
    policyIndex: hit.policyIndex ?? 0,
    ruleIndex: hit.ruleIndex ?? 0,
    ...(hit.trigger ? { trigger: toPolicyHit(hit.trigger) } : {}),
  };
}

function endpoint(name: string | null | undefined, namespace: string | null | undefined, type: number | null | undefined, labels: string[] | null | undefined, port?: number): FlowEndpoint {
  return {
    name: name ?? '',
    namespace: namespace ?? '',
    type: endpointTypeName(type),
    labels: labels ?? [],
    ...(port !== undefined ? { port } : {}),
  };
}

/** The flow record of one Goldmane flow report; `keyId` from flowKeyId(flow.Key). */
export function toFlowRecord(flow: goldmane.Flow.$Properties, key: WireKey, keyId: string): FlowRecord {
  const startSeconds = flow.startTime ?? 0;
  return {
    source: 'goldmane',
    startTime: startSeconds * 1_000,
    endTime: (flow.endTime ?? 0) * 1_000,
    proto: key.proto ?? '',
    src: endpoint(key.sourceName, key.sourceNamespace, key.sourceType, flow.sourceLabels),
    dst: endpoint(key.destName, key.destNamespace, key.destType, flow.destLabels, key.destPort ?? 0),
    service: {
      name: key.destServiceName ?? '',
      namespace: key.destServiceNamespace ?? '',
      portName: key.destServicePortName ?? '',
      port: key.destServicePort ?? 0,
    },
    reporter: reporterName(key.reporter),
    action: actionName(key.action),
    policies: {
      enforced: key.policies?.enforcedPolicies?.map(toPolicyHit) ?? [],
      pending: key.policies?.pendingPolicies?.map(toPolicyHit) ?? [],
    },
    packetsIn: flow.packetsIn ?? 0,
    packetsOut: flow.packetsOut ?? 0,
    bytesIn: flow.bytesIn ?? 0,
    bytesOut: flow.bytesOut ?? 0,
    connectionsStarted: flow.numConnectionsStarted ?? 0,
    connectionsCompleted: flow.numConnectionsCompleted ?? 0,
    connectionsLive: flow.numConnectionsLive ?? 0,
    key: keyId,
    id: `${keyId}@${startSeconds}`,
  };
}
