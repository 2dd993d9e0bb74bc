import type { Metrics } from '../../metrics/pipeline.js';
import type { CounterFamily, GaugeFamily } from '../../metrics/series-budget.js';
import type { CounterSpec, FamilySpec, GaugeSpec } from '../../metrics/spec.js';

// The families of a delivering sink (queue, batches, retries, checkpoint),
// named after its prefix: `flowlens_otlp_*` for the OTLP sink. A new sink
// built on the shared delivery gets the same families under its own prefix.

export interface DeliveryFamilySpecs {
  readonly exported: CounterSpec;
  readonly failures: CounterSpec;
  readonly retries: CounterSpec;
  readonly dropped: CounterSpec;
  readonly deferred: CounterSpec;
  readonly possibleDuplicates: CounterSpec;
  readonly responses: CounterSpec;
  readonly lastSuccess: GaugeSpec;
  readonly queueDepth: GaugeSpec;
}

/**
 * @param prefix family name prefix, e.g. `flowlens_otlp`
 * @param section the sink's configuration section (named in the docs), e.g. `otlp`
 * @param receiver what receives the records, e.g. `the OTLP receiver`
 */
export function deliverySpecs(prefix: string, section: string, receiver: string): DeliveryFamilySpecs {
  const self = { expires: false } as const;
  return {
    exported: {
      type: 'counter',
      name: `${prefix}_exported_total`,
      help: `Flow log records ${receiver} acknowledged.`,
      ...self,
    },
    failures: {
      type: 'counter',
      name: `${prefix}_export_failures_total`,
      help: 'Export attempts that failed, by reason (http_<status>, network, timeout, other).',
      labels: { reason: 'fixed (a few: http_<status>, network, timeout, other)' },
      ...self,
    },
    retries: {
      type: 'counter',
      name: `${prefix}_retries_total`,
      help: 'Batches sent again after a transient failure.',
      doc: 'Batches sent again after a transient failure (the receiver unreachable, 429, 502, 503, 504, a timeout).',
      ...self,
    },
    dropped: {
      type: 'counter',
      name: `${prefix}_dropped_total`,
      help: 'Flow log records given up, by reason (queue_full, rejected, shutdown).',
      labels: { reason: 'fixed (3: queue_full, rejected, shutdown)' },
      doc: `Records given up: \`queue_full\` (the receiver was down or slow longer than \`${section}.queueSize\` records), \`rejected\` (the receiver answered 4xx), \`shutdown\` (not exported at the stop deadline, without a checkpoint). Alert on any increase.`,
      ...self,
    },
    deferred: {
      type: 'counter',
      name: `${prefix}_deferred_total`,
      help: 'Flow log records not exported before the stop deadline but kept in the checkpoint: the next start re-reads them from the flow source.',
      doc: `Records not exported at the stop deadline but kept in the checkpoint (\`${section}.checkpointFile\`): the next start re-reads them from the flow source.`,
      ...self,
    },
    possibleDuplicates: {
      type: 'counter',
      name: `${prefix}_possible_duplicates_total`,
      help: 'Flow log records sent again after an attempt the receiver may have taken (no answer in time, or the connection broke after the request was sent).',
      doc: `Records sent again after an attempt the receiver may have taken (no answer within \`${section}.timeout\`, or the connection broke after the request was sent): delivery is at least once.`,
      ...self,
    },
    responses: {
      type: 'counter',
      name: `${prefix}_http_responses_total`,
      help: `HTTP responses from ${receiver}, by status code (one per export request).`,
      labels: { code: 'status codes seen (few)' },
      ...self,
    },
    lastSuccess: {
      type: 'gauge',
      name: `${prefix}_last_success_timestamp_seconds`,
      help: 'When the receiver last acknowledged a batch (unix seconds).',
      ...self,
    },
    queueDepth: {
      type: 'gauge',
      name: `${prefix}_queue_depth`,
      help: 'Flow log records waiting for export, the batch in flight included.',
      ...self,
    },
  };
}

export function deliveryFamilyList(specs: DeliveryFamilySpecs): FamilySpec[] {
  return Object.values(specs);
}

/** The registered families of one delivering sink. */
export class DeliveryMetrics {
  readonly exported: CounterFamily;
  readonly failures: CounterFamily;
  readonly retries: CounterFamily;
  readonly dropped: CounterFamily;
  readonly deferred: CounterFamily;
  readonly possibleDuplicates: CounterFamily;
  readonly responses: CounterFamily;
  readonly lastSuccess: GaugeFamily;
  readonly queueDepth: GaugeFamily;

  constructor(metrics: Metrics, specs: DeliveryFamilySpecs) {
    this.exported = metrics.counter(specs.exported);
    this.failures = metrics.counter(specs.failures);
    this.retries = metrics.counter(specs.retries);
    this.dropped = metrics.counter(specs.dropped);
    this.deferred = metrics.counter(specs.deferred);
    this.possibleDuplicates = metrics.counter(specs.possibleDuplicates);
    this.responses = metrics.counter(specs.responses);
    this.lastSuccess = metrics.gauge(specs.lastSuccess);
    this.queueDepth = metrics.gauge(specs.queueDepth);
    for (const counter of [this.exported, this.retries, this.deferred, this.possibleDuplicates]) counter.inc(undefined, 0);
  }
}
