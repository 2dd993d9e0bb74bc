import { readFileSync } from 'node:fs';

// The families docs/metrics.md documents, read from its tables
// (| `name` | type | `label`, ... | ...), for the tests that hold code and
// dashboards to it.

export interface DocumentedFamily {
  readonly type: string;
  readonly labels: string[];
}

export function metricsDocText(): string {
  return readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
}

export function documentedFamilies(text = metricsDocText()): Map<string, DocumentedFamily> {
  const families = new Map<string, DocumentedFamily>();
  for (const match of text.matchAll(/^\| `([a-z_:][a-z0-9_:]*)` \| (\w+) \|([^|]*)\|/gm)) {
    families.set(match[1]!, { type: match[2]!, labels: [...match[3]!.matchAll(/`(\w+)`:/g)].map((label) => label[1]!) });
  }
  return families;
}
