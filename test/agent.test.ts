import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { Agent } from '../src/agent.js';
import { loadConfig } from '../src/config/load.js';
import { ScriptedComponent, definitionFor } from './support/components.js';
import { get } from './support/http.js';

const logger = pino({ level: 'silent' });

function agentWith(parts: Array<[ScriptedComponent, 'source' | 'sink' | 'stage']>): Agent {
  const definitions = parts.map(([component, kind]) => definitionFor(component, kind));
  const loaded = loadConfig({
    env: { FLOWLENS_ENABLE: definitions.map((definition) => definition.name).join(',') },
    flags: { listen: '127.0.0.1:0' },
    definitions,
  });
  return new Agent({ config: loaded.config, enabled: loaded.enabled, logger, version: 'test' });
}

async function readyState(agent: Agent): Promise<{ status: number; body: { status: string; notReady: string[]; components: Record<string, { reason?: string }> } }> {
  const response = await get(`${agent.server.url}/ready`);
  return { status: response.status, body: JSON.parse(response.text) };
}

test('/ready is 200 only when every enabled component is ready, and names the others', async () => {
  const events: string[] = [];
  const source = new ScriptedComponent('stream', events);
  const sink = new ScriptedComponent('logs', events);
  const agent = agentWith([[source, 'source'], [sink, 'sink']]);
  await agent.start();
  try {
    assert.deepEqual(events, ['start logs', 'start stream'], 'sinks start before sources');
    let state = await readyState(agent);
    assert.equal(state.status, 503);
    assert.equal(state.body.status, 'not ready');
    assert.deepEqual(state.body.notReady.sort(), ['logs', 'stream']);
    assert.equal(state.body.components.stream?.reason, 'not connected yet');

    sink.markReady();
    state = await readyState(agent);
    assert.equal(state.status, 503);
    assert.deepEqual(state.body.notReady, ['stream']);

    source.markReady();
    state = await readyState(agent);
    assert.equal(state.status, 200);
    assert.equal(state.body.status, 'ready');

    const metrics = (await get(`${agent.server.url}/metrics`)).text;
    assert.match(metrics, /^flowlens_component_up\{component="stream"\} 1$/m);
    source.up = false;
    assert.match((await get(`${agent.server.url}/metrics`)).text, /^flowlens_component_up\{component="stream"\} 0$/m);
    assert.equal((await readyState(agent)).status, 200, 'ready is sticky once synced; up tracks the present');
  } finally {
    await agent.stop(1_000);
  }
});

test('shutdown goes not-ready first, then stops sources before sinks', async () => {
  const events: string[] = [];
  const source = new ScriptedComponent('stream', events);
  const sink = new ScriptedComponent('logs', events);
  sink.stopDelayMs = 400;
  const agent = agentWith([[source, 'source'], [sink, 'sink']]);
  await agent.start();
  source.markReady();
  sink.markReady();
  assert.equal((await readyState(agent)).status, 200);

  const stopping = agent.stop(5_000);
  const during = await readyState(agent);
  assert.equal(during.status, 503);
  assert.equal(during.body.status, 'shutting down');
  assert.equal(await stopping, true);
  assert.deepEqual(events.slice(2), ['stop stream', 'stop logs']);
  assert.ok(source.stopped && sink.stopped);
  await assert.rejects(get(`${agent.server.url}/health`), /ECONNREFUSED/, 'the server is closed after the components');
});

test('a component that ignores the deadline does not hold shutdown beyond it', async () => {
  const stuck = new ScriptedComponent('stuck');
  stuck.stopDelayMs = Number.POSITIVE_INFINITY;
  stuck.honourDeadline = false;
  const polite = new ScriptedComponent('polite');
  polite.stopDelayMs = Number.POSITIVE_INFINITY;
  const agent = agentWith([[stuck, 'source'], [polite, 'sink']]);
  await agent.start();
  const started = performance.now();
  const clean = await agent.stop(300);
  const elapsed = performance.now() - started;
  assert.equal(clean, false);
  assert.ok(elapsed >= 290 && elapsed < 2_500, `stopped after ${elapsed} ms`);
  assert.equal(stuck.stopped, false);
});

test('a component that fails to start stops the ones already started', async () => {
  const sink = new ScriptedComponent('logs');
  const source = new ScriptedComponent('stream');
  source.failStart = new Error('boom');
  const agent = agentWith([[source, 'source'], [sink, 'sink']]);
  await assert.rejects(agent.start(), /boom/);
  assert.equal(sink.stopped, true);
  await assert.rejects(get(`${agent.server.url}/health`), /ECONNREFUSED/);
});

test('a component whose status() throws is reported down, and /ready and /metrics keep working', async () => {
  const broken = new ScriptedComponent('broken');
  broken.status = () => {
    throw new Error('status exploded');
  };
  const agent = agentWith([[broken, 'source']]);
  await agent.start();
  try {
    const state = await readyState(agent);
    assert.equal(state.status, 503);
    assert.equal(state.body.components.broken?.reason, 'status failed: status exploded');
    assert.match((await get(`${agent.server.url}/metrics`)).text, /^flowlens_component_up\{component="broken"\} 0$/m);
  } finally {
    await agent.stop(1_000);
  }
});
