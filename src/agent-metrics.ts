import type { FamilySpec, GaugeSpec } from './metrics/spec.js';

// The agent's own families (beside the metrics pipeline's, the HTTP server's
// and the flow graph's). Named as Prometheus names its own reload metrics.

export const COMPONENT_UP: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_component_up',
  help: '1 while the component works, 0 while it does not (see /ready for the reason).',
  labels: { component: 'per component' },
  doc: '1 while the component works, 0 while it does not (the `/ready` body says why).',
  expires: false,
};

export const RELOAD_SUCCESSFUL: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_config_last_reload_successful',
  help: 'Whether the last configuration reload attempt succeeded (1) or was refused or failed (0); 1 at start.',
  doc: 'Whether the last reload (SIGHUP, `POST /-/reload`, a watched file change) was applied (1) or refused or failed (0); 1 at start. Alert on 0.',
  expires: false,
};

export const RELOAD_SUCCESS_TIME: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_config_last_reload_success_timestamp_seconds',
  help: 'When the configuration was last loaded successfully (unix seconds; the start time until the first reload).',
  expires: false,
};

export const CONFIG_INFO: GaugeSpec = {
  type: 'gauge',
  name: 'flowlens_config_info',
  help: 'Always 1; hash is the SHA-256 of the configuration in effect (file, environment and flags after defaults).',
  labels: { hash: 'fixed (1: the configuration in effect)' },
  doc: 'Always 1; `hash` is the SHA-256 of the effective configuration (`flowlens check-config` prints it), so a rollout can tell which agents run which configuration.',
  expires: false,
};

export const AGENT_FAMILIES: readonly FamilySpec[] = [COMPONENT_UP, RELOAD_SUCCESSFUL, RELOAD_SUCCESS_TIME, CONFIG_INFO];
