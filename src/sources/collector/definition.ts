import { defineComponent } from '../../components/component.js';
import { CollectorSource } from './collector-source.js';
import { collectorSchema } from './config.js';
import { COLLECTOR_FAMILIES } from './metrics.js';

export const collectorDefinition = defineComponent({
  name: 'collector',
  kind: 'source',
  description: 'NetFlow v5/v9, IPFIX and sFlow v5 collector (UDP, goflow2 listen URLs): flows from routers, switches, hosts and CNIs, enriched from the Kubernetes cache.',
  kubePods: 'none',
  metrics: COLLECTOR_FAMILIES,
  schema: collectorSchema,
  producesFlows: true,
  flowAddresses: true,
  create: (config, context) => new CollectorSource({ config, logger: context.logger, metrics: context.metrics, flows: context.flows }),
});
