import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../src/demo/run-demo.js';
import { launchChromium } from '../support/chromium.js';
import { toolSkip } from '../support/tools.js';

// The web view in a real browser (Debian's Chromium driven by
// playwright-core) against `flowlens demo`: rows within 10 s, filters in the
// URL, the service map's workloads and denied edges, an edge opening the
// filtered table, the policies and probes views, no console errors, and no
// serious or critical axe-core finding. Screenshots go to docs/images/.

const skip = toolSkip('chromium');

/** What the page functions below touch of the DOM (this project compiles without the DOM library). */
interface Dom {
  readonly document: {
    querySelectorAll(selector: string): ArrayLike<{ readonly textContent: string | null }>;
    readonly body: { readonly textContent: string | null };
  };
}
const require = createRequire(import.meta.url);
const IMAGES = join(process.cwd(), 'docs', 'images');

describe('the web view in Chromium, against the demo', { skip }, () => {
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    demo = await startDemo({ listen: '127.0.0.1:0', logger: pino({ level: 'silent' }), version: 'test' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    mkdirSync(IMAGES, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  /** axe-core in the page (evaluated over the DevTools protocol: the page's CSP stays on); serious and critical findings. */
  async function axeFindings(): Promise<string[]> {
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const results = (await page.evaluate('axe.run()')) as { violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> };
    return results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(', ')}`);
  }

  test('flows: rows within 10 s; a namespace filter narrows the rows and the URL; a row opens its record', async () => {
    await page.goto(demo.where.ui);
    await page.waitForSelector('table.flows tbody tr:not(.spacer)', { timeout: 10_000 });
    assert.ok((await page.locator('table.flows tbody tr:not(.spacer)').count()) > 0);
    await page.fill('input[name="namespace"]', 'data');
    await page.press('input[name="namespace"]', 'Tab');
    await page.waitForURL(/namespace=data/, { timeout: 5_000 });
    // Every row shown has data on one side (the cells' texts run together: no word boundary).
    await page.waitForFunction(
      () => {
        const rows = Array.from((globalThis as unknown as Dom).document.querySelectorAll('table.flows tbody tr:not(.spacer)'));
        return rows.length > 0 && rows.every((row) => /data \//.test(row.textContent ?? ''));
      },
      undefined,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: join(IMAGES, 'ui-flows.png') });
    await page.locator('table.flows tbody tr:not(.spacer) button.link').first().click();
    assert.match((await page.locator('dialog.record pre').textContent()) ?? '', /"Key"/);
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.record', { state: 'detached', timeout: 5_000 }); // Escape closes the record
    assert.deepEqual(await axeFindings(), []);
  });

  test("service map: the demo's workloads, a denied edge; clicking an edge filters the flow table to it", async () => {
    await page.goto(`${demo.where.ui}map?window=5m`);
    await page.waitForSelector('svg.map .node', { timeout: 15_000 });
    const names = await page.locator('svg.map .node text').allTextContents();
    for (const workload of ['frontend', 'cart', 'checkout', 'postgres', 'redis']) assert.ok(names.includes(workload), `${workload} in ${names.join(', ')}`);
    assert.ok((await page.locator('svg.map a.edge.denied').count()) >= 1, 'a denied edge');
    await page.screenshot({ path: join(IMAGES, 'ui-map.png') });
    assert.deepEqual(await axeFindings(), []);
    const edge = page.locator('svg.map a.edge.denied').first();
    const source = (await edge.getAttribute('data-source'))!.split('/')[1]!;
    // By keyboard: the edge is a link.
    await edge.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ui\/flows\?.*workload=/, { timeout: 5_000 });
    assert.match(page.url(), new RegExp(`workload=[^&]*${source.replace('*', '\\*')}`));
    await page.waitForSelector('table.flows tbody tr:not(.spacer)', { timeout: 10_000 });
  });

  test("policies and probes: the demo's policies, and the peer that is down", async () => {
    await page.goto(`${demo.where.ui}policies?window=5m`);
    await page.waitForFunction(() => /allow-frontend/.test((globalThis as unknown as Dom).document.body.textContent ?? ''), undefined, { timeout: 15_000 });
    const text = (await page.textContent('main')) ?? '';
    for (const policy of ['knp.default.allow-frontend', 'knp.default.allow-shop', 'security.deny-egress']) assert.ok(text.includes(policy), policy);
    await page.screenshot({ path: join(IMAGES, 'ui-policies.png') });
    assert.deepEqual(await axeFindings(), []);

    await page.goto(`${demo.where.ui}probes?window=5m`);
    await page.waitForSelector('tr.status-down', { timeout: 20_000 });
    assert.match((await page.locator('tbody tr').first().getAttribute('class')) ?? '', /status-down/, 'failing peers first');
    await page.screenshot({ path: join(IMAGES, 'ui-probes.png') });
    assert.deepEqual(await axeFindings(), []);
    assert.deepEqual(errors, [], 'no console errors');
  });
});

describe('the service map at 200 workloads', { skip }, () => {
  test('every workload drawn, no two nodes overlapping, namespaces around their workloads', async () => {
    const { Agent } = await import('../../src/agent.js');
    const { loadConfig } = await import('../../src/config/load.js');
    const { componentDefinitions } = await import('../../src/registry.js');
    const { addressSourceDefinition } = await import('../support/address-flow-source.js');
    // 200 workloads in 10 namespaces, each talking to two others; a tenth denied.
    const workloads = Array.from({ length: 200 }, (_, i) => ({ namespace: `team-${i % 10}`, name: `svc-${i}` }));
    const records = workloads.flatMap((from, i) =>
      [1, 7].map((step) => {
        const to = workloads[(i + step) % workloads.length]!;
        const endpoint = (end: { namespace: string; name: string }) => ({ name: `${end.name}-*`, namespace: end.namespace, type: 'workload' as const, labels: [] });
        return {
          source: 'goldmane' as const, startTime: Date.now() - 15_000, endTime: Date.now(), proto: 'tcp', reporter: 'src' as const, action: (i % 10 === 0 ? 'deny' : 'allow') as 'deny' | 'allow',
          src: endpoint(from), dst: { ...endpoint(to), port: 8080 }, packetsIn: 1, packetsOut: 1, bytesIn: 100, bytesOut: 100 * step, connectionsStarted: 1, connectionsCompleted: 0, connectionsLive: 0,
          key: `${from.name}>${to.name}`, id: `${from.name}>${to.name}@0`,
        };
      }),
    );
    const source = addressSourceDefinition(() => records);
    const loaded = loadConfig({ env: {}, flags: { listen: '127.0.0.1:0' }, definitions: componentDefinitions });
    const agent = new Agent({ config: loaded.config, enabled: [...loaded.enabled, source.definition], definitions: [...componentDefinitions, source.definition], logger: pino({ level: 'silent' }), version: 'test' });
    await agent.start();
    const browser = await launchChromium();
    try {
      source.release();
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      await page.goto(`${agent.server.url}/ui/map?window=1m`);
      await page.waitForFunction(() => (globalThis as unknown as Dom).document.querySelectorAll('svg.map .node').length === 200, undefined, { timeout: 15_000 });
      const boxes = await page.locator('svg.map .node rect').evaluateAll((rects) =>
        rects.map((rect) => {
          const box = (rect as unknown as { getBBox(): { x: number; y: number; width: number; height: number } }).getBBox();
          return { x: box.x, y: box.y, width: box.width, height: box.height };
        }),
      );
      type Box = { x: number; y: number; width: number; height: number };
      const overlaps = (list: Box[]): number[] => list.flatMap((a, i) => list.slice(i + 1).filter((b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height).map(() => i));
      assert.deepEqual(overlaps(boxes), [], 'nodes overlap');
      const namespaces = await page.locator('svg.map .namespace rect').evaluateAll((rects) =>
        rects.map((rect) => {
          const box = (rect as unknown as { getBBox(): Box }).getBBox();
          return { x: box.x, y: box.y, width: box.width, height: box.height };
        }),
      );
      assert.equal(namespaces.length, 10);
      assert.deepEqual(overlaps(namespaces), [], 'namespace boxes overlap');
      // Every node inside its namespace's box.
      assert.ok(boxes.every((node) => namespaces.some((box) => node.x >= box.x && node.y >= box.y && node.x + node.width <= box.x + box.width && node.y + node.height <= box.y + box.height)), 'a node outside every namespace');
      // Drawn at its own size (the view scrolls), not shrunk until the names cannot be read.
      const scale = await page.locator('svg.map').evaluate((svg) => (svg as unknown as { getBoundingClientRect(): { width: number }; width: { baseVal: { value: number } } }).getBoundingClientRect().width / (svg as unknown as { width: { baseVal: { value: number } } }).width.baseVal.value);
      assert.ok(scale > 0.99, `the map is drawn at ${scale} of its size`);
      assert.ok((await page.locator('svg.map a.edge.denied').count()) >= 20);
      await page.screenshot({ path: join(IMAGES, 'ui-map-200.png'), fullPage: false });
      // This agent runs no probes: the view says so instead of staying empty.
      await page.goto(`${agent.server.url}/ui/probes`);
      await page.waitForSelector('.notice', { timeout: 10_000 });
      assert.match((await page.textContent('.notice')) ?? '', /probes component does not run/);
    } finally {
      await browser.close();
      await agent.stop(2_000);
    }
  });
});
