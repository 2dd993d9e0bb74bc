import { writeFileSync } from 'node:fs';
import { componentDefinitions } from '../src/components/registry.js';
import { renderConfigurationReference } from '../src/config/reference.js';

// Regenerates the documentation that is derived from code.
const target = new URL('../../docs/configuration.md', import.meta.url);
writeFileSync(target, renderConfigurationReference(componentDefinitions));
process.stdout.write(`wrote ${target.pathname}\n`);
