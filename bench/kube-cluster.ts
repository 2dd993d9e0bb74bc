import { parentPort, workerData } from 'node:worker_threads';
import { KubeApiServer } from '../test/support/kube-api-server.js';
import { pod } from '../test/support/kube-fixtures.js';

// A synthetic cluster behind the list/watch test API server, run in a worker
// thread by the Kubernetes benchmarks so its objects live in another heap
// than the cache being measured. Pods get 10.<a>.<b>.<c> IPs, services
// 172.<a>.<b>.<c>; every 10th pod is a bare pod, the rest belong to
// Deployments through ReplicaSets.

export interface ClusterShape {
  readonly pods: number;
  readonly services: number;
}

export const podIp = (index: number): string => `10.${(index >> 16) & 0xff}.${(index >> 8) & 0xff}.${index & 0xff}`;
export const serviceIp = (index: number): string => `172.${16 + ((index >> 16) & 0x0f)}.${(index >> 8) & 0xff}.${index & 0xff}`;

if (parentPort && workerData) {
  const shape = workerData as ClusterShape;
  const api = new KubeApiServer();
  api.pageSize = 500;
  const deployments = Math.max(1, Math.floor(shape.pods / 10));
  for (let d = 0; d < deployments; d++) {
    api.apply('replicasets', { metadata: { name: `app-${d}-5d8f7c9b6`, namespace: `ns-${d % 50}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `app-${d}`, uid: `u${d}`, controller: true }] } });
  }
  for (let i = 0; i < shape.pods; i++) {
    const d = i % deployments;
    const bare = i % 10 === 9;
    api.apply(
      'pods',
      pod({
        namespace: `ns-${d % 50}`,
        name: bare ? `job-runner-${i}` : `app-${d}-5d8f7c9b6-${i.toString(36).padStart(5, '0')}`,
        node: i % 2 === 0 ? 'n1' : 'n2',
        ips: [podIp(i)],
        ...(bare ? {} : { owners: [{ kind: 'ReplicaSet', name: `app-${d}-5d8f7c9b6` }], labels: { app: `app-${d}`, 'pod-template-hash': '5d8f7c9b6' } }),
      }),
    );
  }
  for (let s = 0; s < shape.services; s++) {
    api.apply('services', { metadata: { name: `svc-${s}`, namespace: `ns-${s % 50}`, labels: { app: `app-${s}` } }, spec: { type: 'ClusterIP', clusterIP: serviceIp(s), clusterIPs: [serviceIp(s)], ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: `app-${s}` } } });
  }
  await api.start();
  parentPort.postMessage(api.writeKubeconfig());
  parentPort.on('message', (message) => {
    if (message === 'stop') void api.stop().then(() => process.exit(0));
  });
}
