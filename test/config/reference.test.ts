import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { componentDefinitions } from '../../src/registry.js';
import { environmentRows } from '../../src/config/env.js';
import { renderConfigurationReference } from '../../src/config/reference.js';
import { widgetDefinition } from '../support/components.js';

const committed = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

test('docs/configuration.md is generated from the schema (run npm run docs)', () => {
  assert.equal(committed, renderConfigurationReference(componentDefinitions));
});

test('the reference lists every key with its default and environment variables', () => {
  for (const key of ['server.listen', 'server.tls.certFile', 'server.basicAuth.passwordFile', 'metrics.maxSeriesPerMetric', 'metrics.seriesTtl', 'log.level', 'enable', 'shutdownTimeout']) {
    assert.ok(committed.includes(`| \`${key}\` |`), `missing ${key}`);
  }
  assert.match(committed, /\| `server\.listen` \| address \| `":9090"` \| `METRICS_ADDR`, `METRICS_SERVER_PORT` \|/);
  assert.match(committed, /\| `metrics\.seriesTtl` \| duration \| `"10m"` \|/);
  for (const row of environmentRows(componentDefinitions)) assert.ok(committed.includes(`| \`${row.name}\` |`), `missing variable ${row.name}`);
});

test('component sections appear in the reference with their fields and enabling variables', () => {
  const text = renderConfigurationReference([widgetDefinition]);
  assert.match(text, /## `widget`\n\nA test source\./);
  assert.match(text, /\| `widget\.interval` \| duration \| `"15s"` \|/);
  assert.match(text, /\| `widget\.token` \| secret string \| - \|/);
  assert.match(text, /\| `widget` \| source \| `WIDGET_ADDR` \| A test source\. \|/);
});
