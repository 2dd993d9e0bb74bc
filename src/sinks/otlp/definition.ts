import { defineComponent } from '../../components/component.js';
import { otlpSchema } from './config.js';
import { OTLP_FAMILIES, OtlpSink } from './otlp-sink.js';
import { deliveryFamilyList } from '../delivery/metrics.js';
import { OTLP_ENVIRONMENT } from './env.js';

export const otlpDefinition = defineComponent({
  name: 'otlp',
  kind: 'sink',
  description: 'Flow logs as OpenTelemetry log records over OTLP/HTTP (protobuf or JSON): Loki, an OpenTelemetry Collector, a SIEM.',
  kubePods: 'none',
  metrics: deliveryFamilyList(OTLP_FAMILIES),
  env: OTLP_ENVIRONMENT,
  schema: otlpSchema,
  enableEnv: ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT'],
  create: (config, context) => {
    const sink = new OtlpSink({ config, ...context });
    return sink;
  },
});
