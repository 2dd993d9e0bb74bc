import { defineComponent } from '../../components/component.js';
import { otlpSchema } from './config.js';
import { OtlpSink } from './otlp-sink.js';

export const otlpDefinition = defineComponent({
  name: 'otlp',
  kind: 'sink',
  description: 'Flow logs as OpenTelemetry log records over OTLP/HTTP (protobuf or JSON): Loki, an OpenTelemetry Collector, a SIEM.',
  kubePods: 'none',
  schema: otlpSchema,
  enableEnv: ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT'],
  create: (config, context) => {
    const sink = new OtlpSink({ config, ...context });
    context.flows.subscribe(sink);
    return sink;
  },
});
