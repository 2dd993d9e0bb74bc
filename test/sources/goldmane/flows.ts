import protobuf from 'protobufjs/minimal.js';
import { goldmane } from '../../../src/sources/goldmane/codec.js';
import { bucket } from '../../support/goldmane-server.js';

// Flow reports as Goldmane sends them, for the scenarios.

type Key = goldmane.FlowKey.$Properties;

export const WEB_TO_DB: Key = {
  sourceName: 'web-*',
  sourceNamespace: 'shop',
  sourceType: goldmane.EndpointType.WorkloadEndpoint,
  destName: 'db-*',
  destNamespace: 'data',
  destType: goldmane.EndpointType.WorkloadEndpoint,
  destPort: 5432,
  destServiceName: 'db',
  destServiceNamespace: 'data',
  destServicePortName: 'postgres',
  destServicePort: 5432,
  proto: 'tcp',
  reporter: goldmane.Reporter.Src,
  action: goldmane.Action.Allow,
  policies: {
    enforcedPolicies: [{ kind: goldmane.PolicyKind.CalicoNetworkPolicy, namespace: 'shop', name: 'allow-db', tier: 'default', action: goldmane.Action.Allow, policyIndex: 0, ruleIndex: 1 }],
    pendingPolicies: [{ kind: goldmane.PolicyKind.StagedNetworkPolicy, namespace: 'shop', name: 'staged.lockdown', tier: 'default', action: goldmane.Action.Deny, policyIndex: 0, ruleIndex: -1 }],
  },
};

export const DNS_DENIED: Key = {
  sourceName: 'batch-*',
  sourceNamespace: 'jobs',
  sourceType: goldmane.EndpointType.WorkloadEndpoint,
  destName: 'pub',
  destNamespace: '',
  destType: goldmane.EndpointType.Network,
  destPort: 53,
  destServiceName: '-',
  destServiceNamespace: '-',
  destServicePortName: '-',
  proto: 'udp',
  reporter: goldmane.Reporter.Dst,
  action: goldmane.Action.Deny,
  policies: {
    enforcedPolicies: [{ kind: goldmane.PolicyKind.GlobalNetworkPolicy, name: 'security.deny-egress', tier: 'security', action: goldmane.Action.Deny, policyIndex: 1, ruleIndex: 0 }],
  },
};

export const PASSED: Key = {
  sourceName: 'node-1',
  sourceType: goldmane.EndpointType.HostEndpoint,
  destName: 'api-*',
  destNamespace: 'shop',
  destType: goldmane.EndpointType.WorkloadEndpoint,
  destPort: 8080,
  proto: 'tcp',
  reporter: goldmane.Reporter.Dst,
  action: goldmane.Action.Pass,
  policies: {
    enforcedPolicies: [
      {
        kind: goldmane.PolicyKind.EndOfTier,
        tier: 'platform',
        action: goldmane.Action.Pass,
        policyIndex: 2,
        ruleIndex: -1,
        trigger: { kind: goldmane.PolicyKind.GlobalNetworkPolicy, name: 'platform.observe', tier: 'platform', action: goldmane.Action.Pass },
      },
    ],
  },
};

/** A key from a newer Calico: enum numbers this flowlens does not know. */
export const FROM_THE_FUTURE: Key = {
  sourceName: 'mesh-*',
  sourceNamespace: 'mesh',
  sourceType: 42 as goldmane.EndpointType,
  destName: 'gateway-*',
  destNamespace: 'mesh',
  destType: goldmane.EndpointType.WorkloadEndpoint,
  destPort: 443,
  proto: 'tcp',
  reporter: 9 as goldmane.Reporter,
  action: 7 as goldmane.Action,
  policies: { enforcedPolicies: [{ kind: 99 as goldmane.PolicyKind, name: 'future-policy', tier: 'default', action: 7 as goldmane.Action }] },
};

export interface Counts {
  readonly connections?: number;
  readonly packetsIn?: number;
  readonly packetsOut?: number;
  readonly bytesIn?: number;
  readonly bytesOut?: number;
}

export function report(id: number, key: Key, interval: number, counts: Counts = {}): goldmane.FlowResult.$Properties {
  return {
    id,
    flow: {
      Key: key,
      ...bucket(interval),
      sourceLabels: ['app=demo'],
      destLabels: [],
      packetsIn: counts.packetsIn ?? 0,
      packetsOut: counts.packetsOut ?? 0,
      bytesIn: counts.bytesIn ?? 0,
      bytesOut: counts.bytesOut ?? 0,
      numConnectionsStarted: counts.connections ?? 0,
      numConnectionsCompleted: counts.connections ?? 0,
      numConnectionsLive: 0,
    },
  };
}

/**
 * The same report with fields this flowlens does not know: source_ips (13,
 * proposed upstream) inside Flow and field 99 on FlowResult. They are skipped.
 */
export function withUnknownFields(result: goldmane.FlowResult.$Properties): Buffer {
  const flow = protobuf.Writer.create();
  goldmane.Flow.encode(result.flow ?? {}, flow);
  flow.uint32((13 << 3) | 2).string('10.0.0.7');
  const outer = protobuf.Writer.create();
  outer.uint32((1 << 3) | 0).int64(result.id ?? 0);
  outer.uint32((2 << 3) | 2).bytes(flow.finish());
  outer.uint32((99 << 3) | 0).uint32(1);
  return Buffer.from(outer.finish());
}

