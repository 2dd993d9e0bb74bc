import { domainToASCII } from 'node:url';
import * as z from 'zod';
import { dialAddressValue, duration, listenAddress, optionalDialAddress } from '../config/fields.js';

// The `probes` section (docs/contracts.md section 2). net-exporter's flags map onto
// it as aliases of `flowlens run` (-hosts, -dns-service, -dns-namespace,
// -disable-dns-tcp-check, -timeout; src/cli.ts).

const namespacedName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected "namespace/name"');

/**
 * A DNS name to query: absolute (trailing dot) or not; sent as written, no
 * search list. A name outside ASCII is turned into its IDNA form
 * (UTS #46 / punycode, "bücher.example." -> "xn--bcher-kva.example."), as
 * resolvers do before asking, and is refused if it has none.
 */
const dnsName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .transform((name, ctx) => {
    if (/^[\x20-\x7e]*$/.test(name)) return name;
    const ascii = domainToASCII(name);
    if (ascii === '') {
      ctx.addIssue({ code: 'custom', message: `"${name}" is not a valid internationalized domain name` });
      return z.NEVER;
    }
    return ascii;
  })
  .refine((name) => name.length <= 254, 'longer than 253 characters')
  .refine((name) => name === '.' || name.replace(/\.$/, '').split('.').every((label) => label.length > 0 && label.length <= 63), 'not a DNS name (empty or over-long label)');

export const probesSchema = z
  .strictObject({
    listen: listenAddress(':8000', {
      description: 'Where this agent answers its peers: TCP connect (accepted, then closed) and UDP echo, same port. A bare port takes the host of server.listen.',
    }),
    interval: duration('15s', { description: 'How often each target is probed; starts are spread over the interval and jittered (never on scrape).' }),
    timeout: duration('5s', { description: 'Longest wait for one probe (net-exporter -timeout); at most the interval.' }),
    maxEventLoopLag: duration('50ms', {
      description: 'A sample taken while the event loop lagged more than this is discarded and counted (flowlens_probe_samples_discarded_total), not recorded as network latency.',
    }),
    dns: z
      .strictObject({
        server: optionalDialAddress({ description: 'DNS server to query, IP:PORT. Unset: the ClusterIP of dns.service, else the first nameserver of /etc/resolv.conf.' }),
        service: namespacedName
          .optional()
          .meta({ description: 'DNS Service whose ClusterIP (port 53) is queried, "namespace/name" (net-exporter -dns-namespace/-dns-service, kube-system/coredns there); needs the Kubernetes cache.' }),
        hosts: z
          .array(dnsName)
          .prefault(['kubernetes.default.svc.cluster.local.'])
          .meta({ description: 'Names queried (A records) each interval (net-exporter -hosts). Sent as written, without a search list; a name outside ASCII is sent in its IDNA form (bücher.example. as xn--bcher-kva.example.).' }),
        tcp: z.boolean().default(true).meta({ description: 'Also query over TCP (net-exporter -disable-dns-tcp-check turns this off).' }),
      })
      .prefault({})
      .meta({ description: 'DNS probes: a wire-level client (no cache, no thread pool), UDP and TCP.' }),
    peers: z
      .strictObject({
        static: z.array(dialAddressValue()).default([]).meta({ description: 'Peers to probe, "IP:PORT" each (all of them, this agent excluded).' }),
        service: namespacedName
          .optional()
          .meta({ description: 'Service whose ready EndpointSlice endpoints are the peers ("namespace/name", e.g. monitoring/flowlens); each agent probes `count` of them on a ring.' }),
        port: z.int().min(1).max(65_535).default(8000).meta({ description: 'Port dialled on discovered peers.' }),
        count: z.int().min(1).max(1_000).default(6).meta({ description: 'Peers each agent probes with discovery: its successors on a ring ordered by a hash of node names.' }),
        udpPackets: z.int().min(0).max(100).default(5).meta({ description: 'UDP echo packets per peer and round (loss ratio and RTT); 0 turns the UDP probe off.' }),
      })
      .prefault({})
      .meta({ description: 'Peer latency probes: TCP connect and UDP echo to other agents.' }),
  })
  .superRefine((probes, ctx) => {
    // A probe still waiting when the next round starts would overlap it.
    if (probes.timeout > probes.interval) {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: `${probes.timeout / 1_000}s is longer than probes.interval (${probes.interval / 1_000}s)` });
    }
  })
  .prefault({});

export type ProbesConfig = z.output<typeof probesSchema>;
