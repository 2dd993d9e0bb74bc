import type { SeedFlags } from '../components/component.js';

// net-exporter's command-line flags, as aliases of probes keys (on run and
// check-config; Go's -flag, -flag=value and -bool=true|false spellings too).
export const NET_EXPORTER_FLAGS: SeedFlags = {
  flags: [
    { option: '--hosts <names>', description: 'net-exporter -hosts: DNS names to probe, comma-separated (probes.dns.hosts)' },
    { option: '--dns-service <name>', description: 'net-exporter -dns-service: DNS Service name (probes.dns.service, with --dns-namespace)' },
    { option: '--dns-namespace <namespace>', description: 'net-exporter -dns-namespace (default kube-system)' },
    { option: '--disable-dns-tcp-check', description: 'net-exporter -disable-dns-tcp-check (probes.dns.tcp=false)' },
    { option: '--timeout <duration>', description: 'net-exporter -timeout (probes.timeout)' },
  ],
  toSet(values) {
    const set: string[] = [];
    if (typeof values.hosts === 'string') {
      const hosts = values.hosts.split(',').map((host) => host.trim()).filter((host) => host !== '');
      set.push(`probes.dns.hosts=${JSON.stringify(hosts)}`);
    }
    if (values.dnsService !== undefined || values.dnsNamespace !== undefined) {
      set.push(`probes.dns.service=${String(values.dnsNamespace ?? 'kube-system')}/${String(values.dnsService ?? 'coredns')}`);
    }
    if (values.disableDnsTcpCheck === true) set.push('probes.dns.tcp=false');
    if (typeof values.timeout === 'string') set.push(`probes.timeout=${JSON.stringify(values.timeout)}`);
    return set;
  },
};
