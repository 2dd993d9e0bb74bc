import type { GaugeSpec } from './metrics/spec.js';

// The agent's own families (beside the metrics pipeline's and the HTTP server's).

export const COMPONENT_UP: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_component_up',
  help: '1 while the component works, 0 while it does not (see /ready for the reason).',
  labels: { component: 'per component' },
  doc: '1 while the component works, 0 while it does not (the `/ready` body says why).',
  expires: false,
};
