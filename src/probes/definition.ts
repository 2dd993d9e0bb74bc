import { defineComponent } from '../components/component.js';
import { KUBE } from '../kube/service.js';
import { probesSchema } from './config.js';
import { Prober } from './prober.js';
import { PROBE_FAMILIES } from './probe-metrics.js';
import { NET_EXPORTER_FLAGS } from './flags.js';

export const probesDefinition = defineComponent({
  name: 'probes',
  kind: 'source',
  description: 'DNS and peer latency probes (net-exporter): wire-level DNS over UDP and TCP, TCP connect and UDP echo to peer agents.',
  kubePods: 'none',
  metrics: PROBE_FAMILIES,
  flags: NET_EXPORTER_FLAGS,
  schema: probesSchema,
  // The DNS Service's ClusterIP; the peers Service's ready endpoints and its ClusterIP.
  kubernetes: (config) =>
    config.peers.service !== undefined
      ? { setting: 'probes.peers.service', kinds: ['services', 'endpointslices'] }
      : config.dns.service !== undefined
        ? { setting: 'probes.dns.service', kinds: ['services'] }
        : undefined,
  create: (config, context) => new Prober({ config, logger: context.logger, metrics: context.metrics, identity: context.identity, kube: () => context.services.get(KUBE) }),
});
