import type { CounterSpec, FamilySpec, GaugeSpec } from '../../metrics/spec.js';

// The Goldmane source's families. None expire.

const self = { expires: false } as const;

export const STREAM_UP: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_goldmane_stream_up',
  help: '1 while the Goldmane stream is open and healthy.',
  doc: '1 while the stream is open and healthy, 0 while (re)connecting.',
  ...self,
};

export const RECONNECTS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_goldmane_reconnects_total',
  help: 'Goldmane streams that ended and were reopened, by reason (gRPC status, eof, tls, tls_files, protocol, idle).',
  labels: { reason: 'fixed (gRPC status names, eof, tls, tls_files, protocol, idle)' },
  doc: 'Streams that ended and were reopened, by why they ended: `tls` (a TLS failure: Goldmane refused the client certificate, or its own certificate is not trusted or does not name the server name; told apart from `unavailable`, Goldmane unreachable), `protocol` (a frame that is not gRPC), `idle` (no report for `goldmane.idleTimeout`).',
  ...self,
};

export const MESSAGES: CounterSpec = {
  type: 'counter',
  name: 'flowlens_goldmane_messages_total',
  help: 'Flow reports received from Goldmane.',
  ...self,
};

export const DUPLICATES: CounterSpec = {
  type: 'counter',
  name: 'flowlens_goldmane_duplicates_total',
  help: 'Flow reports skipped because their (flow key, start_time) was already counted.',
  doc: 'Reports skipped because their (flow key, start_time) was already counted (Goldmane re-sends buckets after a reconnect).',
  ...self,
};

export const SKIPPED: CounterSpec = {
  type: 'counter',
  name: 'flowlens_goldmane_skipped_total',
  help: 'Messages that could not be used, by reason (decode, incomplete).',
  labels: { reason: 'fixed (2: decode, incomplete)' },
  doc: 'Messages that could not be used: `decode` (not a valid FlowResult), `incomplete` (no flow key or times).',
  ...self,
};

export const REPORTS_SKIPPED: CounterSpec = {
  type: 'counter',
  name: 'flowlens_goldmane_reports_skipped_total',
  help: 'Decoded flow reports not counted because their values are impossible, by reason (bad_interval, future, negative_counter).',
  labels: { reason: 'fixed (3: bad_interval, future, negative_counter)' },
  doc: "Decoded reports not counted because their values are impossible: `bad_interval` (end_time 0 or before start_time), `future` (starting more than 10 minutes ahead of this agent's clock), `negative_counter`. They move neither the resume point nor the dedupe window.",
  ...self,
};

export const KNOWN_KEYS: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_goldmane_known_keys',
  help: 'Decoded flow keys kept for the flow keys being reported (goldmane.maxKeys at most).',
  doc: 'Decoded flow keys kept for the keys being reported (at most `goldmane.maxKeys`; a key not reported for a minute is dropped).',
  ...self,
};

export const EVICTIONS: CounterSpec = {
  type: 'counter',
  name: 'flowlens_goldmane_evictions_total',
  help: "Flow keys dropped from the source's memory, by what held them (known_keys, dedupe) and why (idle: not reported for a minute; limit: goldmane.maxKeys reached).",
  labels: { cache: 'fixed (2: known_keys, dedupe)', reason: 'fixed (2: idle, limit)' },
  doc: "Flow keys dropped from the source's memory: `cache` `known_keys` or `dedupe`, `reason` `idle` (not reported for a minute) or `limit` (`goldmane.maxKeys` reached: raise it, or the memory limit, when this grows).",
  ...self,
};

export const LAST_MESSAGE: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_goldmane_last_message_timestamp_seconds',
  help: 'When the last flow report arrived (unix seconds).',
  doc: "When the last report arrived (unix seconds; the source's start time until the first one); alert when `time() - it` exceeds a few minutes.",
  ...self,
};

export const GAP: CounterSpec = {
  type: 'counter',
  name: 'flowlens_goldmane_gap_seconds_total',
  help: "Seconds of flow data lost because an outage outlasted Goldmane's one-hour memory.",
  ...self,
};

export const DEDUPE_KEYS: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_goldmane_dedupe_keys',
  help: 'Flow keys remembered to recognize re-sent reports.',
  doc: 'Flow keys remembered to recognize re-sent reports: one entry per key whose newest report is within `goldmane.dedupeWindow` (at most `goldmane.maxKeys`).',
  ...self,
};

export const GOLDMANE_FAMILIES: readonly FamilySpec[] = [STREAM_UP, RECONNECTS, MESSAGES, DUPLICATES, SKIPPED, REPORTS_SKIPPED, KNOWN_KEYS, EVICTIONS, LAST_MESSAGE, GAP, DEDUPE_KEYS];
