import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { test } from 'node:test';
import { componentDefinitions } from '../src/registry.js';

// The structure docs/design.md describes, held by a test: no import cycle,
// no import from a lower layer to a higher one, and each component's
// knowledge in its own folder (shared files name no component).

const SRC = resolve(new URL('../../src', import.meta.url).pathname);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import of every module (type imports too), as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']+)\.js';/gms)].map((match) => relative(SRC, resolve(dirname(file), `${match[1]}.ts`)));
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** Layers, lowest first: a module may import its own layer and lower ones. */
const LAYERS: ReadonlyArray<readonly [string, RegExp]> = [
  ['foundation', /^(log|metrics|retry|flow|server)\/|^version\.ts$|^config\/(address|duration|errors|fields|core|env|redact|json-schema|hash)\.ts$/],
  ['contracts', /^components\//],
  ['configuration', /^config\/(schema|load|reference|print)\.ts$/],
  ['components', /^(kube|sources|sinks|probes|accounting|ui)\/|^enrich\/(?!run-enrich\.ts$)/],
  ['composition', /^(registry|preflight|agent|agent-metrics|reload|cli|run-collect)\.ts$|^enrich\/run-enrich\.ts$|^demo\//],
];

function layerOf(module: string): number {
  const layers = LAYERS.flatMap(([, pattern], index) => (pattern.test(module) ? [index] : []));
  if (layers.length === 1) return layers[0]!;
  throw new Error(`${module} is in ${layers.length} layers, not one: add it to LAYERS in test/structure.test.ts and docs/design.md`);
}

test('no module imports from a higher layer (contracts name no concrete service)', () => {
  const violations: string[] = [];
  for (const [module, targets] of importGraph()) {
    for (const target of targets) {
      if (layerOf(target) > layerOf(module)) violations.push(`${module} (${LAYERS[layerOf(module)]![0]}) imports ${target} (${LAYERS[layerOf(target)]![0]})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('no import cycle', () => {
  const graph = importGraph();
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (module: string, path: string[]): void => {
    if (state.get(module) === 'done') return;
    if (state.get(module) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(module)), module].join(' -> '));
      return;
    }
    state.set(module, 'visiting');
    for (const target of graph.get(module) ?? []) visit(target, [...path, module]);
    state.set(module, 'done');
  };
  for (const module of graph.keys()) visit(module, []);
  assert.deepEqual(cycles, []);
});

test('shared files name no component: each one is its folder plus one registry line', () => {
  assert.ok(componentDefinitions.length >= 7);
  const shared = ['config/env.ts', 'config/core.ts', 'config/schema.ts', 'config/load.ts', 'cli.ts', 'agent.ts', 'preflight.ts', 'components/component.ts', 'metrics/pipeline.ts', 'flow/flow-bus.ts', 'server/http-server.ts'];
  const names = componentDefinitions.map((definition) => definition.name);
  for (const file of shared) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const code = text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
    for (const name of names) {
      assert.doesNotMatch(code, new RegExp(`['"\`]${name}['"\`.]|\\b${name}(Definition|Schema|Config)\\b`), `${file} names the ${name} component`);
    }
  }
});
