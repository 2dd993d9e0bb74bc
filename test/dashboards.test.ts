import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { documentedFamilies, metricsDocText, type DocumentedFamily } from './support/metrics-doc.js';

// Every query of every dashboard in deploy/grafana names only metrics that
// docs/metrics.md documents (and that the metrics-doc test proves are
// registered), with labels those metrics have: a renamed metric or label
// breaks this test, not an operator's dashboard.

const DIR = new URL('../../deploy/grafana/', import.meta.url);

type Family = DocumentedFamily;

function documented(): Map<string, Family> {
  const text = metricsDocText();
  const families = documentedFamilies(text);
  // prom-client's default process metrics, named in the "Process metrics" section.
  for (const name of text.matchAll(/`(process_[a-z_]+)`/g)) families.set(name[1]!, { type: 'gauge', labels: [] });
  return families;
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);
// Aggregations may be followed by their grouping rather than a parenthesis: sum by (x) (...).
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values']);

/** The family a series name belongs to (histogram series carry _bucket, _sum, _count). */
function familyOf(name: string, families: Map<string, Family>): { family: Family; extra: string[] } | undefined {
  const direct = families.get(name);
  if (direct) return { family: direct, extra: [] };
  const suffix = /^(.*)_(bucket|sum|count)$/.exec(name);
  const base = suffix ? families.get(suffix[1]!) : undefined;
  if (base?.type === 'histogram') return { family: base, extra: suffix![2] === 'bucket' ? ['le'] : [] };
  return undefined;
}

const queries = (): { file: string; title: string; expr: string }[] =>
  readdirSync(DIR)
    .filter((file) => file.endsWith('.json'))
    .flatMap((file) => {
      const dashboard = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[]; templating: { list: { query?: string }[] } };
      return [
        ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ file, title: panel.title, expr: target.expr }))),
        ...dashboard.templating.list.filter((variable) => typeof variable.query === 'string' && variable.query.includes('(')).map((variable) => ({ file, title: 'variable', expr: variable.query! })),
      ];
    });

test('the four dashboards exist: flows, policies, probes, agent', () => {
  assert.deepEqual(readdirSync(DIR).filter((file) => file.endsWith('.json')).sort(), ['agent.json', 'flows.json', 'policies.json', 'probes.json']);
});

test('every metric in every dashboard query is in docs/metrics.md, with labels it has', () => {
  const families = documented();
  const all = queries();
  assert.ok(all.length >= 20);
  for (const { file, title, expr } of all) {
    const where = `${file} "${title}": ${expr}`;
    // label_values(metric, label)
    for (const match of expr.matchAll(/label_values\((\w+),\s*(\w+)\)/g)) {
      const found = familyOf(match[1]!, families);
      assert.ok(found, `${where}: ${match[1]} is not documented`);
      assert.ok(found.family.labels.includes(match[2]!), `${where}: ${match[1]} has no label ${match[2]}`);
    }
    const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/label_values\([^)]*\)/g, '');
    const metrics: { family: Family; extra: string[] }[] = [];
    for (const match of withoutStrings.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\{([^}]*)\})?/g)) {
      const name = match[1]!;
      const index = match.index;
      const before = withoutStrings.slice(0, index);
      const after = withoutStrings.slice(index + name.length);
      if (/^\s*\(/.test(after) || KEYWORDS.has(name) || AGGREGATIONS.has(name) || /^\d/.test(name)) continue; // a function, aggregation or keyword
      if (/(by|without)\s*\([^)]*$/.test(before)) continue; // a grouping label
      if (/\{[^}]*$/.test(before)) continue; // inside a selector: a label name
      if (/^\d+[smhdw]?$/.test(name) || /\[[^\]]*$/.test(before)) continue; // a range
      const found = familyOf(name, families);
      assert.ok(found, `${where}: ${name} is not in docs/metrics.md`);
      metrics.push(found);
      for (const selector of (match[3] ?? '').matchAll(/(\w+)\s*(=~|!~|!=|=)/g)) {
        assert.ok([...found.family.labels, ...found.extra, 'job', 'instance'].includes(selector[1]!), `${where}: ${name} has no label ${selector[1]}`);
      }
    }
    assert.ok(metrics.length > 0 || /label_values\(/.test(expr), `${where}: no metric found`);
    for (const group of withoutStrings.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
      for (const label of group[1]!.split(',').map((part) => part.trim()).filter(Boolean)) {
        assert.ok(
          metrics.some((metric) => [...metric.family.labels, ...metric.extra].includes(label)),
          `${where}: no metric of the query has the label ${label}`,
        );
      }
    }
  }
});
