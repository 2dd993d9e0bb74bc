import type { CounterSpec, FamilySpec, GaugeSpec } from '../metrics/spec.js';

// The Kubernetes metadata cache's families (present while a component uses
// the cache). None expire.

const KIND = 'fixed (7 kinds at most)';

export const KUBE_EVENTS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_kube_events_total',
  help: 'Watch events received, by kind and type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR).',
  labels: { kind: KIND, type: 'fixed (5)' },
  doc: 'Watch events: ADDED, MODIFIED, DELETED, BOOKMARK, ERROR.',
  expires: false,
};

export const KUBE_RELISTS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_kube_relists_total',
  help: 'Full lists after the first (410 Gone or an error that lost the watch position), by kind.',
  labels: { kind: KIND },
  doc: 'Full lists after the first (410 Gone, or an error that lost the watch position).',
  expires: false,
};

export const KUBE_ERRORS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_kube_errors_total',
  help: 'Failed list or watch calls, by kind and HTTP status (0: no answer).',
  labels: { kind: KIND, status: 'HTTP statuses seen (few)' },
  doc: 'Failed list or watch calls; `status` 0: no answer (API server down).',
  expires: false,
};

export const KUBE_WATCH_MALFORMED: CounterSpec = {
  type: 'counter',
  name: 'flowlens_kube_watch_malformed_total',
  help: 'Watch events that were not well-formed (each one is followed by a relist), by kind.',
  labels: { kind: KIND },
  doc: 'Watch events that were not well-formed (not an object, no object, no metadata or name); each is logged (at most a line per 10 s) and followed by a relist.',
  expires: false,
};

export const KUBE_LAST_SYNC: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_kube_last_sync_timestamp_seconds',
  help: 'When the last full list of the kind completed (Unix time).',
  labels: { kind: KIND },
  doc: 'When the last full list completed (unix seconds).',
  expires: false,
};

export const KUBE_OBJECTS: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_kube_objects',
  help: 'Objects held in the cache, by kind.',
  labels: { kind: KIND },
  doc: 'Objects held in the cache.',
  expires: false,
};

export const KUBE_SYNCED: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_kube_synced',
  help: '1 once the kind completed its first list, 0 before (and for a kind the agent may not read).',
  labels: { kind: KIND },
  doc: '1 once the kind completed its first list.',
  expires: false,
};

export const KUBE_IP_LOOKUPS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_kube_ip_lookups_total',
  help: 'IP lookups, by what the IP resolved to (pod, service, node, miss).',
  labels: { result: 'fixed (4)' },
  doc: 'IP lookups: pod, service, node, miss.',
  expires: false,
};

export const KUBE_FAMILIES: readonly FamilySpec[] = [KUBE_OBJECTS, KUBE_SYNCED, KUBE_LAST_SYNC, KUBE_EVENTS, KUBE_RELISTS, KUBE_ERRORS, KUBE_WATCH_MALFORMED, KUBE_IP_LOOKUPS];
