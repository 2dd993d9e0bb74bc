import { spawnSync } from 'node:child_process';
import pino from 'pino';
import * as z from 'zod';
import { Agent } from '../src/agent.js';
import { defineComponent } from '../src/components/component.js';
import { loadConfig } from '../src/config/load.js';
import type { FlowRecord } from '../src/flow/flow-record.js';
import { componentDefinitions } from '../src/registry.js';
import { launchChromium } from '../test/support/chromium.js';
import { report } from './report.js';

// The web view under load: 5,000 flows/s through the pipeline (4,000 flow
// keys over 200 workloads in 25 namespaces, a tenth denied), first with no
// browser, then with two Chromium pages on the live flow table. Reported:
// the pipeline's drops (goal: none because of the clients), each page's
// longest main-thread task while streaming (PerformanceObserver 'longtask';
// goal < 200 ms), and the agent's CPU with and without the streams.

const RATE = 5_000;
const SECONDS = 10;
const KEYS = 4_000;

function record(index: number, now: number): FlowRecord {
  const key = index % KEYS;
  const allow = key % 10 !== 0;
  const hit = { kind: 'CalicoNetworkPolicy' as const, namespace: `team-${key % 25}`, name: allow ? 'allow-backend' : 'default-deny', tier: 'default', action: allow ? ('allow' as const) : ('deny' as const), policyIndex: 0, ruleIndex: 0 };
  return {
    source: 'goldmane',
    startTime: now - (now % 15_000),
    endTime: now - (now % 15_000) + 15_000,
    proto: 'tcp',
    src: { name: `frontend-${key % 100}-*`, namespace: `team-${key % 25}`, type: 'workload', labels: ['app=frontend'] },
    dst: { name: `backend-${key % 100}-*`, namespace: `team-${(key * 7) % 25}`, type: 'workload', labels: ['app=backend'], port: 8080 },
    reporter: 'src',
    action: allow ? 'allow' : 'deny',
    policies: { enforced: [hit], pending: [] },
    packetsIn: 10,
    packetsOut: 12,
    bytesIn: 4_000,
    bytesOut: 1_200,
    connectionsStarted: 1,
    connectionsCompleted: 1,
    connectionsLive: 0,
    key: `bench-${key}`,
    id: `bench-${key}@${index}`,
  };
}

let produced = 0;
const source = defineComponent({
  name: 'bench-flows',
  kind: 'source',
  description: 'benchmark flow source',
  schema: z.object({}).prefault({}),
  producesFlows: true,
  create: (_config, context) => {
    const queue = context.flows.queue('goldmane', 100_000);
    let timer: NodeJS.Timeout | undefined;
    return {
      name: 'bench-flows',
      start: async () => {
        const started = Date.now();
        timer = setInterval(() => {
          const due = Math.floor(((Date.now() - started) * RATE) / 1_000);
          const now = Date.now();
          while (produced < due) queue.push(record(produced++, now));
        }, 10);
      },
      status: () => ({ ready: true, up: true }),
      stop: async () => clearInterval(timer),
    };
  },
});

const hasChromium = spawnSync('sh', ['-c', 'command -v chromium']).status === 0;
if (!hasChromium) {
  report({ benchmark: 'ui_streams', skipped: 'chromium is not installed (Debian package chromium)' });
  process.exit(0);
}

const loaded = loadConfig({ env: {}, flags: { listen: '127.0.0.1:0', set: ['ui.maxRowsPerSecond=500'] }, definitions: componentDefinitions });
const agent = new Agent({ config: loaded.config, enabled: [...loaded.enabled, source], definitions: [...componentDefinitions, source], logger: pino({ level: 'silent' }), version: 'bench' });
await agent.start();

const metric = async (name: string, labels = ''): Promise<number> => {
  const text = await (await fetch(`${agent.server.url}/metrics`)).text();
  return Number(new RegExp(`^${name}${labels.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
};

async function cpuOver(seconds: number): Promise<{ cpuPerSecond: number; flows: number }> {
  const before = produced;
  const cpu = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  const used = process.cpuUsage(cpu);
  return { cpuPerSecond: (used.user + used.system) / 1e6 / seconds, flows: produced - before };
}

// Warm up, then no browser.
await new Promise((resolve) => setTimeout(resolve, 2_000));
const alone = await cpuOver(SECONDS);

const browser = await launchChromium();
const pages = await Promise.all([0, 1].map(() => browser.newPage({ viewport: { width: 1400, height: 900 } })));
for (const page of pages) {
  await page.goto(`${agent.server.url}/ui/flows`);
  await page.waitForSelector('table.flows tbody tr', { timeout: 15_000 });
  await page.evaluate(`(() => { window.__longest = 0; new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration); }).observe({ type: 'longtask' }); })()`);
}
const streaming = await cpuOver(SECONDS);
const longest = await Promise.all(pages.map(async (page) => Number(await page.evaluate('window.__longest'))));
const rows = await Promise.all(pages.map(async (page) => page.locator('table.flows tbody tr:not(.spacer)').count()));
await browser.close();
const dropped = await metric('flowlens_flow_queue_dropped_total', '{source="goldmane",reason="queue_full"}');
const slow = await metric('flowlens_ui_streams_dropped_total', '{reason="slow"}');
const sent = await metric('flowlens_ui_stream_rows_total', '{outcome="sent"}');
await agent.stop(5_000);

report({
  benchmark: 'ui_streams',
  offered_flows_per_s: RATE,
  flows_alone: alone.flows,
  flows_streaming: streaming.flows,
  agent_cpu_s_per_s_alone: alone.cpuPerSecond,
  agent_cpu_s_per_s_two_streams: streaming.cpuPerSecond,
  stream_cpu_ratio: streaming.cpuPerSecond / alone.cpuPerSecond,
  pipeline_dropped: dropped,
  streams_dropped_slow: slow,
  rows_sent: sent,
  page_rows_shown: Math.min(...rows),
  longest_task_ms_page1: longest[0]!,
  longest_task_ms_page2: longest[1]!,
  goal_longest_task_ms: 200,
  pass: dropped === 0 && slow === 0 && Math.max(...longest) < 200,
});
process.exit(0);
