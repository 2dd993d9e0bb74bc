import { defineComponent } from '../components/component.js';
import { uiSchema, type UiConfig } from './config.js';
import { UI_STREAM_FAMILIES } from './flow-streams.js';
import { WebView } from './ui-component.js';

// The web view at /ui/ and its API under /api/v1/ (docs/ui.md). It runs on
// its own unless ui.enabled is false.

export const uiDefinition = defineComponent({
  name: 'ui',
  kind: 'sink',
  description: 'The web view at /ui/ (flows, service map, policies, probes) and its API under /api/v1/ (ui.enabled).',
  kubePods: 'none',
  schema: uiSchema,
  metrics: UI_STREAM_FAMILIES,
  auto: ({ config }) => (config.ui as UiConfig | undefined)?.enabled === true,
  create: (config, context) =>
    new WebView({
      config,
      logger: context.logger,
      metrics: context.metrics,
      http: context.http,
      ...(config.root !== undefined ? { root: config.root } : {}),
      running: () => {
        const graph = context.graph();
        return { flows: graph.some((member) => member.producesFlows), probes: graph.some((member) => member.name === 'probes'), accounting: graph.some((member) => member.name === 'accounting') };
      },
    }),
});
