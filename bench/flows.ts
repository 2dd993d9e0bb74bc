import { goldmane } from '../src/sources/goldmane/codec.js';

// The flow keys both flow benchmarks use: pods in 25 namespaces talking to
// backends, a tenth denied, a third with a staged (pending) policy.

export const KEYS = 4_000;

export function benchKey(index: number): goldmane.FlowKey.$Properties {
  const allow = index % 10 !== 0;
  return {
    sourceName: `frontend-${index % 400}-*`,
    sourceNamespace: `team-${index % 25}`,
    sourceType: goldmane.EndpointType.WorkloadEndpoint,
    destName: `backend-${index % 150}-*`,
    destNamespace: `team-${(index * 7) % 25}`,
    destType: goldmane.EndpointType.WorkloadEndpoint,
    destPort: 1_024 + index,
    destServiceName: `backend-${index % 150}`,
    destServiceNamespace: `team-${(index * 7) % 25}`,
    destServicePortName: 'http',
    destServicePort: 80,
    proto: index % 7 === 0 ? 'udp' : 'tcp',
    reporter: index % 2 === 0 ? goldmane.Reporter.Src : goldmane.Reporter.Dst,
    action: allow ? goldmane.Action.Allow : goldmane.Action.Deny,
    policies: {
      enforcedPolicies: [
        { kind: goldmane.PolicyKind.CalicoNetworkPolicy, namespace: `team-${index % 25}`, name: allow ? 'allow-backend' : 'default-deny', tier: 'default', action: allow ? goldmane.Action.Allow : goldmane.Action.Deny, policyIndex: 0, ruleIndex: 0 },
      ],
      pendingPolicies: index % 3 === 0 ? [{ kind: goldmane.PolicyKind.StagedNetworkPolicy, namespace: `team-${index % 25}`, name: 'staged.tighten', tier: 'default', action: goldmane.Action.Deny }] : [],
    },
  };
}

/** The 8 labels of `calico_flow_allow`, for the /metrics benchmarks. */
export const SERIES_LABELS = ['reporter', 'protocol', 'src_namespace', 'src_pod', 'src_port', 'dst_namespace', 'dst_object', 'dst_port'];

/** A distinct label set of `calico_flow_allow` per index (up to 100,000 × 50,000 distinct). */
export function seriesLabels(index: number): Record<string, string> {
  return {
    reporter: index % 2 === 0 ? 'src' : 'dst',
    protocol: index % 3 === 0 ? 'udp' : 'tcp',
    src_namespace: `namespace-${index % 40}`,
    src_pod: `deployment-${index % 2_500}-*`,
    src_port: '0',
    dst_namespace: `namespace-${(index * 7) % 40}`,
    dst_object: `service-${index % 997}-*`,
    dst_port: String(1_024 + (index % 50_000)),
  };
}
