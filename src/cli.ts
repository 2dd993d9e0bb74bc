#!/usr/bin/env node
import { createWriteStream } from 'node:fs';
import { Command } from 'commander';
import { Agent } from './agent.js';
import { parseListenAddress } from './config/address.js';
import { parseDuration } from './config/duration.js';
import { ConfigError, FatalError } from './config/errors.js';
import { loadConfig, type ConfigFlags, type LoadedConfig } from './config/load.js';
import { renderEffectiveConfig } from './config/print.js';
import { redactUrls } from './config/redact.js';
import { logLevel } from './log/logger.js';
import { parseMapping } from './enrich/enricher.js';
import { runEnrich } from './enrich/run-enrich.js';
import { runCollect } from './run-collect.js';
import { parseListenUrl } from './sources/collector/listen.js';
import { createLogger, LogRoot, type Logger } from './log/logger.js';
import { Reloader } from './reload.js';
import { preflight } from './preflight.js';
import type { ComponentDefinition } from './components/component.js';
import { componentDefinitions, knownFamilyNames } from './registry.js';
import { VERSION } from './version.js';

// Commands only: parse the command line, load the configuration, start the
// agent. Every configuration problem ends here as one line on stderr, exit 1.

interface CommonOptions {
  config?: string;
  listen?: string;
  logLevel?: string;
  set?: string[];
  /** Seed flags of the components (net-exporter's -hosts, ...), by commander's names. */
  [seedFlag: string]: unknown;
}

/** The components' seed flags as `--set` entries (before the explicit ones, which win). */
export function seedFlagsToSet(options: Readonly<Record<string, unknown>>, definitions: readonly ComponentDefinition[] = componentDefinitions): string[] {
  return definitions.flatMap((definition) => definition.flags?.toSet(options) ?? []);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function withConfigOptions(command: Command): Command {
  command
    .option('-c, --config <file>', 'YAML configuration file (default: $FLOWLENS_CONFIG)')
    .option('--listen <address>', 'HTTP server address, e.g. :9090 (server.listen)')
    .option('--log-level <level>', 'trace, debug, info, warn|warning, error, fatal|panic, silent (log.level)')
    .option('--set <key=value>', 'set any configuration key, e.g. --set metrics.seriesTtl=5m (repeatable)', collect);
  for (const definition of componentDefinitions) {
    for (const flag of definition.flags?.flags ?? []) command.option(flag.option, flag.description);
  }
  return command;
}

function load(options: CommonOptions): LoadedConfig {
  const flags: ConfigFlags = { listen: options.listen, logLevel: options.logLevel, set: [...seedFlagsToSet(options), ...(options.set ?? [])] };
  return loadConfig({ configFile: options.config, flags, definitions: componentDefinitions, families: knownFamilyNames() });
}

function fail(message: string): never {
  // Whatever a message quotes, a URL's credentials never reach the terminal.
  process.stderr.write(`flowlens: ${redactUrls(message).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}

async function run(options: CommonOptions): Promise<void> {
  const loaded = load(options);
  const { config } = loaded;
  const logRoot = new LogRoot(config.log.level);
  const logger = logRoot.logger;
  installCrashHandlers(logger);
  // The command's own lines carry a component name too.
  const log = logger.child({ component: 'agent' });
  for (const variable of loaded.ignoredVariables) log.info({ variable }, 'environment variable accepted for compatibility and ignored (see docs/configuration.md)');
  const agent = new Agent({ config, enabled: loaded.enabled, logger, logRoot, version: VERSION });
  // SIGHUP, server.reload.watch and POST /-/reload re-read the file, the environment and these flags.
  const reloader = new Reloader(agent, () => load(options), logger.child({ component: 'reload' }), loaded.configFile);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting for components');
      process.exit(1);
    }
    stopping = true;
    reloader.stop();
    const timeoutMs = agent.configuration.shutdownTimeout;
    log.info({ signal, timeoutMs }, 'shutting down');
    agent.stop(timeoutMs).then(
      (clean) => {
        log.info({ clean }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  await agent.start();
  reloader.start(config.server.reload);
  if (loaded.enabled.length === 0) {
    log.warn('no component is enabled: serving only the agent\'s own metrics (see docs/configuration.md, "Enabling components")');
  }
}

function installCrashHandlers(logger: Logger): void {
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });
}

async function checkConfig(options: CommonOptions): Promise<void> {
  const loaded = load(options);
  // Beyond the schema: the checks the agent runs before it starts (src/preflight.ts).
  await preflight(loaded.config, loaded.enabled);
  process.stdout.write(renderEffectiveConfig(loaded));
}

interface EnrichFlags {
  mapping?: string;
  loglevel?: string;
  kubeconfig?: string;
  inputFormat?: string;
  sourceformat?: string;
  outputFormat?: string;
  syncTimeout: string;
  onSyncTimeout: string;
  watchOwners: boolean;
  listen?: string;
}

async function enrich(flags: EnrichFlags): Promise<void> {
  const level = logLevel.safeParse(flags.loglevel ?? process.env.LOG_LEVEL ?? 'info');
  if (!level.success) throw new ConfigError(`-loglevel: ${level.error.issues[0]?.message ?? 'invalid'}`);
  if (flags.inputFormat !== undefined && flags.sourceformat !== undefined && flags.inputFormat !== flags.sourceformat) {
    throw new ConfigError(`--input-format: "${flags.inputFormat}" and -sourceformat "${flags.sourceformat}" disagree; give one`);
  }
  const inputSetting = flags.inputFormat === undefined && flags.sourceformat !== undefined ? '-sourceformat' : '--input-format';
  const inputFormat = flags.inputFormat ?? flags.sourceformat ?? 'json';
  const outputFormat = flags.outputFormat ?? inputFormat;
  if (inputFormat !== 'json' && inputFormat !== 'pb') throw new ConfigError(`${inputSetting}: "${inputFormat}" is not json or pb`);
  if (outputFormat !== 'json' && outputFormat !== 'pb') throw new ConfigError(`--output-format: "${outputFormat}" is not json or pb`);
  if (inputFormat === 'json' && outputFormat === 'pb') {
    throw new ConfigError('--output-format: pb needs protobuf input (--input-format pb); JSON lines are written as JSON lines');
  }
  if (flags.onSyncTimeout !== 'fail' && flags.onSyncTimeout !== 'flush') throw new ConfigError(`--on-sync-timeout: "${flags.onSyncTimeout}" is not fail or flush`);
  let syncTimeoutMs: number;
  try {
    syncTimeoutMs = parseDuration(flags.syncTimeout);
  } catch (error) {
    throw new ConfigError(`--sync-timeout: ${(error as Error).message}`);
  }
  if (flags.listen !== undefined) {
    try {
      parseListenAddress(flags.listen);
    } catch (error) {
      throw new ConfigError(`--listen: ${(error as Error).message}`);
    }
  }
  const logger = createLogger(level.data);
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // The reader went away (EPIPE): nothing left to do.
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const flushed = (): Promise<void> => new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  await runEnrich({
    ...(flags.mapping !== undefined ? { mapping: parseMapping(flags.mapping) } : {}),
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    inputFormat,
    outputFormat,
    syncTimeoutMs,
    onSyncTimeout: flags.onSyncTimeout,
    watchOwners: flags.watchOwners,
    logger,
    signal: stop.signal,
    ...(flags.listen !== undefined ? { listen: flags.listen } : {}),
  }).catch(async (error: unknown) => {
    await flushed(); // what was written reaches the reader before the exit
    throw error;
  });
  // Everything written is flushed; lingering API connections must not keep the process alive.
  await flushed();
  process.exit(0);
}

async function demo(options: { listen: string; logLevel: string }): Promise<void> {
  const level = logLevel.safeParse(options.logLevel);
  if (!level.success) throw new ConfigError(`--log-level: ${level.error.issues[0]?.message ?? 'invalid'}`);
  const logger = createLogger(level.data);
  installCrashHandlers(logger);
  const { startDemo } = await import('./demo/run-demo.js');
  const running = await startDemo({ listen: options.listen, logger, version: VERSION });
  const { where } = running;
  process.stdout.write(
    [
      'flowlens demo: the real agent against a simulated cluster speaking the real protocols',
      '  (Goldmane gRPC over mTLS, Kubernetes list/watch API, DNS, peer agents on 127.0.0.2-5 of which',
      '   one is down, a Calico 3.30-shaped iptables dump of node n1)',
      '',
      `  web view   ${where.ui}   (flows, service map, policies, probes)`,
      `  metrics    ${where.metrics}`,
      `  readiness  ${where.ready}`,
      `  flow logs  ${where.flowLog}   (one JSON line per flow and 15 s)`,
      '',
      'Try:',
      `  curl -s ${where.metrics} | grep -E '^(calico_flow_|policy_accept|no_policy_drop|dns_|network_)'`,
      `  curl -s ${where.metrics} | grep -E '^flowlens_(policy|probe_latency|flow_enrichment|goldmane)'`,
      `  tail -f ${where.flowLog}`,
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
}

/** goflow2-kube-enricher's Go-style flags (-mapping x, -mapping=x, -v) as commander's long options. */
export function goFlagsToLong(args: readonly string[], definitions: readonly ComponentDefinition[] = componentDefinitions): string[] {
  const seedFlags = new Map<string, { boolean: boolean }>();
  for (const definition of definitions) {
    for (const flag of definition.flags?.flags ?? []) {
      const [long, value] = flag.option.split(' ');
      seedFlags.set(long!.replace(/^--/, ''), { boolean: value === undefined });
    }
  }
  const out: string[] = [];
  const collectAt = args.indexOf('collect');
  if (collectAt >= 0) {
    // goflow2's Go-style flags for `flowlens collect`: -listen, -format, -transport.file, -addr, ...
    return args.map((arg, index) => {
      if (index <= collectAt) return arg;
      const file = /^--?transport\.file(=(.*))?$/.exec(arg);
      if (file) return file[1] !== undefined ? `--output=${file[2]}` : '--output';
      return /^-(listen|format|loglevel|mapping|kubeconfig|addr|transport|produce|sync-timeout)(=|$)/.test(arg) ? `-${arg}` : arg;
    });
  }
  const enrichAt = args.indexOf('enrich');
  for (const [index, arg] of args.entries()) {
    // The components' seed flags, on run and check-config: Go's -flag, -flag=value, -bool=true|false.
    const seed = /^-([a-z][a-z0-9-]*)(=.*)?$/.exec(arg);
    const flag = seed ? seedFlags.get(seed[1]!) : undefined;
    if (seed && flag && (enrichAt < 0 || index < enrichAt)) {
      if (flag.boolean && seed[2] !== undefined) {
        if (/^=(1|t|T|true|TRUE|True)$/.test(seed[2])) out.push(`--${seed[1]}`);
      } else out.push(`-${arg}`);
      continue;
    }
    if (enrichAt < 0 || index <= enrichAt) {
      out.push(arg);
      continue;
    }
    if (arg === '-v' || arg === '--v' || arg === '-version') out.push('--print-version');
    else if (/^-(mapping|loglevel|kubeconfig|sourceformat)(=|$)/.test(arg)) out.push(`-${arg}`);
    else out.push(arg);
  }
  return out;
}

export function buildProgram(): Command {
  const program = new Command('flowlens')
    .description(
      'Kubernetes network observability agent: Calico Goldmane flows, flow logs, goflow2 enrichment, ' +
        'DNS and peer latency probes, and Calico policy accounting in one process.',
    )
    .version(`flowlens ${VERSION}`, '-V, --version', 'print the version')
    .showHelpAfterError('(run flowlens --help for usage)');

  withConfigOptions(program.command('run').description('run the agent: enabled sources and sinks, one HTTP server')).action(
    (options: CommonOptions) => run(options),
  );
  withConfigOptions(
    program.command('check-config').description('validate the configuration and print the effective result (secrets redacted)'),
  ).action((options: CommonOptions) => checkConfig(options));
  program
    .command('demo')
    .description('run the agent against a simulated cluster (Goldmane, Kubernetes API, DNS, peers, iptables) in this process')
    .option('--listen <address>', 'HTTP server address', '127.0.0.1:9090')
    .option('--log-level <level>', 'log level of the agent (logs on stderr)', 'warn')
    .action((options: { listen: string; logLevel: string }) => demo(options));
  program
    .command('enrich')
    .description('goflow2-kube-enricher drop-in: goflow2 records on stdin, the same records with Kubernetes fields on stdout')
    .option('--mapping <pairs>', 'input fields holding IPs and the prefix of their added fields (default SrcAddr=Src,DstAddr=Dst; src_addr=Src,dst_addr=Dst for goflow2 v2 JSON)')
    .option('--loglevel <level>', 'trace, debug, info, warn|warning, error, fatal|panic (logs on stderr)')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, else in-cluster)')
    .option('--input-format <format>', 'json (goflow2 JSON lines, any dialect; the default) or pb (varint-delimited FlowMessage, v1 or v2)')
    .option('--sourceformat <format>', 'goflow2-kube-enricher -sourceformat: the same as --input-format')
    .option('--output-format <format>', 'json, or pb for protobuf input (default: the input format)')
    .option('--sync-timeout <duration>', 'exit 1 when the Kubernetes cache has not synced by then (the API server is retried meanwhile)', '60s')
    .option('--on-sync-timeout <action>', 'input read before such an exit: fail (not written, counted in the error) or flush (written unenriched)', 'fail')
    .option('--no-watch-owners', 'do not watch ReplicaSets: derive Deployments from the pod-template-hash')
    .option('--listen <address>', 'serve /metrics, /health and /ready on this address (e.g. :8080); default: no HTTP server')
    .option('--print-version', 'print the version and exit (-v)')
    .action((flags: EnrichFlags & { printVersion?: boolean }) => {
      if (flags.printVersion) {
        process.stdout.write(`flowlens enrich ${VERSION}\n`);
        return;
      }
      return enrich(flags);
    });
  program
    .command('collect')
    .description('goflow2 | goflow2-kube-enricher in one: NetFlow v5/v9, IPFIX and sFlow in, goflow2 v2 records with Kubernetes fields out')
    .option('--listen <urls>', 'goflow2 listen URLs, comma-separated (netflow://, nfl://, sflow://, flow://; ?count=N, ?rcvbuf=BYTES)', 'sflow://:6343,netflow://:2055')
    .option('--format <format>', 'json (goflow2 v2 JSON lines) or bin (varint-delimited FlowMessage)', 'json')
    .option('--output <file>', 'write there instead of stdout (goflow2 -transport.file)')
    .option('--transport <name>', 'goflow2 -transport: file (the only one)', 'file')
    .option('--produce <mode>', 'goflow2 -produce: sample (the only one)', 'sample')
    .option('--mapping <pairs>', 'fields holding IPs and the prefix of their added fields (default SrcAddr=Src,DstAddr=Dst, as flowlens enrich)')
    .option('--loglevel <level>', 'trace, debug, info, warn|warning, error, fatal|panic (logs on stderr)')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, else in-cluster)')
    .option('--sync-timeout <duration>', 'exit 1 when the Kubernetes cache has not synced by then', '60s')
    .option('--no-watch-owners', 'do not watch ReplicaSets: derive Deployments from the pod-template-hash')
    .option('--addr <address>', 'serve /metrics, /health and /ready on this address (goflow2 -addr, e.g. :8080); default: no HTTP server')
    .action((flags: CollectFlags) => collectCommand(flags));
  return program;
}

interface CollectFlags {
  listen: string;
  format: string;
  output?: string;
  transport: string;
  produce: string;
  mapping?: string;
  loglevel?: string;
  kubeconfig?: string;
  syncTimeout: string;
  watchOwners: boolean;
  addr?: string;
}

async function collectCommand(flags: CollectFlags): Promise<void> {
  const level = logLevel.safeParse(flags.loglevel ?? process.env.LOG_LEVEL ?? 'info');
  if (!level.success) throw new ConfigError(`-loglevel: ${level.error.issues[0]?.message ?? 'invalid'}`);
  if (flags.format !== 'json' && flags.format !== 'bin') throw new ConfigError(`-format: "${flags.format}" is not json or bin`);
  if (flags.transport !== 'file') throw new ConfigError(`-transport: "${flags.transport}" is not supported (file: stdout or -transport.file)`);
  if (flags.produce !== 'sample') throw new ConfigError(`-produce: "${flags.produce}" is not supported (sample)`);
  const listen = flags.listen.split(',').map((url) => url.trim()).filter((url) => url !== '');
  for (const url of listen) {
    try {
      parseListenUrl(url);
    } catch (error) {
      throw new ConfigError(`-listen: ${(error as Error).message}`);
    }
  }
  let syncTimeoutMs: number;
  try {
    syncTimeoutMs = parseDuration(flags.syncTimeout);
  } catch (error) {
    throw new ConfigError(`--sync-timeout: ${(error as Error).message}`);
  }
  if (flags.addr !== undefined) {
    try {
      parseListenAddress(flags.addr);
    } catch (error) {
      throw new ConfigError(`-addr: ${(error as Error).message}`);
    }
  }
  const logger = createLogger(level.data);
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  const output = flags.output !== undefined ? createWriteStream(flags.output, { flags: 'a' }) : process.stdout;
  output.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    fail(`-transport.file: ${error.message}`);
  });
  await runCollect({
    listen,
    format: flags.format,
    ...(flags.mapping !== undefined ? { mapping: parseMapping(flags.mapping) } : {}),
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    syncTimeoutMs,
    watchOwners: flags.watchOwners,
    logger,
    output,
    signal: stop.signal,
    ...(flags.addr !== undefined ? { addr: flags.addr } : {}),
    onListening: (url, ports) => logger.info({ ...(url !== '' ? { url } : {}), listen: ports }, 'collecting'),
  });
  await new Promise<void>((resolve) => output.write('', () => resolve()));
  process.exit(0);
}

try {
  await buildProgram().parseAsync(goFlagsToLong(process.argv));
} catch (error) {
  if (error instanceof ConfigError) fail(`configuration error: ${error.message}`);
  if (error instanceof FatalError) fail(error.message);
  throw error;
}
