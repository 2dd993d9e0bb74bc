import YAML from 'yaml';
import { formatDuration } from './duration.js';
import { configHash } from './hash.js';
import type { SchemaNode } from './json-schema.js';
import type { LoadedConfig } from './load.js';
import { REDACTED, redactUrls } from './redact.js';

// The effective configuration as check-config prints it: YAML that loads back
// to the same configuration, durations written as durations, secrets hidden.

export { REDACTED };

export function printableConfig(value: unknown, node: SchemaNode | undefined): unknown {
  if (value === undefined || value === null) return value;
  if (node?.secret) return REDACTED;
  if (node?.format === 'duration' && typeof value === 'number') return formatDuration(value);
  if (typeof value === 'string') return redactUrls(value);
  if (Array.isArray(value)) return value.map((item) => printableConfig(item, node?.items));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // Schema order first, so the output reads like the reference.
    const keys = [...Object.keys(node?.properties ?? {}), ...Object.keys(value)];
    for (const key of new Set(keys)) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) out[key] = printableConfig(child, node?.properties?.[key]);
    }
    return out;
  }
  return value;
}

export function renderEffectiveConfig(loaded: LoadedConfig): string {
  const enabled = loaded.enabled.map((definition) => definition.name);
  const header = [
    '# flowlens effective configuration',
    `# config file: ${loaded.configFile ?? '(none)'}`,
    `# enabled components: ${enabled.length > 0 ? enabled.join(', ') : '(none)'}`,
    `# config hash: ${configHash(loaded.config)} (flowlens_config_info)`,
  ];
  const body = YAML.stringify(printableConfig(loaded.config, loaded.schema), { lineWidth: 0 });
  return `${header.join('\n')}\n${body}`;
}
