import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { STREAM_METHOD, decodeStreamRequest, encodeFlowResult, goldmane } from '../sources/goldmane/codec.js';
import type { DemoCerts } from './certs.js';
import { FLOWS, intervalCounts, pods, type DemoFlow } from './cluster.js';

// The demo's Goldmane: /goldmane.Flows/Stream over mTLS (a client certificate
// is required, as Goldmane requires one), with Goldmane's stream semantics:
// 15-second buckets on multiples of 15 unix seconds, one message per flow key
// and bucket carrying that bucket's counts only. A new stream first gets the
// buckets of the last five minutes from its start_time_gte on, then, at each
// rollover, the bucket two behind the head (projectcalico/calico
// goldmane/pkg/goldmane/goldmane.go; docs/goldmane.md).

const BUCKET = 15;
const HISTORY = 20; // buckets (five minutes)

const PolicyKind = goldmane.PolicyKind;
const Action = goldmane.Action;

/** Goldmane's name for a workload's pods: their GenerateName and "*" ("<replicaset>-*"); a StatefulSet pod by its name. */
function aggregated(workload: DemoFlow['from']): string {
  const pod = pods().find((candidate) => candidate.workload === workload)!;
  return pod.ownerKind === 'StatefulSet' ? pod.name : `${pod.name.slice(0, pod.name.lastIndexOf('-') + 1)}*`;
}

function policyHit(flow: DemoFlow): goldmane.PolicyHit.$Properties {
  const action = flow.allowed ? Action.Allow : Action.Deny;
  if (!flow.policy.includes('/')) return { kind: PolicyKind.GlobalNetworkPolicy, name: flow.policy, tier: 'security', action, policyIndex: 0, ruleIndex: 0 };
  const [namespace, name] = flow.policy.split('/');
  if (!flow.allowed) {
    // A namespace's default deny: the end of the tier decided, triggered by that policy.
    return { kind: PolicyKind.EndOfTier, tier: 'default', action, policyIndex: 1, ruleIndex: -1, trigger: { kind: PolicyKind.NetworkPolicy, namespace, name, tier: 'default', action } };
  }
  return { kind: PolicyKind.NetworkPolicy, namespace, name: `knp.default.${name}`, tier: 'default', action, policyIndex: 0, ruleIndex: 0 };
}

function keys(flow: DemoFlow): goldmane.FlowKey.$Properties[] {
  const toInternet = flow.to === 'internet';
  const base: goldmane.FlowKey.$Properties = {
    sourceName: aggregated(flow.from),
    sourceNamespace: flow.from.namespace,
    sourceType: goldmane.EndpointType.WorkloadEndpoint,
    destName: toInternet ? 'pub' : aggregated(flow.to as DemoFlow['from']),
    destNamespace: toInternet ? '' : (flow.to as DemoFlow['from']).namespace,
    destType: toInternet ? goldmane.EndpointType.Network : goldmane.EndpointType.WorkloadEndpoint,
    destPort: flow.port,
    destServiceName: toInternet ? '-' : (flow.to as DemoFlow['from']).name,
    destServiceNamespace: toInternet ? '-' : (flow.to as DemoFlow['from']).namespace,
    destServicePortName: toInternet ? '-' : 'main',
    destServicePort: toInternet ? 0 : flow.port,
    proto: flow.proto,
    action: flow.allowed ? Action.Allow : Action.Deny,
    policies: { enforcedPolicies: [policyHit(flow)] },
  };
  // Both ends report pod-to-pod traffic; denied traffic is reported where it was denied.
  if (toInternet) return [{ ...base, reporter: goldmane.Reporter.Src }];
  return flow.allowed ? [{ ...base, reporter: goldmane.Reporter.Src }, { ...base, reporter: goldmane.Reporter.Dst }] : [{ ...base, reporter: goldmane.Reporter.Dst }];
}

function bucketResults(startTime: number): goldmane.FlowResult.$Properties[] {
  const interval = startTime / BUCKET;
  const out: goldmane.FlowResult.$Properties[] = [];
  for (const [flowIndex, flow] of FLOWS.entries()) {
    const connections = intervalCounts(flow, interval);
    if (connections === 0) continue;
    const packets = connections * (flow.allowed ? 12 : 2);
    for (const [keyIndex, key] of keys(flow).entries()) {
      out.push({
        // As Goldmane's: one id per flow key, the same in every interval.
        id: flowIndex * 2 + keyIndex + 1,
        flow: {
          Key: key,
          startTime,
          endTime: startTime + BUCKET,
          sourceLabels: [`app=${flow.from.name}`],
          destLabels: flow.to === 'internet' ? [] : [`app=${flow.to.name}`],
          packetsIn: flow.allowed ? packets : 0,
          packetsOut: packets,
          bytesIn: flow.allowed ? packets * 900 : 0,
          bytesOut: packets * 120,
          numConnectionsStarted: connections,
          numConnectionsCompleted: flow.allowed ? connections : 0,
          numConnectionsLive: flow.allowed ? Math.ceil(connections / 10) : 0,
        },
      });
    }
  }
  return out;
}

/** The start of the newest complete bucket Goldmane would send now: two behind the head. */
const emittable = (nowSeconds: number): number => nowSeconds - (nowSeconds % BUCKET) - 2 * BUCKET;

export class DemoGoldmane {
  private server: grpc.Server | undefined;
  private readonly streams = new Set<grpc.ServerWritableStream<unknown, Buffer>>();
  private timer: NodeJS.Timeout | undefined;
  private lastSent = 0;
  port = 0;

  constructor(private readonly certs: DemoCerts) {}

  async start(): Promise<void> {
    const server = new grpc.Server();
    server.addService(
      {
        Stream: {
          path: STREAM_METHOD,
          requestStream: false,
          responseStream: true,
          requestSerialize: (value: Buffer) => value,
          requestDeserialize: (bytes: Buffer) => decodeStreamRequest(bytes),
          responseSerialize: (value: Buffer) => value,
          responseDeserialize: (bytes: Buffer) => bytes,
          originalName: 'stream',
        },
      },
      { Stream: (call: grpc.ServerWritableStream<goldmane.FlowStreamRequest, Buffer>) => this.accept(call) },
    );
    const credentials = grpc.ServerCredentials.createSsl(
      readFileSync(this.certs.caFile),
      [{ cert_chain: readFileSync(this.certs.serverCertFile), private_key: readFileSync(this.certs.serverKeyFile) }],
      true,
    );
    this.port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, port) => (error ? reject(error) : resolve(port))));
    this.server = server;
    this.lastSent = emittable(Math.floor(Date.now() / 1_000));
    this.timer = setInterval(() => this.rollover(), 1_000);
  }

  private accept(call: grpc.ServerWritableStream<goldmane.FlowStreamRequest, Buffer>): void {
    const now = Math.floor(Date.now() / 1_000);
    const from = Math.max(Number(call.request.startTimeGte ?? 0) || 0, emittable(now) - (HISTORY - 1) * BUCKET);
    for (let start = from - (from % BUCKET); start <= this.lastSent; start += BUCKET) {
      for (const result of bucketResults(start)) call.write(encodeFlowResult(result));
    }
    const stream = call as unknown as grpc.ServerWritableStream<unknown, Buffer>;
    this.streams.add(stream);
    call.on('cancelled', () => this.streams.delete(stream));
    call.on('close', () => this.streams.delete(stream));
  }

  /** At each 15 s rollover, the newly complete bucket goes to every open stream. */
  private rollover(): void {
    const due = emittable(Math.floor(Date.now() / 1_000));
    while (this.lastSent < due) {
      this.lastSent += BUCKET;
      const results = bucketResults(this.lastSent).map(encodeFlowResult);
      for (const stream of this.streams) for (const result of results) stream.write(result);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const stream of this.streams) stream.end();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  }
}
