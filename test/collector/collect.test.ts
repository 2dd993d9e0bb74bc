import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parseFlowMessage, readVarint } from '../../src/enrich/flow-message.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { pod } from '../support/kube-fixtures.js';
import { freePort } from './udp.js';

// `flowlens collect`: exports in, goflow2 v2 records with Kubernetes fields
// out, the way `goflow2 -format=json | goflow2-kube-enricher` (v2 mapping)
// wrote them. The golden line is written from goflow2 v2.2's renderer
// (producer/proto/render.go, messages.go): every field in proto order,
// snake_case, addresses as netip renders them, `src_net` as the masked
// prefix, empty repeated fields as [], then the enrichment's fields.

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

const u16 = (value: number): number[] => [value >> 8, value & 0xff];
const u32 = (value: number): number[] => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
const u64 = (value: bigint): number[] => [...u32(Number(value >> 32n)), ...u32(Number(value & 0xffffffffn))];
const ip = (text: string): number[] => text.split('.').map(Number);

/** One IPFIX message: a template (src, dst, masks, proto, ports, TCP flags, interfaces, packets, octets, start/end ms) and one record. */
function exportPacket(): Uint8Array {
  const fields: Array<[number, number]> = [[8, 4], [12, 4], [9, 1], [13, 1], [4, 1], [7, 2], [11, 2], [6, 1], [10, 4], [14, 4], [2, 8], [1, 8], [152, 8], [153, 8]];
  const template = [...u16(256), ...u16(fields.length), ...fields.flatMap(([id, length]) => [...u16(id), ...u16(length)])];
  const record = [...ip('10.244.1.10'), ...ip('10.96.0.10'), 24, 16, 6, ...u16(56144), ...u16(443), 0x1b, ...u32(12), ...u32(3), ...u64(400n), ...u64(20800n), ...u64(1_700_000_000_000n), ...u64(1_700_000_015_000n)];
  const sets = [...u16(2), ...u16(4 + template.length), ...template, ...u16(256), ...u16(4 + record.length), ...record];
  return new Uint8Array([...u16(10), ...u16(16 + sets.length), ...u32(1_700_000_020), ...u32(577), ...u32(5), ...sets]);
}

const GOLDEN =
  '{"type":"IPFIX","time_received_ns":RECEIVED,"sequence_num":577,"sampling_rate":0,"sampler_address":"127.0.0.1","time_flow_start_ns":1700000000000000000,"time_flow_end_ns":1700000015000000000,' +
  '"bytes":20800,"packets":400,"src_addr":"10.244.1.10","dst_addr":"10.96.0.10","etype":"IPv4","proto":"TCP","src_port":56144,"dst_port":443,"in_if":12,"out_if":3,' +
  '"src_mac":"00:00:00:00:00:00","dst_mac":"00:00:00:00:00:00","src_vlan":0,"dst_vlan":0,"vlan_id":0,"ip_tos":0,"forwarding_status":0,"ip_ttl":0,"ip_flags":0,"tcp_flags":27,' +
  '"icmp_type":0,"icmp_code":0,"ipv6_flow_label":0,"fragment_id":0,"fragment_offset":0,"src_as":0,"dst_as":0,"next_hop":"","next_hop_as":0,"src_net":"10.244.1.0/24","dst_net":"10.96.0.0/16",' +
  '"bgp_next_hop":"","bgp_communities":[],"as_path":[],"mpls_ttl":[],"mpls_label":[],"mpls_ip":[],"observation_domain_id":5,"observation_point_id":0,"layer_stack":[],"layer_size":[],' +
  '"ipv6_routing_header_addresses":[],"ipv6_routing_header_seg_left":0,' +
  '"SrcPod":"web-0","SrcNamespace":"shop","SrcHostIP":"10.0.0.11","SrcWorkload":"web","SrcWorkloadKind":"StatefulSet"}';

interface Run {
  readonly child: ChildProcess;
  readonly stdout: Buffer[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
}

function collect(args: readonly string[]): Run {
  const child = spawn(process.execPath, [CLI, 'collect', ...args], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => stderr.push(chunk));
  return { child, stdout, stderr, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function until(check: () => boolean, what: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}


async function send(port: number, packet: Uint8Array): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => socket.send(packet, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  socket.close();
}

describe('flowlens collect: exports in, goflow2 v2 records with Kubernetes fields out', () => {
  const api = new KubeApiServer();
  let kubeconfig = '';
  const children: ChildProcess[] = [];
  before(async () => {
    await api.start();
    kubeconfig = api.writeKubeconfig();
    api.apply('pods', pod({ namespace: 'shop', name: 'web-0', node: 'n1', ips: ['10.244.1.10'], owners: [{ kind: 'StatefulSet', name: 'web' }] }));
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await api.stop();
  });

  async function started(format: string): Promise<{ run: Run; port: number }> {
    const port = await freePort();
    const run = collect([`-listen=netflow://127.0.0.1:${port}`, `-format=${format}`, '-kubeconfig', kubeconfig, '-loglevel=info']);
    children.push(run.child);
    await until(() => run.stderr.join('').includes('"msg":"collecting"'), () => run.stderr.join(''));
    await until(() => run.stderr.join('').includes('Kubernetes cache synced'), () => run.stderr.join(''));
    return { run, port };
  }

  test('-format=json: byte for byte what goflow2 v2 renders, plus the enrichment fields; SIGTERM ends it with exit 0', async () => {
    const { run, port } = await started('json');
    const before = BigInt(Date.now()) * 1_000_000n;
    await send(port, exportPacket());
    await until(() => Buffer.concat(run.stdout).toString().includes('\n'), () => run.stderr.join(''));
    const line = Buffer.concat(run.stdout).toString().split('\n')[0]!;
    const received = /"time_received_ns":(\d+)/.exec(line)?.[1];
    assert.ok(received !== undefined && BigInt(received) >= before - 1_000_000_000n, line);
    assert.equal(line.replace(`"time_received_ns":${received}`, '"time_received_ns":RECEIVED'), GOLDEN);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  test('-format=bin: varint-delimited goflow2 v2 FlowMessages, enriched', async () => {
    const { run, port } = await started('bin');
    await send(port, exportPacket());
    const framed = (): { length: number; at: number } | undefined => {
      const out = Buffer.concat(run.stdout);
      const prefix = readVarint(out, 0);
      return prefix !== undefined && out.length >= prefix[1] + Number(prefix[0]) ? { length: Number(prefix[0]), at: prefix[1] } : undefined;
    };
    await until(() => framed() !== undefined, () => run.stderr.join(''));
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    const out = Buffer.concat(run.stdout);
    const { length, at } = framed()!;
    const message = parseFlowMessage(out.subarray(at, at + length))!;
    assert.equal(message.version, 2);
    assert.equal(message.scalars.get(1), 4, 'type IPFIX');
    assert.equal(message.scalars.get(4), 577);
    assert.equal(message.scalars.get(9), 20800);
    assert.equal(message.scalars.get(10), 400);
    assert.deepEqual([...message.bytes.get(6)!], [10, 244, 1, 10]);
    assert.equal(message.scalars.get(111), 1_700_000_000_000_000_000n);
    assert.ok(out.includes(Buffer.from('web-0')), 'the enrichment travels with the record');
  });

  test("goflow2's flags that do not apply are one-line errors", () => {
    for (const [args, message] of [
      [['-format=xml'], /-format: "xml" is not json or bin/],
      [['-listen=udp://:2055'], /-listen: .*scheme udp/],
      [['-transport=kafka'], /-transport: "kafka" is not supported/],
    ] as const) {
      const result = spawnSync(process.execPath, [CLI, 'collect', ...args], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  });
});
