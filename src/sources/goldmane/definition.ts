import { defineComponent } from '../../components/component.js';
import { goldmaneSchema } from './config.js';
import { GoldmaneSource } from './goldmane-source.js';
import { GOLDMANE_FAMILIES } from './metrics.js';
import { GOLDMANE_ENVIRONMENT } from './env.js';

export const goldmaneDefinition = defineComponent({
  name: 'goldmane',
  kind: 'source',
  description: 'Calico Goldmane flow stream (gRPC), the source of the Prometheus flow metrics and flow logs.',
  kubePods: 'none',
  metrics: GOLDMANE_FAMILIES,
  env: GOLDMANE_ENVIRONMENT,
  schema: goldmaneSchema,
  enableEnv: ['GOLDMANE_ADDR', 'GOLDMANE_HOST'],
  producesFlows: true,
  create: (config, context) => new GoldmaneSource({ config, ...context }),
});
