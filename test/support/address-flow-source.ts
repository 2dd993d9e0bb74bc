import { defineComponent } from '../../src/components/component.js';
import type { FlowEndpoint, FlowRecord } from '../../src/flow/flow-record.js';
import * as z from 'zod';

// A flow source whose records carry IP addresses, the way the goflow2 input
// and the IPFIX collector will hand them over: the agent's enrichment stage
// is exercised with it until such a source ships. Test-only.

let sequence = 0;

export function addressFlow(src: Partial<FlowEndpoint> & { ip: string }, dst: Partial<FlowEndpoint> & { ip: string }): FlowRecord {
  sequence++;
  const endpoint = (partial: Partial<FlowEndpoint>): FlowEndpoint => ({ name: '', namespace: '', type: 'network', labels: [], ...partial });
  return {
    source: 'goflow2',
    startTime: 1_700_000_000_000,
    endTime: 1_700_000_015_000,
    proto: 'tcp',
    src: endpoint(src),
    dst: endpoint(dst),
    reporter: 'unspecified',
    action: 'unspecified',
    packetsIn: 0,
    packetsOut: 10,
    bytesIn: 0,
    bytesOut: 1_000,
    connectionsStarted: 1,
    connectionsCompleted: 0,
    connectionsLive: 1,
    key: `${src.ip}:${src.port ?? 0}->${dst.ip}:${dst.port ?? 0}`,
    id: `flow-${sequence}`,
  };
}

/** A source definition that queues `records` once `release()` is called (after the cache synced). */
export function addressSourceDefinition(records: () => readonly FlowRecord[]) {
  let push: (() => void) | undefined;
  const definition = defineComponent({
    name: 'addresses',
    kind: 'source',
    description: 'test flow source with IP addresses',
    schema: z.object({}).prefault({}),
    producesFlows: true,
    flowAddresses: true,
    create: (_config, context) => {
      const queue = context.flows.queue('goflow2', 1_000);
      push = () => {
        for (const record of records()) queue.push(record);
      };
      return {
        name: 'addresses',
        start: async () => {},
        status: () => ({ ready: true, up: true }),
        stop: async () => {
          queue.flush();
        },
      };
    },
  });
  return { definition, release: () => push?.() };
}
