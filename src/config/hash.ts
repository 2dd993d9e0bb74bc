import { createHash } from 'node:crypto';
import type { Config } from './core.js';

// flowlens_config_info{hash} and check-config's `# config hash:` line.

/** The effective configuration's identity: SHA-256 of its JSON with keys sorted. */
export function configHash(config: Config): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
          )
        : value;
  return createHash('sha256').update(JSON.stringify(canonical(config))).digest('hex');
}
