import * as z from 'zod';
import type { ComponentDefinition } from '../components/component.js';
import { coreSections } from './core.js';

// The single source of configuration truth: the agent's sections (core.ts)
// and every component's (its definition). docs/configuration.md is generated
// from this schema and the environment rows; a test fails when they drift.

/**
 * The whole configuration's schema: the core sections and every component's.
 * `families`, when given, are the metric family names `metrics.families` may name.
 */
export function buildConfigSchema(definitions: readonly ComponentDefinition[], families?: ReadonlySet<string>) {
  const sections: Record<string, z.ZodType> = {};
  for (const definition of definitions) {
    if (definition.schema === undefined) continue;
    if (definition.name in coreSections) throw new Error(`component name clashes with core section: ${definition.name}`);
    sections[definition.name] = definition.schema.meta({ description: definition.description });
  }
  const schema = z.strictObject({ ...coreSections, ...sections });
  if (families === undefined) return schema;
  return schema.superRefine((config, context) => {
    for (const name of Object.keys(config.metrics.families)) {
      if (!families.has(name)) context.addIssue({ code: 'custom', path: ['metrics', 'families', name], message: 'is not a metric family of flowlens (see docs/metrics.md)' });
    }
  });
}

export type { Config } from './core.js';
