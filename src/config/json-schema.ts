import * as z from 'zod';
import type { FieldFormat } from './fields.js';

// The configuration schema as JSON Schema: a stable, public view of the zod
// schema that the docs generator, the redactor and the file checks walk.

export interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  defaultText?: string;
  format?: FieldFormat | string;
  secret?: boolean;
  enum?: unknown[];
  const?: unknown;
  anyOf?: SchemaNode[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
}

export interface SchemaField {
  readonly path: readonly string[];
  readonly node: SchemaNode;
  readonly required: boolean;
}

export function toJsonSchema(schema: z.ZodType): SchemaNode {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as SchemaNode;
}

/** Every property of the schema, depth first, objects before their children. */
export function schemaFields(root: SchemaNode): SchemaField[] {
  const fields: SchemaField[] = [];
  const visit = (node: SchemaNode, path: readonly string[]): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const childPath = [...path, key];
      fields.push({ path: childPath, node: child, required: node.required?.includes(key) ?? false });
      if (child.properties) visit(child, childPath);
    }
  };
  visit(root, []);
  return fields;
}

export function getPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
