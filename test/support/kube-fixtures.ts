import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeApiServer } from './kube-api-server.js';

// The fixture cluster: every shape the enricher must get right.
//
// | IP                    | what                                                      |
// |-----------------------|-----------------------------------------------------------|
// | 10.244.1.10           | pod web-7d4f8b9c6d-x2x7q, Deployment web via ReplicaSet   |
// | 10.244.1.11           | pod node-agent-5sj2k, DaemonSet node-agent                |
// | 10.244.2.10           | pod db-0, StatefulSet db                                  |
// | 10.244.2.11           | pod report-29170560-h7c2m, Job report-29170560 (CronJob report) |
// | 10.244.1.12           | bare pod debug                                            |
// | 10.0.0.11             | node n1 (and host-network pod kube-proxy-n1: not a pod IP) |
// | 10.0.0.12, fd00::12   | node n2                                                   |
// | 10.244.2.12, fd00:10:244:2::c | dual-stack pod api-6b9f5d7c8-rt5vx, Deployment api |
// | 10.244.3.3            | two bare pods, blue and green (ambiguous)                 |
// | 10.244.1.13           | pod orphan-rs-k2j4h, ReplicaSet orphan-rs without owner   |
// | 10.96.0.10            | service shop/web                                          |
// | 10.96.0.20, fd00:96::20 | dual-stack service shop/api                             |
// | (None)                | headless service shop/db                                  |
// | 192.0.2.1             | unknown                                                   |

export interface PodSpec {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly ips: readonly string[];
  readonly owners?: readonly { kind: string; name: string }[];
  readonly labels?: Record<string, string>;
  readonly hostNetwork?: boolean;
  readonly phase?: string;
  /** metadata.generateName; default: the name up to its last `-`, for pods a controller made. */
  readonly generateName?: string;
}

const NODE_IPS: Record<string, string> = { n1: '10.0.0.11', n2: '10.0.0.12' };

/** What the controllers set: ReplicaSets, DaemonSets and Jobs name pods `<generateName><random>`. */
function generateName(spec: PodSpec): string | undefined {
  if (spec.generateName !== undefined) return spec.generateName;
  const controller = spec.owners?.[0]?.kind;
  if (controller !== 'ReplicaSet' && controller !== 'DaemonSet' && controller !== 'Job') return undefined;
  return spec.name.slice(0, spec.name.lastIndexOf('-') + 1);
}

export function pod(spec: PodSpec): { metadata: { name: string; namespace: string; [key: string]: unknown }; [key: string]: unknown } {
  return {
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      uid: `uid-${spec.namespace}-${spec.name}`,
      ...(generateName(spec) ? { generateName: generateName(spec) } : {}),
      labels: spec.labels ?? {},
      ...(spec.owners ? { ownerReferences: spec.owners.map((owner) => ({ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: `uid-${owner.name}`, controller: true })) } : {}),
      managedFields: [{ manager: 'kubelet', operation: 'Update', fieldsV1: { 'f:status': { 'f:conditions': {} } } }],
    },
    spec: {
      nodeName: spec.node,
      ...(spec.hostNetwork ? { hostNetwork: true } : {}),
      containers: [{ name: 'main', image: 'registry.example/app:1.0', ports: [{ containerPort: 8080 }], env: [{ name: 'A', value: 'x'.repeat(200) }] }],
    },
    status: {
      phase: spec.phase ?? 'Running',
      hostIP: NODE_IPS[spec.node],
      hostIPs: [{ ip: NODE_IPS[spec.node] }],
      podIP: spec.ips[0],
      podIPs: spec.ips.map((ip) => ({ ip })),
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export function loadFixtureCluster(api: KubeApiServer): void {
  api.apply('nodes', { metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.11' }, { type: 'Hostname', address: 'n1' }] } });
  api.apply('nodes', { metadata: { name: 'n2' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.12' }, { type: 'InternalIP', address: 'fd00::12' }, { type: 'Hostname', address: 'n2' }] } });

  api.apply('replicasets', { metadata: { name: 'web-7d4f8b9c6d', namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true }] }, spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } } } } });
  api.apply('replicasets', { metadata: { name: 'api-6b9f5d7c8', namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: 'uid-api', controller: true }] } });
  api.apply('replicasets', { metadata: { name: 'orphan-rs', namespace: 'shop' } });
  api.apply('jobs', { metadata: { name: 'report-29170560', namespace: 'batch', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'uid-report', controller: true }] } });

  api.apply('pods', pod({ namespace: 'shop', name: 'web-7d4f8b9c6d-x2x7q', node: 'n1', ips: ['10.244.1.10'], owners: [{ kind: 'ReplicaSet', name: 'web-7d4f8b9c6d' }], labels: { app: 'web', 'pod-template-hash': '7d4f8b9c6d' } }));
  api.apply('pods', pod({ namespace: 'kube-system', name: 'node-agent-5sj2k', node: 'n1', ips: ['10.244.1.11'], owners: [{ kind: 'DaemonSet', name: 'node-agent' }], labels: { app: 'node-agent' } }));
  api.apply('pods', pod({ namespace: 'shop', name: 'db-0', node: 'n2', ips: ['10.244.2.10'], owners: [{ kind: 'StatefulSet', name: 'db' }], labels: { app: 'db' } }));
  api.apply('pods', pod({ namespace: 'batch', name: 'report-29170560-h7c2m', node: 'n2', ips: ['10.244.2.11'], owners: [{ kind: 'Job', name: 'report-29170560' }] }));
  api.apply('pods', pod({ namespace: 'default', name: 'debug', node: 'n1', ips: ['10.244.1.12'] }));
  api.apply('pods', pod({ namespace: 'kube-system', name: 'kube-proxy-n1', node: 'n1', ips: ['10.0.0.11'], hostNetwork: true, owners: [{ kind: 'DaemonSet', name: 'kube-proxy' }] }));
  api.apply('pods', pod({ namespace: 'shop', name: 'api-6b9f5d7c8-rt5vx', node: 'n2', ips: ['10.244.2.12', 'fd00:10:244:2::c'], owners: [{ kind: 'ReplicaSet', name: 'api-6b9f5d7c8' }], labels: { app: 'api', 'pod-template-hash': '6b9f5d7c8' } }));
  api.apply('pods', pod({ namespace: 'default', name: 'blue', node: 'n2', ips: ['10.244.3.3'] }));
  api.apply('pods', pod({ namespace: 'default', name: 'green', node: 'n2', ips: ['10.244.3.3'] }));
  api.apply('pods', pod({ namespace: 'shop', name: 'orphan-rs-k2j4h', node: 'n1', ips: ['10.244.1.13'], owners: [{ kind: 'ReplicaSet', name: 'orphan-rs' }] }));

  api.apply('services', { metadata: { name: 'web', namespace: 'shop' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80 }] } });
  api.apply('services', { metadata: { name: 'api', namespace: 'shop' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20', 'fd00:96::20'], ipFamilies: ['IPv4', 'IPv6'] } });
  api.apply('services', { metadata: { name: 'db', namespace: 'shop' }, spec: { clusterIP: 'None', clusterIPs: ['None'] } });

  api.apply('endpointslices', {
    metadata: { name: 'web-abc12', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.1.10'], conditions: { ready: true }, nodeName: 'n1', targetRef: { kind: 'Pod', name: 'web-7d4f8b9c6d-x2x7q', namespace: 'shop' } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
}

/** Writes a kubeconfig naming `server` (a bearer token, no CA) as dir/name; returns its path. */
export function kubeconfigFile(dir: string, server: string, name = 'kubeconfig'): string {
  const path = join(dir, name);
  writeFileSync(path, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: { server: "${server}" }\nusers:\n- name: u\n  user: { token: t }\ncontexts:\n- name: c\n  context: { cluster: c, user: u }\ncurrent-context: c\n`);
  return path;
}
