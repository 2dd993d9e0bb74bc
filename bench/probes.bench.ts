import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { MetricsPipeline } from '../src/metrics/pipeline.js';
import { probesSchema } from '../src/probes/config.js';
import { queryTcp, queryUdp } from '../src/probes/dns-client.js';
import { Prober } from '../src/probes/prober.js';
import { probeTcp } from '../src/probes/tcp-probe.js';
import { echoRound } from '../src/probes/udp-echo.js';
import { median, report } from './report.js';

// The prober's cost and accuracy. Peers (100 listeners), a DNS server (10
// names) and delaying proxies run in a child process. Measured here:
// - CPU of the real prober (its timer, spread and jitter, lag watch, metrics)
//   probing 100 peers (TCP connect + 5 UDP echo packets) and 10 names (UDP +
//   TCP) per 1 s interval, against the CPU of the same probes issued bare (the
//   probe functions in a plain loop, no prober) in the same run: the ratio is
//   the prober's overhead;
// - measurement error: echo RTT and DNS-over-TCP latency through a proxy that
//   adds a known delay each way, minus that delay.

const PEERS = 100;
const NAMES = 10;
const DELAY_MS = 20;
const SECONDS = 5;

const child = spawn(process.execPath, [fileURLToPath(new URL('./probe-peers.js', import.meta.url)), String(PEERS), String(NAMES), String(DELAY_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
const [line] = (await once(child.stdout!, 'data')) as [Buffer];
const world = JSON.parse(line.toString()) as { peers: number[]; dns: number; echoProxy: number; dnsProxy: number };
const names = Array.from({ length: NAMES }, (_, i) => `name-${i}.bench.`);

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1_000;
};
const systemMs = (): number => process.cpuUsage().system / 1_000;

// 1 and 2, alternated three times each (the first rounds also pay for JIT
// compilation on V8's background threads, which process.cpuUsage counts).
const config = probesSchema.parse({
  listen: '127.0.0.1:0',
  interval: '1s',
  timeout: '500ms',
  dns: { server: `127.0.0.1:${world.dns}`, hosts: names },
  peers: { static: world.peers.map((port) => `127.0.0.1:${port}`), udpPackets: 5 },
});

/** CPU ms per 1 s interval of the real prober. */
async function proberPhase(): Promise<{ cpuMs: number; systemMs: number; attempts: number }> {
  const metrics = new MetricsPipeline({ maxSeriesPerMetric: 100_000, seriesTtlMs: 0, version: 'bench', processMetrics: false });
  const prober = new Prober({ config, logger: pino({ level: 'silent' }), metrics, identity: { serverListen: '127.0.0.1:0' }, kube: async () => undefined });
  await prober.start();
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // every target started once
  const before = cpuMs();
  const systemBefore = systemMs();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
  const used = (cpuMs() - before) / SECONDS;
  const system = (systemMs() - systemBefore) / SECONDS;
  const exposition = await metrics.render('text');
  await prober.stop();
  const attempts = [...exposition.matchAll(/^flowlens_probe_attempts_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
  return { cpuMs: used, systemMs: system, attempts };
}

/** CPU ms per 1 s interval of the same probes issued bare, all at once each second. */
async function barePhase(): Promise<number> {
  const before = cpuMs();
  for (let second = 0; second < SECONDS; second++) {
    const started = performance.now();
    await Promise.all([
      ...world.peers.map((port) => probeTcp('127.0.0.1', port, 500)),
      ...world.peers.map((port) => echoRound('127.0.0.1', port, 5, 500)),
      ...names.map((name) => queryUdp({ host: '127.0.0.1', port: world.dns }, name, 500)),
      ...names.map((name) => queryTcp({ host: '127.0.0.1', port: world.dns }, name, 500)),
    ]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_000 - (performance.now() - started))));
  }
  return (cpuMs() - before) / SECONDS;
}

const proberRuns: number[] = [];
const proberSystem: number[] = [];
const bareRuns: number[] = [];
let attempts = 0;
for (let round = 0; round < 3; round++) {
  bareRuns.push(await barePhase());
  const phase = await proberPhase();
  proberRuns.push(phase.cpuMs);
  proberSystem.push(phase.systemMs);
  attempts = phase.attempts;
}
const proberCpuMs = median(proberRuns.slice(1));
const bareCpuMs = median(bareRuns.slice(1));

// 3. Accuracy against the injected delay (2 x DELAY_MS per round trip).
const echoErrors: number[] = [];
const dnsErrors: number[] = [];
for (let i = 0; i < 20; i++) {
  const round = await echoRound('127.0.0.1', world.echoProxy, 5, 2_000);
  echoErrors.push(median(round.rtts) * 1_000 - 2 * DELAY_MS);
  const dns = await queryTcp({ host: '127.0.0.1', port: world.dnsProxy }, names[0]!, 2_000);
  if (dns.ok) dnsErrors.push(dns.seconds * 1_000 - 2 * DELAY_MS);
}
child.stdin!.end();

report({
  benchmark: 'probes',
  peers: PEERS,
  dns_names: NAMES,
  interval_s: 1,
  probes_per_interval: PEERS * 2 + NAMES * 2,
  attempts_counted: attempts,
  prober_cpu_ms_per_interval: proberCpuMs,
  prober_system_cpu_ms_per_interval: median(proberSystem.slice(1)),
  bare_cpu_ms_per_interval: bareCpuMs,
  ratio: proberCpuMs / bareCpuMs,
  prober_core_share: proberCpuMs / 1_000,
  injected_delay_ms: 2 * DELAY_MS,
  echo_error_ms_median: median(echoErrors),
  echo_error_ms_max: Math.max(...echoErrors),
  dns_tcp_error_ms_median: median(dnsErrors),
  dns_tcp_error_ms_max: Math.max(...dnsErrors),
});
process.exit(0);
