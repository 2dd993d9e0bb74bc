import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { calicoInterface, NODES, nodeIP, pods, WORKLOADS, type DemoPod } from './cluster.js';

// The demo cluster's Kubernetes API: list and watch (the subset
// @kubernetes/client-node's informers use) over HTTP on loopback, serving the
// synthetic cluster. The cluster does not change, so a watch carries only
// bookmarks until its timeout, as a quiet real cluster's would.

type Json = Record<string, unknown>;

const KINDS: Record<string, { kind: string; apiVersion: string; items: () => Json[] }> = {
  '/api/v1/pods': { kind: 'Pod', apiVersion: 'v1', items: () => pods().map(podObject) },
  '/api/v1/services': { kind: 'Service', apiVersion: 'v1', items: services },
  '/api/v1/nodes': { kind: 'Node', apiVersion: 'v1', items: nodes },
  '/apis/discovery.k8s.io/v1/endpointslices': { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', items: endpointSlices },
  '/apis/apps/v1/replicasets': { kind: 'ReplicaSet', apiVersion: 'apps/v1', items: replicaSets },
  '/apis/batch/v1/jobs': { kind: 'Job', apiVersion: 'batch/v1', items: () => [] },
  '/apis/networking.k8s.io/v1/networkpolicies': { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', items: networkPolicies },
};

const RESOURCE_VERSION = '1000';

function podObject(pod: DemoPod): Json {
  return {
    metadata: {
      name: pod.name,
      namespace: pod.namespace,
      resourceVersion: RESOURCE_VERSION,
      labels: { app: pod.app, ...(pod.ownerKind === 'ReplicaSet' ? { 'pod-template-hash': pod.ownerName.slice(pod.workload.name.length + 1) } : {}) },
      ...(pod.ownerKind !== 'StatefulSet' ? { generateName: pod.name.slice(0, pod.name.lastIndexOf('-') + 1) } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: pod.ownerKind, name: pod.ownerName, uid: `uid-${pod.ownerName}`, controller: true }],
      annotations: { 'cni.projectcalico.org/podIP': `${pod.ip}/32`, 'flowlens.demo/interface': calicoInterface(pod) },
    },
    spec: { nodeName: pod.node },
    status: { phase: 'Running', hostIP: nodeIP(pod.node), podIP: pod.ip, podIPs: [{ ip: pod.ip }] },
  };
}

function services(): Json[] {
  return WORKLOADS.filter((workload) => workload.clusterIP !== undefined).map((workload) => ({
    metadata: { name: workload.name, namespace: workload.namespace, resourceVersion: RESOURCE_VERSION },
    spec: { type: 'ClusterIP', clusterIP: workload.clusterIP, clusterIPs: [workload.clusterIP], ports: [{ port: workload.port }] },
  }));
}

function nodes(): Json[] {
  return NODES.map((name) => ({ metadata: { name, resourceVersion: RESOURCE_VERSION }, status: { addresses: [{ type: 'InternalIP', address: nodeIP(name) }, { type: 'Hostname', address: name }] } }));
}

function endpointSlices(): Json[] {
  return WORKLOADS.map((workload) => ({
    metadata: { name: `${workload.name}-demo`, namespace: workload.namespace, resourceVersion: RESOURCE_VERSION, labels: { 'kubernetes.io/service-name': workload.name } },
    addressType: 'IPv4',
    endpoints: pods()
      .filter((pod) => pod.workload === workload)
      .map((pod) => ({ addresses: [pod.ip], conditions: { ready: true }, nodeName: pod.node, targetRef: { kind: 'Pod', name: pod.name, namespace: pod.namespace } })),
    ports: [{ name: 'main', port: workload.port, protocol: 'TCP' }],
  }));
}

function replicaSets(): Json[] {
  const seen = new Map<string, Json>();
  for (const pod of pods()) {
    if (pod.ownerKind !== 'ReplicaSet') continue;
    seen.set(`${pod.namespace}/${pod.ownerName}`, {
      metadata: { name: pod.ownerName, namespace: pod.namespace, resourceVersion: RESOURCE_VERSION, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: pod.workload.name, uid: `uid-${pod.workload.name}`, controller: true }] },
    });
  }
  return [...seen.values()];
}

function networkPolicies(): Json[] {
  return ['shop/allow-frontend', 'data/allow-shop', 'data/default-deny', 'kube-system/allow-dns'].map((id) => {
    const [namespace, name] = id.split('/');
    return { metadata: { name, namespace, resourceVersion: RESOURCE_VERSION }, spec: { podSelector: {} } };
  });
}

export class DemoKubeApi {
  private server: Server | undefined;
  private readonly watches = new Set<ServerResponse>();
  url = '';

  async start(): Promise<void> {
    const server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** A kubeconfig pointing at this server. */
  writeKubeconfig(dir: string): string {
    const path = join(dir, 'kubeconfig');
    writeFileSync(
      path,
      `apiVersion: v1
kind: Config
clusters: [{ name: demo, cluster: { server: "${this.url}", insecure-skip-tls-verify: true } }]
users: [{ name: demo, user: { token: demo } }]
contexts: [{ name: demo, context: { cluster: demo, user: demo } }]
current-context: demo
`,
    );
    return path;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://demo');
    const kind = KINDS[url.pathname];
    if (request.method !== 'GET' || kind === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', status: 'Failure', code: 404, reason: 'NotFound' }));
      return;
    }
    let items = kind.items();
    const nodeSelector = /spec\.nodeName=([^,]+)/.exec(url.searchParams.get('fieldSelector') ?? '');
    if (nodeSelector) items = items.filter((item) => (item.spec as Json | undefined)?.nodeName === nodeSelector[1]);
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      this.watch(response, kind, Number(url.searchParams.get('timeoutSeconds') ?? 300));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: `${kind.kind}List`, apiVersion: kind.apiVersion, metadata: { resourceVersion: RESOURCE_VERSION }, items: items.map((item) => ({ kind: kind.kind, apiVersion: kind.apiVersion, ...item })) }));
  }

  /** A quiet watch: a bookmark every 10 s until the timeout the client asked for. */
  private watch(response: ServerResponse, kind: { kind: string; apiVersion: string }, timeoutSeconds: number): void {
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    response.flushHeaders();
    this.watches.add(response);
    const bookmark = (): void => {
      response.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: kind.kind, apiVersion: kind.apiVersion, metadata: { resourceVersion: RESOURCE_VERSION } } })}\n`);
    };
    const ticker = setInterval(bookmark, 10_000);
    const end = setTimeout(() => response.end(), Math.max(1, timeoutSeconds) * 1_000);
    response.on('close', () => {
      clearInterval(ticker);
      clearTimeout(end);
      this.watches.delete(response);
    });
  }

  async stop(): Promise<void> {
    for (const response of this.watches) response.destroy();
    const server = this.server;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A list or watch request still in flight (a client stopped mid-request) would hold close() forever.
    server.closeAllConnections();
    await closed;
  }
}
