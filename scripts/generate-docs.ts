import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigurationReference } from '../src/config/reference.js';
import { renderMetricsReference } from '../src/metrics/reference.js';
import { componentDefinitions, metricGroups } from '../src/registry.js';

// Regenerates the documentation that is derived from code.
const configuration = new URL('../../docs/configuration.md', import.meta.url);
writeFileSync(configuration, renderConfigurationReference(componentDefinitions));
process.stdout.write(`wrote ${configuration.pathname}\n`);
const metrics = new URL('../../docs/metrics.md', import.meta.url);
writeFileSync(metrics, renderMetricsReference(readFileSync(metrics, 'utf8'), metricGroups()));
process.stdout.write(`wrote ${metrics.pathname}\n`);
