import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { REDACTED, renderEffectiveConfig } from '../../src/config/print.js';
import { widgetDefinition } from '../support/components.js';
import { tempDir } from '../support/temp.js';

test('check-config output hides secrets, writes durations and loads back to the same configuration', () => {
  const dir = tempDir('print');
  const source = join(dir, 'in.yaml');
  writeFileSync(
    source,
    'metrics:\n  seriesTtl: 90\nwidget:\n  token: s3cr3t-value\n  address: "https://user:hunter2@widget.example:443/x"\n',
  );
  const loaded = loadConfig({ configFile: source, env: {}, definitions: [widgetDefinition] });
  const printed = renderEffectiveConfig(loaded);
  assert.ok(!printed.includes('s3cr3t-value'), 'secret field redacted');
  assert.ok(!printed.includes('hunter2'), 'URL password redacted');
  assert.match(printed, /^# enabled components: widget$/m);
  assert.match(printed, /^ {2}seriesTtl: 1m30s$/m);
  assert.match(printed, /^ {2}interval: 15s$/m);
  assert.match(printed, new RegExp(`token: ${REDACTED.replace(/[<>]/g, '.')}`));

  const data = YAML.parse(printed) as Record<string, Record<string, unknown>>;
  const widget = data.widget as Record<string, unknown>;
  delete widget.token;
  widget.address = loaded.config.widget && (loaded.config.widget as { address: string }).address;
  const reloadedFile = join(dir, 'out.yaml');
  writeFileSync(reloadedFile, YAML.stringify(data));
  const reloaded = loadConfig({ configFile: reloadedFile, env: {}, definitions: [widgetDefinition] });
  const expected = structuredClone(loaded.config) as Record<string, unknown>;
  delete (expected.widget as Record<string, unknown>).token;
  assert.deepEqual(reloaded.config, expected);
});
