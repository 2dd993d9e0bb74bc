import { labelNamesOf, type FamilySpec, type MetricGroup } from './spec.js';

// docs/metrics.md's tables, generated from the family specs: the prose around
// them is written by hand, each `<!-- metrics: <group> -->` ... `<!-- /metrics -->`
// block is replaced by the group's table. A test fails when the committed
// file differs from what this renders.

const OPEN = /^<!-- metrics: ([a-z0-9-]+) -->$/;
const CLOSE = '<!-- /metrics -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function labelsCell(spec: FamilySpec): string {
  const names = labelNamesOf(spec);
  if (names.length === 0) return 'none (1 series)';
  // The class in plain text: backticks in this column are label names only.
  return names.map((name) => `\`${name}\`: ${cell(spec.labels![name]!.replace(/`/g, ''))}`).join('<br>');
}

export function renderMetricTable(families: readonly FamilySpec[]): string {
  const rows = families.map((spec) => {
    const type = spec.type;
    return `| \`${spec.name}\` | ${type} | ${labelsCell(spec)} | ${cell(spec.doc ?? spec.help)} |`;
  });
  return ['| name | type | labels: cardinality | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/**
 * The text with every marked block regenerated. Throws when a marker names a
 * group that does not exist, a group has no marker, or a block is not closed.
 */
export function renderMetricsReference(text: string, groups: readonly MetricGroup[]): string {
  const byId = new Map(groups.map((group) => [group.id, group]));
  const seen = new Set<string>();
  const lines = text.split('\n');
  const out: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    out.push(line);
    const open = OPEN.exec(line);
    if (!open) continue;
    const group = byId.get(open[1]!);
    if (!group) throw new Error(`docs/metrics.md: no metric group "${open[1]}"`);
    seen.add(group.id);
    let end = index + 1;
    while (end < lines.length && lines[end] !== CLOSE) end++;
    if (end === lines.length) throw new Error(`docs/metrics.md: block "${group.id}" is not closed with ${CLOSE}`);
    out.push(renderMetricTable(group.families), CLOSE);
    index = end;
  }
  const missing = groups.filter((group) => !seen.has(group.id)).map((group) => group.id);
  if (missing.length > 0) throw new Error(`docs/metrics.md: no block for metric group(s) ${missing.join(', ')}`);
  return out.join('\n');
}
