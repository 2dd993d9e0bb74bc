// The Kubernetes objects the metadata cache keeps: each arriving object (list
// item or watch event) is cut down to what lookups need, so memory is
// O(pods) and small. Every slim object keeps `metadata` with name, namespace
// and resourceVersion, the fields client-node's ListWatch relies on.
//
// The slimmers take whatever JSON the API server sent: a field of the wrong
// type reads as absent, never throws. Addresses the cache indexes are kept in
// canonical form (ip.ts), so indexing and unindexing never re-parse them.

import { createHash } from 'node:crypto';
import { canonicalIp } from './ip.js';

export interface Meta {
  readonly name: string;
  readonly namespace?: string;
  readonly resourceVersion?: string;
}

export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
}

export interface SlimPod {
  readonly metadata: Meta;
  readonly nodeName: string;
  readonly hostIP: string;
  /** Every status.podIPs entry (status.podIP when podIPs is absent), canonical, invalid ones dropped. */
  readonly ips: readonly string[];
  /** Calico's workload interface suffix for this pod (interfaceSuffix). */
  readonly interfaceSuffix: string;
  readonly hostNetwork: boolean;
  /** Every ownerReference, in order (the seed reports the first one). */
  readonly owners: readonly OwnerRef[];
  /** The `app` label (calico-accountant's `app` label), else ''. */
  readonly app: string;
  /** The `pod-template-hash` label, for deriving a Deployment without watching ReplicaSets. */
  readonly templateHash: string;
  /** Succeeded or Failed: its IP may already belong to another pod. */
  readonly terminated: boolean;
  /** metadata.generateName: Goldmane names a set of pods by it (`<generateName>*`). */
  readonly generateName: string;
}

export interface SlimService {
  readonly metadata: Meta;
  /** spec.clusterIPs (or spec.clusterIP), canonical, without "None" and "". */
  readonly clusterIPs: readonly string[];
}

export interface SlimNode {
  readonly metadata: Meta;
  /** InternalIP addresses, canonical. */
  readonly internalIPs: readonly string[];
}

export interface SlimEndpoint {
  readonly addresses: readonly string[];
  /** conditions.ready; absent counts as ready, as the API documents. */
  readonly ready: boolean;
  readonly nodeName: string;
  /** targetRef of kind Pod, else ''. */
  readonly pod: string;
}

export interface SlimEndpointSlice {
  readonly metadata: Meta;
  /** The kubernetes.io/service-name label. */
  readonly service: string;
  readonly addressType: string;
  readonly endpoints: readonly SlimEndpoint[];
  readonly ports: readonly { readonly name: string; readonly port: number; readonly protocol: string }[];
}

/** ReplicaSets and Jobs: metadata only (their owner is all the cache needs). */
export interface SlimOwned {
  readonly metadata: Meta;
  readonly owners: readonly OwnerRef[];
}

type Json = Record<string, unknown>;

const object = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const string = (value: unknown): string => (typeof value === 'string' ? value : '');

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_OWNERS: readonly OwnerRef[] = Object.freeze([]);

function meta(raw: unknown): Meta {
  const metadata = object(raw);
  const out: { name: string; namespace?: string; resourceVersion?: string } = { name: string(metadata.name) };
  const namespace = string(metadata.namespace);
  if (namespace !== '') out.namespace = namespace;
  const resourceVersion = string(metadata.resourceVersion);
  if (resourceVersion !== '') out.resourceVersion = resourceVersion;
  return out;
}

function owners(metadata: unknown): readonly OwnerRef[] {
  const refs = array(object(metadata).ownerReferences);
  if (refs.length === 0) return NO_OWNERS;
  return refs.map((ref) => ({ kind: string(object(ref).kind), name: string(object(ref).name) })).filter((ref) => ref.kind !== '' && ref.name !== '');
}

function strings(values: unknown[]): readonly string[] {
  const out = values.map(string).filter((value) => value !== '');
  return out.length === 0 ? NO_STRINGS : out;
}

/** Canonical IP addresses, each once; anything that is not an IP (such as "None") dropped. */
function ips(values: unknown[]): readonly string[] {
  const out: string[] = [];
  for (const value of values) {
    const ip = canonicalIp(string(value));
    if (ip !== undefined && !out.includes(ip)) out.push(ip);
  }
  return out.length === 0 ? NO_STRINGS : out;
}

/** Calico's workload interface suffix: the first 11 hex digits of sha1("namespace.pod"). */
export function interfaceSuffix(namespace: string, pod: string): string {
  return createHash('sha1').update(`${namespace}.${pod}`).digest('hex').slice(0, 11);
}

export function slimPod(raw: unknown): SlimPod {
  const pod = object(raw);
  const metadata = object(pod.metadata);
  const spec = object(pod.spec);
  const status = object(pod.status);
  const labels = object(metadata.labels);
  let podIPs = ips(array(status.podIPs).map((entry) => object(entry).ip));
  if (podIPs.length === 0) podIPs = ips([status.podIP]);
  const phase = string(status.phase);
  const slimMeta = meta(metadata);
  return {
    metadata: slimMeta,
    nodeName: string(spec.nodeName),
    hostIP: string(status.hostIP),
    ips: podIPs,
    interfaceSuffix: interfaceSuffix(slimMeta.namespace ?? '', slimMeta.name),
    hostNetwork: spec.hostNetwork === true,
    owners: owners(metadata),
    app: string(labels.app),
    templateHash: string(labels['pod-template-hash']),
    terminated: phase === 'Succeeded' || phase === 'Failed',
    generateName: string(metadata.generateName),
  };
}

export function slimService(raw: unknown): SlimService {
  const service = object(raw);
  const spec = object(service.spec);
  let given = array(spec.clusterIPs);
  if (given.length === 0 && spec.clusterIP !== undefined) given = [spec.clusterIP];
  return { metadata: meta(service.metadata), clusterIPs: ips(given) };
}

export function slimNode(raw: unknown): SlimNode {
  const node = object(raw);
  const addresses = array(object(node.status).addresses).map(object);
  return {
    metadata: meta(node.metadata),
    internalIPs: ips(addresses.filter((address) => address.type === 'InternalIP').map((address) => address.address)),
  };
}

export function slimEndpointSlice(raw: unknown): SlimEndpointSlice {
  const slice = object(raw);
  const metadata = object(slice.metadata);
  return {
    metadata: meta(metadata),
    service: string(object(metadata.labels)['kubernetes.io/service-name']),
    addressType: string(slice.addressType),
    endpoints: array(slice.endpoints).map((raw) => {
      const endpoint = object(raw);
      const target = object(endpoint.targetRef);
      return {
        addresses: strings(array(endpoint.addresses)),
        ready: object(endpoint.conditions).ready !== false,
        nodeName: string(endpoint.nodeName),
        pod: target.kind === 'Pod' ? string(target.name) : '',
      };
    }),
    ports: array(slice.ports).map((raw) => {
      const port = object(raw);
      return { name: string(port.name), port: typeof port.port === 'number' ? port.port : 0, protocol: string(port.protocol) || 'TCP' };
    }),
  };
}

/** A ReplicaSet or Job, full or PartialObjectMetadata: only the owners are kept. */
export function slimOwned(raw: unknown): SlimOwned {
  const metadata = object(object(raw).metadata);
  return { metadata: meta(metadata), owners: owners(metadata) };
}

/** namespace/name, the store key. */
export function keyOf(metadata: Meta): string {
  return metadata.namespace === undefined ? metadata.name : `${metadata.namespace}/${metadata.name}`;
}
