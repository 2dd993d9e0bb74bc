import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { Agent } from '../agent.js';
import { componentDefinitions } from '../registry.js';
import { loadConfig } from '../config/load.js';
import { PeerListener } from '../probes/peer-listener.js';
import { makeDemoCerts } from './certs.js';
import { DOWN_NODE, FLOWLENS_SERVICE_IP, LOCAL_NODE, NODES } from './cluster.js';
import { DemoDns } from './dns-sim.js';
import { DemoGoldmane } from './goldmane-sim.js';
import { writeDump } from './iptables-dump.js';
import { DemoKubeApi } from './kube-api.js';

// `flowlens demo`: the real agent, every production code path, against a
// simulated cluster speaking the real protocols in this process: Goldmane's
// gRPC stream over mTLS, the Kubernetes list/watch API, DNS, three peer
// agents on loopback addresses, and a Calico-shaped iptables dump. Only the
// peers are simulated.

export interface DemoOptions {
  readonly listen: string;
  readonly logger: Logger;
  readonly version: string;
  /** Told where to look once everything runs. */
  readonly onReady?: (where: DemoWhere) => void;
}

export interface DemoWhere {
  /** The web view. */
  readonly ui: string;
  readonly metrics: string;
  readonly ready: string;
  readonly flowLog: string;
  readonly dir: string;
}

export interface RunningDemo {
  readonly where: DemoWhere;
  stop(): Promise<void>;
}

/** The demo cluster has "been running" this long when the demo starts: counters are not all zero. */
const HEAD_START_S = 600;

const DIR_PREFIX = 'flowlens-demo-';

/**
 * Removes the directories of demos whose process is gone (killed without a
 * chance to clean up): each is named after its process id.
 */
export function removeAbandonedDemoDirs(parent = tmpdir()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(parent)) {
    const pid = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || processAlive(Number(pid))) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  removeAbandonedDemoDirs();
  // $TMPDIR, as every temporary file; named after this process so a later demo can tell it was abandoned.
  const dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  // Also when the process exits without stopping the demo (a crash, process.exit).
  process.once('exit', removeDir);
  // The last step of stopping: the demo's files (certificates, dump, flow log) go with it.
  const stops: Array<() => Promise<void> | void> = [removeDir];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const certs = await makeDemoCerts(join(dir, 'certs'));
    const goldmane = new DemoGoldmane(certs);
    await goldmane.start();
    stops.push(() => goldmane.stop());
    const api = new DemoKubeApi();
    await api.start();
    stops.push(() => api.stop());
    const dns = new DemoDns();
    await dns.start();
    stops.push(() => dns.stop());

    // The other nodes' flowlens pods (127.0.0.2-4; n5's is down) and the Service address in front
    // of them, all on one port, which this agent uses too.
    const peers: PeerListener[] = [];
    const addresses = [...NODES.map((node, index) => (node === LOCAL_NODE || node === DOWN_NODE ? undefined : `127.0.0.${index + 1}`)), FLOWLENS_SERVICE_IP];
    for (const address of addresses) {
      if (address === undefined) continue;
      const peer = new PeerListener(address, peers[0]?.boundPort ?? 0, 'demo peer', () => {});
      await peer.start();
      peers.push(peer);
      stops.push(() => peer.stop());
    }
    const probePort = peers[0]!.boundPort;

    const dumpFile = join(dir, 'iptables-save.txt');
    const started = Date.now();
    writeDump(dumpFile, HEAD_START_S);
    const dumpTimer = setInterval(() => writeDump(dumpFile, HEAD_START_S + (Date.now() - started) / 1_000), 5_000);
    stops.push(() => clearInterval(dumpTimer));

    const flowLog = join(dir, 'flows.jsonl');
    const loaded = loadConfig({
      env: {},
      flags: {
        listen: options.listen,
        set: [
          'enable=[goldmane, probes, accounting, jsonl]',
          `goldmane.address=127.0.0.1:${goldmane.port}`,
          'goldmane.serverName=localhost',
          `goldmane.tls.caFile=${certs.caFile}`,
          `goldmane.tls.certFile=${certs.clientCertFile}`,
          `goldmane.tls.keyFile=${certs.clientKeyFile}`,
          'goldmane.reconnect.initial=1s',
          `kubernetes.kubeconfig=${api.writeKubeconfig(dir)}`,
          `kubernetes.nodeName=${LOCAL_NODE}`,
          'kubernetes.enrichFlows=true',
          `probes.listen=127.0.0.1:${probePort}`,
          'probes.interval=5s',
          'probes.timeout=2s',
          `probes.dns.server=127.0.0.1:${dns.port}`,
          'probes.dns.hosts=[kubernetes.default.svc.cluster.local., postgres.data.svc.cluster.local., cart.shop.svc.cluster.local., missing.shop.svc.cluster.local.]',
          'probes.peers.service=monitoring/flowlens',
          `probes.peers.port=${probePort}`,
          'probes.peers.count=4',
          'accounting.backend=file',
          `accounting.dumpFile=${dumpFile}`,
          `jsonl.path=${flowLog}`,
        ],
      },
      definitions: componentDefinitions,
    });
    // This agent is the flowlens pod of node n1; its pod IP (Downward API in a cluster) is 127.0.0.1 here.
    process.env.POD_IP ??= '127.0.0.1';
    const agent = new Agent({ config: loaded.config, enabled: loaded.enabled, logger: options.logger, version: options.version });
    await agent.start();
    stops.push(async () => void (await agent.stop(5_000)));
    const where: DemoWhere = { ui: `${agent.server.url}/ui/`, metrics: `${agent.server.url}/metrics`, ready: `${agent.server.url}/ready`, flowLog, dir };
    options.onReady?.(where);
    return { where, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
