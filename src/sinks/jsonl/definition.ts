import { defineComponent } from '../../components/component.js';
import { jsonlSchema } from './config.js';
import { JSONL_FAMILIES, JsonlSink } from './jsonl-sink.js';

export const jsonlDefinition = defineComponent({
  name: 'jsonl',
  kind: 'sink',
  description: 'Flow logs as JSON lines on standard output or in a file (the OTLP record body).',
  kubePods: 'none',
  metrics: JSONL_FAMILIES,
  schema: jsonlSchema,
  create: (config, context) => {
    const sink = new JsonlSink({ config, logger: context.logger, metrics: context.metrics });
    return sink;
  },
});
