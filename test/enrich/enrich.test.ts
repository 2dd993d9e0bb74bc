import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { CLI } from '../support/cli-process.js';
import { sampleValue } from '../support/metrics-text.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { kubeconfigFile, loadFixtureCluster, pod } from '../support/kube-fixtures.js';
import { tempDir } from '../support/temp.js';

// `flowlens enrich` as goflow2 pipes into it: a real process, stdin to stdout,
// against the list/watch test API server holding the fixture cluster.

const fixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/goflow2/${name}`, import.meta.url));

/** goflow2 v1.0 JSON, as the seed README's example (its enrichment removed), with fixture IPs. */
const V1_LINE =
  '{"BiFlowDirection":0,"Bytes":20800,"DstAS":0,"DstAddr":"10.96.0.10","DstMac":"0a:58:0a:f4:00:01","DstNet":0,"DstPort":443,"DstVlan":0,"EgressVrfID":0,"Etype":2048,"EtypeName":"IPv4","ForwardingStatus":0,"FragmentId":0,"FragmentOffset":0,"IPTTL":0,"IPTos":0,"IPv6FlowLabel":0,"IcmpCode":0,"IcmpName":"","IcmpType":0,"InIf":12,"IngressVrfID":0,"NextHop":"","NextHopAS":0,"OutIf":0,"Packets":400,"Proto":6,"ProtoName":"TCP","SamplerAddress":"10.244.0.2","SamplingRate":0,"SequenceNum":577,"SrcAS":0,"SrcAddr":"10.244.1.10","SrcMac":"0a:58:0a:f4:00:05","SrcNet":0,"SrcPort":56144,"SrcVlan":0,"TCPFlags":0,"TimeFlowEnd":0,"TimeFlowStart":0,"TimeReceived":1628419398,"Type":"IPFIX","VlanId":0}';
const WEB_POD = '"SrcPod":"web-7d4f8b9c6d-x2x7q","SrcNamespace":"shop","SrcHostIP":"10.0.0.11","SrcWorkload":"web","SrcWorkloadKind":"Deployment"';
const WEB_SERVICE = '"DstNamespace":"shop","DstWorkload":"web","DstWorkloadKind":"Service"';

/** goflow2 v1.3 Go names (IpTos, SrcAs, ...). */
const V13_LINE = '{"Type":"NETFLOW_V9","TimeReceived":1700000000,"SequenceNum":9,"SamplingRate":1,"SamplerAddress":"10.0.0.1","Bytes":1500,"Packets":3,"SrcAddr":"10.244.2.10","DstAddr":"10.244.2.11","Etype":2048,"Proto":17,"SrcPort":5353,"DstPort":53,"IpTos":0,"IpTtl":64,"SrcAs":0,"DstAs":0}';
/** goflow2 v2: snake_case, nanosecond times beyond 2^53 (must come out digit for digit). */
const V2_LINE =
  '{"type":"IPFIX","time_received_ns":1700000000123456789,"sequence_num":1,"sampling_rate":0,"sampler_address":"10.0.0.1","time_flow_start_ns":1700000000000000001,"time_flow_end_ns":1700000000999999999,"bytes":18446744073709551615,"packets":2,"src_addr":"fd00:10:244:2::c","dst_addr":"10.244.3.3","etype":"IPv4","proto":"TCP","src_port":40000,"dst_port":8080,"as_path":[],"src_net":"0.0.0.0/0"}';

interface Enrich {
  readonly child: ChildProcess;
  readonly stdout: Buffer[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
  /** Resolves when stdout holds `count` lines. */
  lines(count: number, timeoutMs?: number): Promise<string[]>;
}

function enrich(args: readonly string[], env: NodeJS.ProcessEnv = {}): Enrich {
  const child = spawn(process.execPath, [CLI, 'enrich', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = async (count: number, timeoutMs = 15_000): Promise<string[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = Buffer.concat(stdout).toString('utf8');
      const all = text.split('\n').slice(0, -1);
      if (all.length >= count) return all;
      if (Date.now() > deadline) throw new Error(`expected ${count} lines, got ${all.length}:\n${text}\nstderr:\n${stderr.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { child, stdout, stderr, exited, lines };
}

describe('flowlens enrich: goflow2 records through the Kubernetes cache', () => {
  const api = new KubeApiServer();
  let kubeconfig = '';
  const children: ChildProcess[] = [];

  before(async () => {
    await api.start();
    kubeconfig = api.writeKubeconfig();
    loadFixtureCluster(api);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
    await api.stop();
  });

  async function run(args: readonly string[], input: string | Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
    const process = enrich(['-kubeconfig', kubeconfig, ...args]);
    children.push(process.child);
    process.child.stdin!.end(input);
    const timer = setTimeout(() => process.child.kill('SIGKILL'), 20_000);
    const code = await process.exited;
    clearTimeout(timer);
    return { code, stdout: Buffer.concat(process.stdout), stderr: process.stderr.join('') };
  }

  test('the three JSON dialects: golden output, every input byte kept, numbers beyond 2^53 untouched', async () => {
    const input = [V1_LINE, V13_LINE, V2_LINE, 'not json at all', '{"SrcAddr":"192.0.2.1","DstAddr":"10.0.0.12"}', '{"SrcAddr":"10.0.0.11","DstAddr":"10.244.1.11"}'].join('\n') + '\n';
    const { code, stdout, stderr } = await run(['-loglevel', 'info'], input);
    assert.equal(code, 0, stderr);
    const lines = stdout.toString('utf8').split('\n');
    assert.equal(lines.pop(), '', 'newline-terminated');
    assert.deepEqual(lines, [
      `${V1_LINE.slice(0, -1)},${WEB_POD},${WEB_SERVICE}}`,
      `${V13_LINE.slice(0, -1)},"SrcPod":"db-0","SrcNamespace":"shop","SrcHostIP":"10.0.0.12","SrcWorkload":"db","SrcWorkloadKind":"StatefulSet","DstPod":"report-29170560-h7c2m","DstNamespace":"batch","DstHostIP":"10.0.0.12","DstWorkload":"report-29170560","DstWorkloadKind":"Job"}`,
      `${V2_LINE.slice(0, -1)},"SrcPod":"api-6b9f5d7c8-rt5vx","SrcNamespace":"shop","SrcHostIP":"10.0.0.12","SrcWorkload":"api","SrcWorkloadKind":"Deployment","DstPod":"blue","DstNamespace":"default","DstHostIP":"10.0.0.12","DstWorkload":"blue","DstWorkloadKind":"Pod","DstWarn":"Several pods found for same IP: blue.default,green.default"}`,
      'not json at all',
      '{"SrcAddr":"192.0.2.1","DstAddr":"10.0.0.12"}',
      // A host-network pod's IP is its node's: nothing added; a DaemonSet pod.
      '{"SrcAddr":"10.0.0.11","DstAddr":"10.244.1.11","DstPod":"node-agent-5sj2k","DstNamespace":"kube-system","DstHostIP":"10.0.0.11","DstWorkload":"node-agent","DstWorkloadKind":"DaemonSet"}',
    ]);
    const summary = stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.msg === 'input ended');
    assert.equal(summary?.invalid, 1, 'the non-JSON line is counted');
    assert.equal(summary?.records, 5);
    assert.equal(summary?.enriched, 4);
  });

  test('-mapping: other fields and prefixes; a bare pod and a ReplicaSet without owner; a malformed pair exits 1', async () => {
    const line = '{"NextHop":"10.244.1.12","SrcAddr":"10.244.1.13"}';
    const { code, stdout } = await run(['-mapping', 'SrcAddr=Src,NextHop=Nxt'], `${line}\n`);
    assert.equal(code, 0);
    assert.equal(
      stdout.toString(),
      '{"NextHop":"10.244.1.12","SrcAddr":"10.244.1.13","SrcPod":"orphan-rs-k2j4h","SrcNamespace":"shop","SrcHostIP":"10.0.0.11","SrcWorkload":"orphan-rs","SrcWorkloadKind":"ReplicaSet","NxtPod":"debug","NxtNamespace":"default","NxtHostIP":"10.0.0.11","NxtWorkload":"debug","NxtWorkloadKind":"Pod"}\n',
    );
    const bad = await run(['-mapping=SrcAddr'], '');
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.match(bad.stderr, /-mapping: invalid fields mapping pair "SrcAddr"/);
    const version = await run(['-v'], '');
    assert.match(version.stdout.toString(), /^flowlens enrich \d+\.\d+\.\d+/);
  });

  test('protobuf in (v1 with the newline goflow2 v1 adds, v2 without), protobuf and JSON out', async () => {
    const v1 = (await protobuf.load(fixture('flow-v1.proto'))).lookupType('flowpb.FlowMessage');
    const enriched = (await protobuf.load(fixture('flow-v1.proto'))).lookupType('flowpb.Enriched');
    const v2 = (await protobuf.load(fixture('flow-v2.proto'))).lookupType('flowpb.FlowMessage');
    const ip = (text: string): Uint8Array => Uint8Array.from(text.split('.').map(Number));
    const message1 = v1.encode(v1.create({ type: 4, timeReceived: 1628419398, sequenceNum: 577, bytes: 20800, packets: 400, srcAddr: ip('10.244.1.10'), dstAddr: ip('10.96.0.10'), etype: 2048, proto: 6, srcPort: 56144, dstPort: 443, srcMac: 0x0a580af40005 })).finish();
    const message2 = v2.encode(v2.create({ type: 4, timeReceivedNs: '1700000000123456789', bytes: '18446744073709551615', srcAddr: ip('192.0.2.1'), dstAddr: Buffer.from('fd00001002440002000000000000000c', 'hex'), etype: 0x86dd, proto: 17, srcNet: 24, dstNet: 52, asPath: [64512, 64513] })).finish();
    const delimited = (message: Uint8Array, newline: boolean): Buffer => {
      const writer = protobuf.Writer.create();
      writer.uint32(message.length);
      return Buffer.concat([writer.finish(), message, newline ? Buffer.from('\n') : Buffer.alloc(0)]);
    };

    // v1 stream with "\n" separators, pb out: the original bytes, then the added fields.
    const v1Stream = Buffer.concat([delimited(message1, true), delimited(message1, true)]);
    const pb = await run(['--input-format', 'pb'], v1Stream);
    assert.equal(pb.code, 0, pb.stderr);
    const reader = protobuf.Reader.create(pb.stdout);
    const out: Uint8Array[] = [];
    while (reader.pos < reader.len) {
      out.push(reader.bytes());
      assert.equal(pb.stdout[reader.pos], 0x0a, 'the separator is kept');
      reader.pos++;
    }
    assert.equal(out.length, 2);
    assert.deepEqual(Buffer.from(out[0]!.subarray(0, message1.length)), Buffer.from(message1), 'the message bytes pass through unchanged');
    const decoded = v1.toObject(v1.decode(out[0]!), { longs: String });
    assert.equal(decoded.srcPort, 56144);
    assert.deepEqual(enriched.toObject(enriched.decode(out[0]!)), {
      srcPod: 'web-7d4f8b9c6d-x2x7q',
      srcNamespace: 'shop',
      srcHostIp: '10.0.0.11',
      srcWorkload: 'web',
      srcWorkloadKind: 'Deployment',
      dstNamespace: 'shop',
      dstWorkload: 'web',
      dstWorkloadKind: 'Service',
    });

    // v2 stream without separators, JSON out as goflow2 v2 renders it.
    const json = await run(['--input-format', 'pb', '--output-format', 'json'], Buffer.concat([delimited(message2, false), delimited(message2, false)]));
    assert.equal(json.code, 0, json.stderr);
    const jsonLines = json.stdout.toString().split('\n').filter(Boolean);
    assert.equal(jsonLines.length, 2);
    const line = jsonLines[0]!;
    assert.match(line, /^\{"type":"IPFIX","time_received_ns":1700000000123456789,/);
    assert.match(line, /"bytes":18446744073709551615,/);
    assert.match(line, /"src_addr":"192\.0\.2\.1","dst_addr":"fd00:10:244:2::c","etype":"IPv6","proto":"UDP"/);
    assert.match(line, /"as_path":\[64512,64513\]/);
    assert.match(line, /"src_net":"192\.0\.2\.0\/24","dst_net":"fd00:10:244::\/52"/, 'networks masked, IPv6 too (netip.Addr.Prefix)');
    assert.ok(line.endsWith(',"DstPod":"api-6b9f5d7c8-rt5vx","DstNamespace":"shop","DstHostIP":"10.0.0.12","DstWorkload":"api","DstWorkloadKind":"Deployment"}'), line);
  });

  test('protobuf: each message is written as soon as it is complete, before the next arrives, whether or not goflow2 v1 separates them with "\\n"', async () => {
    const v1 = (await protobuf.load(fixture('flow-v1.proto'))).lookupType('flowpb.FlowMessage');
    // IPv4 in an IPv6 field, as IPFIX exporters send it: looked up as IPv4.
    const mapped = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 244, 1, 10]);
    const body = v1.encode(v1.create({ type: 4, timeReceived: 1628419398, srcAddr: mapped, proto: 6 })).finish();
    const framed = Buffer.concat([protobuf.Writer.create().uint32(body.length).finish(), body]);
    for (const separator of ['\n', '']) {
      const child = enrich(['-kubeconfig', kubeconfig, '-sourceformat', 'pb', '--output-format', 'json']);
      children.push(child.child);
      child.child.stdin!.write(Buffer.concat([framed, Buffer.from(separator)]));
      const [first] = await child.lines(1, 10_000);
      assert.match(first!, /^\{"Type":"IPFIX","TimeReceived":1628419398,.*"SrcAddr":"10\.244\.1\.10",/);
      assert.ok(first!.endsWith(`,${WEB_POD}}`), first);
      child.child.stdin!.end(Buffer.concat([framed, Buffer.from(separator)]));
      assert.equal(await child.exited, 0);
      assert.equal((await child.lines(2)).length, 2, 'the separator was told from the next message');
    }
  });

  test('a record that already holds an enrichment field gets it replaced, never a second key (JSON and protobuf)', async () => {
    const stale = '{"SrcAddr":"10.244.1.10","SrcPod":"old-pod","SrcWarn":"stale","DstAddr":"10.96.0.10","DstWorkloadKind":"Pod","Bytes":18446744073709551615}';
    const { code, stdout } = await run([], `${stale}\n`);
    assert.equal(code, 0);
    const line = stdout.toString().trimEnd();
    assert.equal(line, `{"SrcAddr":"10.244.1.10","SrcWarn":"stale","DstAddr":"10.96.0.10","Bytes":18446744073709551615,${WEB_POD},${WEB_SERVICE}}`);
    assert.equal(line.match(/"SrcPod"/g)?.length, 1);

    const v1 = (await protobuf.load(fixture('flow-v1.proto'))).lookupType('flowpb.FlowMessage');
    const enriched = (await protobuf.load(fixture('flow-v1.proto'))).lookupType('flowpb.Enriched');
    const message = v1.encode(v1.create({ timeReceived: 1, srcAddr: Uint8Array.from([10, 244, 1, 10]) })).finish();
    const staleFields = enriched.encode(enriched.create({ srcPod: 'old-pod', srcWarn: 'stale' })).finish();
    const input = Buffer.concat([message, staleFields]);
    const pb = await run(['--input-format', 'pb'], Buffer.concat([protobuf.Writer.create().uint32(input.length).finish(), input]));
    assert.equal(pb.code, 0, pb.stderr);
    const out = protobuf.Reader.create(pb.stdout).bytes();
    const srcPods: string[] = [];
    for (const reader = protobuf.Reader.create(out); reader.pos < reader.len; ) {
      const tag = reader.uint32();
      if (tag >>> 3 === 2000) srcPods.push(reader.string());
      else reader.skipType(tag & 7);
    }
    assert.deepEqual(srcPods, ['web-7d4f8b9c6d-x2x7q'], 'one SrcPod field: the old one was removed');
    assert.equal(enriched.toObject(enriched.decode(out)).srcWarn, 'stale', 'fields not being written stay');
  });

  test('--output-format pb with JSON input is a one-line error; -sourceformat is --input-format', async () => {
    const refused = await run(['--output-format', 'pb'], `${V1_LINE}\n`);
    assert.equal(refused.code, 1);
    assert.deepEqual(refused.stderr.trim().split('\n'), ['flowlens: configuration error: --output-format: pb needs protobuf input (--input-format pb); JSON lines are written as JSON lines']);
    const unknown = await run(['-sourceformat', 'xml'], '');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^flowlens: configuration error: -sourceformat: "xml" is not json or pb\n$/);
    const json = await run(['-sourceformat=json'], `${V1_LINE}\n`);
    assert.equal(json.code, 0);
    assert.ok(json.stdout.toString().includes(WEB_POD));
  });

  test('protobuf: an overlong length prefix or an impossible length stops enrich at once with exit 1 and one line; what came before was written, what came after is counted', async () => {
    const v2 = (await protobuf.load(fixture('flow-v2.proto'))).lookupType('flowpb.FlowMessage');
    const body = v2.encode(v2.create({ type: 4, timeReceivedNs: 1, srcAddr: Uint8Array.from([10, 244, 1, 10]) })).finish();
    const framed = Buffer.concat([protobuf.Writer.create().uint32(body.length).finish(), body]);
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.alloc(12, 0xff), /a length prefix longer than ten bytes/],
      [Buffer.from(protobuf.Writer.create().uint64(2 ** 40).finish()), /a message length of 1099511627776 bytes \(16 MiB at most\)/],
    ];
    for (const [garbage, why] of cases) {
      const child = enrich(['-kubeconfig', kubeconfig, '--input-format', 'pb', '--output-format', 'json', '--listen', '127.0.0.1:0']);
      children.push(child.child);
      child.child.stdin!.write(Buffer.concat([framed, garbage, framed]));
      // stdin stays open: the stream is given up at once, not at its end.
      const code = await Promise.race([child.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
      assert.equal(code, 1, child.stderr.join(''));
      const lines = Buffer.concat(child.stdout).toString().split('\n').filter(Boolean);
      assert.equal(lines.length, 1, 'the message before the garbage was written');
      assert.ok(lines[0]!.includes(WEB_POD));
      const last = child.stderr.join('').trimEnd().split('\n').pop()!;
      assert.match(last, new RegExp(`^flowlens: --input-format pb: byte ${framed.length}: ${why.source}, not goflow2's varint-delimited protobuf; stopped reading \\(what came before was written\\)$`));
    }
  });

  test('JSON: the bytes of a line that is not valid UTF-8 pass through unchanged, with the fields added', async () => {
    const bad = Buffer.concat([Buffer.from('{"SrcAddr":"10.244.1.10","Note":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const notJson = Buffer.from([0x80, 0x81, 0x0a - 1]);
    const { code, stdout } = await run([], Buffer.concat([bad, Buffer.from('\n'), notJson, Buffer.from('\n')]));
    assert.equal(code, 0);
    const expected = Buffer.concat([bad.subarray(0, bad.length - 1), Buffer.from(`,${WEB_POD}}\n`), notJson, Buffer.from('\n')]);
    assert.deepEqual(stdout, expected, 'no byte replaced by U+FFFD');
  });

  test('output waits for the cache; watch updates change later output (pod deleted, IP reused)', async () => {
    const process = enrich(['-kubeconfig', kubeconfig]);
    children.push(process.child);
    process.child.stdin!.write('{"SrcAddr":"10.244.1.12"}\n');
    const [first] = await process.lines(1);
    assert.equal(first, '{"SrcAddr":"10.244.1.12","SrcPod":"debug","SrcNamespace":"default","SrcHostIP":"10.0.0.11","SrcWorkload":"debug","SrcWorkloadKind":"Pod"}');
    api.delete('pods', 'default', 'debug');
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.child.stdin!.write('{"SrcAddr":"10.244.1.12"}\n');
    const second = (await process.lines(2))[1];
    assert.equal(second, '{"SrcAddr":"10.244.1.12"}', 'the deleted pod is gone');
    api.apply('pods', pod({ namespace: 'shop', name: 'newcomer', node: 'n2', ips: ['10.244.1.12'], owners: [{ kind: 'StatefulSet', name: 'cache' }] }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.child.stdin!.write('{"SrcAddr":"10.244.1.12"}\n');
    const third = (await process.lines(3))[2];
    assert.equal(third, '{"SrcAddr":"10.244.1.12","SrcPod":"newcomer","SrcNamespace":"shop","SrcHostIP":"10.0.0.12","SrcWorkload":"cache","SrcWorkloadKind":"StatefulSet"}');
    process.child.stdin!.end();
    assert.equal(await process.exited, 0);
  });

  test('--listen: /metrics counts records by result and lines passed through, /ready follows the cache', async () => {
    const process = enrich(['-kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '-loglevel', 'info']);
    children.push(process.child);
    process.child.stdin!.write('{"SrcAddr":"10.244.1.12","DstAddr":"192.0.2.1"}\n{"SrcAddr":"192.0.2.1"}\nnot json\n{"SrcAddr":"10.96.0.10"}\n');
    await process.lines(4);
    const url = /"url":"(http:[^"]+)"/.exec(process.stderr.join(''))?.[1];
    assert.ok(url, process.stderr.join(''));
    const exposition = await (await fetch(`${url}/metrics`)).text();
    assert.equal(sampleValue(exposition, 'flowlens_enrich_records_total', { result: 'enriched' }), 2);
    assert.equal(sampleValue(exposition, 'flowlens_enrich_records_total', { result: 'unchanged' }), 1);
    assert.equal(sampleValue(exposition, 'flowlens_enrich_passthrough_lines_total', { reason: 'invalid' }), 1);
    assert.equal(sampleValue(exposition, 'flowlens_kube_synced', { kind: 'pods' }), 1);
    assert.equal((await fetch(`${url}/ready`)).status, 200);
    assert.equal((await fetch(`${url}/health`)).status, 200);
    process.child.stdin!.end();
    assert.equal(await process.exited, 0);

    const bad = enrich(['-kubeconfig', kubeconfig, '--listen', 'nope:port']);
    children.push(bad.child);
    bad.child.stdin!.end();
    assert.equal(await bad.exited, 1);
    assert.match(bad.stderr.join(''), /^flowlens: configuration error: --listen: /);
  });

  test('no Kubernetes access is a one-line configuration error', async () => {
    const process = enrich([], { KUBECONFIG: '' });
    children.push(process.child);
    process.child.stdin!.end();
    assert.equal(await process.exited, 1);
    assert.match(process.stderr.join(''), /^flowlens: configuration error: --kubeconfig: no Kubernetes API access/);
    const missing = enrich(['--kubeconfig', '/nonexistent/kubeconfig']);
    children.push(missing.child);
    missing.child.stdin!.end();
    assert.equal(await missing.exited, 1);
    assert.match(missing.stderr.join(''), /--kubeconfig: cannot load kubeconfig/);
    assert.ok(readFileSync(kubeconfig, 'utf8').includes('certificate-authority-data'));
  });
});

describe('flowlens enrich when the Kubernetes API does not serve it', () => {
  const children: ChildProcess[] = [];
  const servers: KubeApiServer[] = [];
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
    for (const server of servers) await server.stop();
  });

  async function started(options: ConstructorParameters<typeof KubeApiServer>[0] = {}): Promise<KubeApiServer> {
    const server = new KubeApiServer(options);
    servers.push(server);
    await server.start();
    loadFixtureCluster(server);
    return server;
  }

  /** Runs enrich with a closed stdin: only the sync wait keeps it alive. */
  async function run(kubeconfig: string, args: readonly string[], input: string | Buffer): Promise<{ code: number | null; ms: number; stdout: Buffer; stderr: string }> {
    const child = enrich(['-kubeconfig', kubeconfig, '--sync-timeout', '2s', ...args]);
    children.push(child.child);
    const begin = Date.now();
    child.child.stdin!.end(input);
    const code = await child.exited;
    return { code, ms: Date.now() - begin, stdout: Buffer.concat(child.stdout), stderr: child.stderr.join('') };
  }

  const lastLine = (stderr: string): string => stderr.trimEnd().split('\n').pop() ?? '';
  const retries = (stderr: string, kind: string): number => stderr.split('\n').filter((line) => line.includes('"msg":"Kubernetes list/watch failed') && line.includes(`"kind":"${kind}"`)).length;

  test('connection refused: retried until --sync-timeout, then exit 1 naming the server and the last error; lines read are counted, or written unenriched with --on-sync-timeout flush', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const kubeconfig = kubeconfigFile(tempDir('enrich-refused'), `https://127.0.0.1:${port}`);
    const input = `${V1_LINE}\nnot json\n`;

    const failed = await run(kubeconfig, ['-loglevel', 'warning'], input);
    assert.equal(failed.code, 1, failed.stderr);
    assert.ok(failed.ms >= 1_900, `waited for --sync-timeout (${failed.ms} ms)`);
    assert.match(
      lastLine(failed.stderr),
      new RegExp(`^flowlens: Kubernetes API https://127\\.0\\.0\\.1:${port}: the cache did not sync within 2s \\(--sync-timeout\\); last error: [a-z]+: GET /\\S+: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}; not written: 2 input lines read so far \\(--on-sync-timeout flush writes them unenriched\\)$`),
    );
    assert.ok(retries(failed.stderr, 'pods') >= 2, `retried:\n${failed.stderr}`);
    assert.equal(failed.stdout.length, 0);
    assert.doesNotMatch(failed.stderr, /\n\s+at /);

    const flushed = await run(kubeconfig, ['--on-sync-timeout', 'flush'], input);
    assert.equal(flushed.code, 1);
    assert.equal(flushed.stdout.toString(), input, 'what was read is written unenriched');
    assert.match(lastLine(flushed.stderr), /; written unenriched: 2 input lines read so far$/);
  });

  test('401 Unauthorized and 403 Forbidden at start: retried, then the same one-line exit', async () => {
    const api = await started();
    const wrongToken = join(tempDir('enrich-401'), 'kubeconfig');
    writeFileSync(wrongToken, readFileSync(api.writeKubeconfig(), 'utf8').replace(api.token, 'expired-token'));
    const unauthorized = await run(wrongToken, [], `${V1_LINE}\n`);
    assert.equal(unauthorized.code, 1);
    assert.match(lastLine(unauthorized.stderr), /^flowlens: Kubernetes API https:\/\/127\.0\.0\.1:\d+: the cache did not sync within 2s \(--sync-timeout\); last error: [a-z]+: GET \/\S+: HTTP 401: Unauthorized; not written: 1 input line read so far/);
    assert.ok(api.requests.filter((request) => request === 'unauthorized /api/v1/pods').length >= 2, 'the list was retried');

    const denied = await started({ forbidden: ['pods', 'services', 'replicasets'] });
    const forbidden = await run(denied.writeKubeconfig(), [], '');
    assert.equal(forbidden.code, 1);
    assert.match(lastLine(forbidden.stderr), /last error: [a-z]+: GET \/\S+: HTTP 403: \S+ is forbidden: .*; not written: 0 input lines read so far/);
  });

  test('a plain http:// API server (kubectl proxy) serves enrich as it served goflow2-kube-enricher', async () => {
    const proxy = await started({ plain: true });
    assert.match(proxy.url, /^http:\/\//);
    const { code, stdout, stderr } = await run(proxy.writeKubeconfig(), [], `${V1_LINE}\n`);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.toString(), `${V1_LINE.slice(0, -1)},${WEB_POD},${WEB_SERVICE}}\n`);
  });
});
