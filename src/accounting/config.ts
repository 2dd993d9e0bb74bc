import * as z from 'zod';
import { duration } from '../config/fields.js';

// The `accounting` section (docs/contracts.md section 2). calico-accountant's
// variables map onto it in src/config/env.ts: MINIMUM_COUNTER, and
// FELIX_INTERFACEPREFIX as Calico's own components read it; NODENAME sets
// kubernetes.nodeName.

export const BACKENDS = ['auto', 'iptables-legacy', 'iptables-nft', 'nft', 'file', 'none'] as const;
export type Backend = Exclude<(typeof BACKENDS)[number], 'auto'>;

export const accountingSchema = z
  .strictObject({
    nodeName: z.string().min(1).optional().meta({ description: "This agent's node (default: kubernetes.nodeName, i.e. NODE_NAME / NODENAME); only its pods are workloads." }),
    backend: z.enum(BACKENDS).default('auto').meta({
      description:
        "Where Felix programs its rules: auto (detected as Felix decides: kubelet's hint chains, then rule counts between iptables-nft and iptables-legacy, native nftables table `calico` when it holds more; the eBPF dataplane recognised; legacy tools only when their kernel tables are loaded; re-checked every 5 minutes, every minute while none is found), or one of them. file: replay an `iptables-save -c` dump from accounting.dumpFile (the demo; a support bundle). none: no series. flowlens_accounting_backend_info names the backend in use (ebpf: policy runs in BPF programs, no series).",
    }),
    minimumCounter: z
      .int()
      .min(0)
      .default(0)
      .meta({ description: "calico-accountant's MINIMUM_COUNTER: a scrape in which no sample reaches it is dropped (its calico-accountant families are left out and calico_accountant_dropped_scrape counts it)." }),
    interfacePrefixes: z
      .array(z.string().regex(/^[a-z0-9]{1,8}$/, 'an interface prefix: lower-case letters and digits'))
      .min(1)
      .default(['cali'])
      .meta({ description: 'Workload interface prefixes (FELIX_INTERFACEPREFIX, comma-separated; default cali): an interface is prefix + 11 hex digits of sha1("namespace.pod").' }),
    timeout: duration('10s', { description: 'Longest wait for one ruleset dump.' }),
    dumpFile: z.string().min(1).optional().meta({ description: 'With backend file: the `iptables-save -c -t filter` output to read at each scrape (IPv4 and IPv6 rules may be in one file).' }),
    netns: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .optional()
      .meta({ description: 'Read the rules of this named network namespace (`ip netns exec`), e.g. when the agent itself does not run in the host network namespace.' }),
  })
  .superRefine((value, ctx) => {
    if (value.backend === 'file' && value.dumpFile === undefined) ctx.addIssue({ code: 'custom', path: ['dumpFile'], message: 'backend file needs accounting.dumpFile' });
  })
  .prefault({});

export type AccountingConfig = z.output<typeof accountingSchema>;
