import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import pino from 'pino';
import { Agent } from '../../src/agent.js';
import { loadConfig } from '../../src/config/load.js';

// docs/metrics.md must describe every family the agent registers, with the
// same type and labels.

interface DocumentedFamily {
  readonly type: string;
  readonly labels: string[];
}

function documentedFamilies(): Map<string, DocumentedFamily> {
  const text = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
  const families = new Map<string, DocumentedFamily>();
  for (const match of text.matchAll(/^\| `([a-z_:][a-z0-9_:]*)` \| (\w+) \| ([^|]*) \|/gm)) {
    const labels = [...(match[3] as string).matchAll(/`(\w+)`/g)].map((label) => label[1] as string);
    families.set(match[1] as string, { type: match[2] as string, labels });
  }
  return families;
}

test('docs/metrics.md lists every family the agent registers, with type and labels', () => {
  const loaded = loadConfig({ env: {}, flags: { listen: '127.0.0.1:0' } });
  const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger: pino({ level: 'silent' }), version: 'test' });
  const documented = documentedFamilies();
  const registered = [...agent.metrics.budget.all()];
  assert.ok(registered.length >= 6);
  for (const family of registered) {
    const entry = documented.get(family.name);
    assert.ok(entry, `${family.name} is not in docs/metrics.md`);
    assert.equal(entry.type, family.type, `type of ${family.name}`);
    assert.deepEqual(entry.labels, [...family.labelNames], `labels of ${family.name}`);
  }
  for (const name of documented.keys()) {
    assert.ok(registered.some((family) => family.name === name), `docs/metrics.md lists ${name}, which nothing registers`);
  }
});
