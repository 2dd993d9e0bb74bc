import { bucket, type TestStream } from '../support/goldmane-server.js';
import { DNS_DENIED, PASSED, WEB_TO_DB, report } from '../sources/goldmane/flows.js';

// What the flow-log sinks (otlp, jsonl) must write for the Goldmane reports of
// test/sources/goldmane/flows.ts: the body in calico-flow-logs-otlphttp-
// exporter's data model (Goldmane's Flow as protojson) and the flat attributes.

/** Three buckets of flows, with a re-sent bucket in the middle (as Goldmane may send it). */
export function streamThreeBuckets(stream: TestStream): void {
  stream.write(report(1, WEB_TO_DB, 0, { connections: 2, packetsIn: 10, packetsOut: 12, bytesIn: 1_000, bytesOut: 4_000 }));
  stream.write(report(2, DNS_DENIED, 0, { connections: 1, packetsOut: 1, bytesOut: 70 }));
  stream.write(report(1, WEB_TO_DB, 1, { connections: 1 }));
  stream.write(report(2, DNS_DENIED, 0, { connections: 1, packetsOut: 1, bytesOut: 70 }));
  stream.write(report(3, PASSED, 2));
}

export const EXPECTED_BODY = {
  Key: {
    sourceName: 'web-*',
    sourceNamespace: 'shop',
    sourceType: 'WorkloadEndpoint',
    destName: 'db-*',
    destNamespace: 'data',
    destType: 'WorkloadEndpoint',
    destPort: '5432',
    destServiceName: 'db',
    destServiceNamespace: 'data',
    destServicePortName: 'postgres',
    destServicePort: '5432',
    proto: 'tcp',
    reporter: 'Src',
    action: 'Allow',
    policies: {
      enforcedPolicies: [{ kind: 'CalicoNetworkPolicy', namespace: 'shop', name: 'allow-db', tier: 'default', action: 'Allow', ruleIndex: '1' }],
      pendingPolicies: [{ kind: 'StagedNetworkPolicy', namespace: 'shop', name: 'staged.lockdown', tier: 'default', action: 'Deny', ruleIndex: '-1' }],
    },
  },
  startTime: String(bucket(0).startTime),
  endTime: String(bucket(0).endTime),
  sourceLabels: ['app=demo'],
  packetsIn: '10',
  packetsOut: '12',
  bytesIn: '1000',
  bytesOut: '4000',
  numConnectionsStarted: '2',
  numConnectionsCompleted: '2',
};

export const EXPECTED_ATTRIBUTES = {
  action: 'Allow',
  reporter: 'Src',
  proto: 'tcp',
  source_name: 'web-*',
  source_namespace: 'shop',
  source_type: 'WorkloadEndpoint',
  dest_name: 'db-*',
  dest_namespace: 'data',
  dest_type: 'WorkloadEndpoint',
  dest_port: 5432,
  dest_service_name: 'db',
  dest_service_namespace: 'data',
  dest_service_port_name: 'postgres',
  dest_service_port: 5432,
  enforced_policies: ['shop/allow-db'],
  pending_policies: ['shop/staged.lockdown'],
  packets_in: 10,
  packets_out: 12,
  bytes_in: 1_000,
  bytes_out: 4_000,
  num_connections_started: 2,
  num_connections_completed: 2,
  num_connections_live: 0,
};

