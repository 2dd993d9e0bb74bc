import { createHash } from 'node:crypto';
import { interfaceSuffix } from '../kube/objects.js';

// The demo's synthetic cluster: a few namespaces and workloads on four nodes,
// services, Kubernetes NetworkPolicies, and traffic between them, some of it
// denied. Every simulated peer (Kubernetes API, Goldmane, DNS, the iptables
// dump) serves this one model, so what flowlens reports lines up across its
// components. The agent itself runs as the flowlens pod on node n1.

export interface DemoPod {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly ip: string;
  readonly app: string;
  readonly workload: DemoWorkload;
  readonly ownerKind: string;
  readonly ownerName: string;
}

export interface DemoWorkload {
  readonly namespace: string;
  readonly name: string;
  readonly kind: 'Deployment' | 'DaemonSet' | 'StatefulSet';
  readonly replicas: number;
  readonly port: number;
  readonly clusterIP?: string;
}

export interface DemoFlow {
  readonly from: DemoWorkload;
  readonly to: DemoWorkload | 'internet';
  readonly port: number;
  readonly proto: 'tcp' | 'udp';
  readonly allowed: boolean;
  /** The policy that decided it ("namespace/name" of a Kubernetes NetworkPolicy, or a GlobalNetworkPolicy name). */
  readonly policy: string;
  /** New connections per 15 s interval, on average. */
  readonly rate: number;
}

export const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;
/** Node whose flowlens pod is listed ready but does not answer (its probes fail: refused). */
export const DOWN_NODE = 'n5';
/** The flowlens Service's ClusterIP: a loopback stand-in, so probing it (as net-exporter did) stays on this machine. */
export const FLOWLENS_SERVICE_IP = '127.0.0.10';
export const LOCAL_NODE = 'n1';

const frontend: DemoWorkload = { namespace: 'shop', name: 'frontend', kind: 'Deployment', replicas: 2, port: 8080, clusterIP: '10.96.10.10' };
const cart: DemoWorkload = { namespace: 'shop', name: 'cart', kind: 'Deployment', replicas: 2, port: 8080, clusterIP: '10.96.10.11' };
const checkout: DemoWorkload = { namespace: 'shop', name: 'checkout', kind: 'Deployment', replicas: 1, port: 8080, clusterIP: '10.96.10.12' };
const postgres: DemoWorkload = { namespace: 'data', name: 'postgres', kind: 'StatefulSet', replicas: 1, port: 5432, clusterIP: '10.96.20.10' };
const redis: DemoWorkload = { namespace: 'data', name: 'redis', kind: 'Deployment', replicas: 1, port: 6379, clusterIP: '10.96.20.11' };
const coredns: DemoWorkload = { namespace: 'kube-system', name: 'coredns', kind: 'Deployment', replicas: 2, port: 53, clusterIP: '10.96.0.10' };
const flowlens: DemoWorkload = { namespace: 'monitoring', name: 'flowlens', kind: 'DaemonSet', replicas: NODES.length, port: 8000, clusterIP: FLOWLENS_SERVICE_IP };

export const WORKLOADS: readonly DemoWorkload[] = [frontend, cart, checkout, postgres, redis, coredns, flowlens];

export const FLOWS: readonly DemoFlow[] = [
  { from: frontend, to: cart, port: 8080, proto: 'tcp', allowed: true, policy: 'shop/allow-frontend', rate: 40 },
  { from: frontend, to: checkout, port: 8080, proto: 'tcp', allowed: true, policy: 'shop/allow-frontend', rate: 12 },
  { from: cart, to: redis, port: 6379, proto: 'tcp', allowed: true, policy: 'data/allow-shop', rate: 60 },
  { from: checkout, to: postgres, port: 5432, proto: 'tcp', allowed: true, policy: 'data/allow-shop', rate: 8 },
  { from: frontend, to: postgres, port: 5432, proto: 'tcp', allowed: false, policy: 'data/default-deny', rate: 3 },
  { from: cart, to: 'internet', port: 443, proto: 'tcp', allowed: false, policy: 'security.deny-egress', rate: 2 },
  { from: checkout, to: coredns, port: 53, proto: 'udp', allowed: true, policy: 'kube-system/allow-dns', rate: 25 },
];

const hash = (text: string, length: number): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/** Pods, deterministic names and IPs; flowlens' pods sit on loopback stand-ins (127.0.0.1-5) so the probes stay on this machine. */
export function pods(): readonly DemoPod[] {
  return PODS;
}

function makePods(): readonly DemoPod[] {
  const out: DemoPod[] = [];
  let sequence = 0;
  for (const workload of WORKLOADS) {
    for (let i = 0; i < workload.replicas; i++) {
      const node = workload.kind === 'DaemonSet' ? NODES[i]! : NODES[(sequence + i) % NODES.length]!;
      const template = hash(`${workload.namespace}/${workload.name}`, 9);
      const ownerName = workload.kind === 'Deployment' ? `${workload.name}-${template}` : workload.name;
      const ownerKind = workload.kind === 'Deployment' ? 'ReplicaSet' : workload.kind;
      const name = workload.kind === 'StatefulSet' ? `${workload.name}-${i}` : `${ownerName}-${hash(`${workload.name}${i}`, 5)}`;
      const nodeIndex = NODES.indexOf(node as (typeof NODES)[number]) + 1;
      const ip = workload === flowlens ? `127.0.0.${nodeIndex}` : `10.244.${nodeIndex}.${10 + sequence}`;
      out.push({ namespace: workload.namespace, name, node, ip, app: workload.name, workload, ownerKind, ownerName });
      sequence++;
    }
  }
  return out;
}

// The cluster does not change: its pods are made once.
const PODS = makePods();

export function nodeIP(node: string): string {
  return `10.0.0.${NODES.indexOf(node as (typeof NODES)[number]) + 11}`;
}

/** The pod's Calico interface (cali + 11 hex digits of sha1("namespace.pod")). */
export function calicoInterface(pod: DemoPod): string {
  return `cali${interfaceSuffix(pod.namespace, pod.name)}`;
}

/** Flows of one 15 s interval, with connection counts around each flow's rate. */
export function intervalCounts(flow: DemoFlow, interval: number): number {
  // Deterministic wobble: the same interval gives the same count (a re-sent bucket is identical).
  const wobble = Number.parseInt(hash(`${flow.from.name}>${flow.port}@${interval}`, 4), 16) / 0xffff;
  return Math.max(flow.allowed ? 1 : 0, Math.round(flow.rate * (0.5 + wobble)));
}
