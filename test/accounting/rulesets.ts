// Felix-shaped rulesets for the accounting tests, after Felix's renderer
// (projectcalico/calico felix/rules/ at v3.26-v3.32: chain layout and comments
// by Calico version). Loaded with
// `iptables-restore -c` (exact counters) or `nft -f` into a network namespace.
//
// Workloads (the Kubernetes test server serves them):
//   default/nginx  10.65.0.5          calic440f455693
//   default/web-0  10.65.0.6          cali0d7763386da
//   default/dual   10.65.0.7, fd00::7 cali4150158b17d
//   cali00000000000 matches no pod (unknown interface)

export const NGINX = 'calic440f455693';
export const WEB = 'cali0d7763386da';
export const DUAL = 'cali4150158b17d';

const header = (chains: readonly string[]): string => `*filter\n${chains.map((chain) => `:${chain} - [0:0]`).join('\n')}\n`;

/** The research's worked example, Calico 3.30 layout: accept 3 (180 B), drop 4 (240 B) on tw; fw profile-only. */
export function calico330(iface = NGINX): string {
  const pi = 'cali-pi-_KZDIIDu2y0vrdgDalAi';
  return `${header([pi, `cali-tw-${iface}`, `cali-fw-${iface}`, 'cali-pri-kns.default'])}[3:180] -A ${pi} -p tcp -m comment --comment "cali:Xp3c0VOsfWx0ZB8H" -m comment --comment "Policy default/knp.default.allow-nginx ingress" -m multiport --dports 80 -j MARK --set-xmark 0x10000/0x10000
[3:171] -A cali-tw-${iface} -m comment --comment "cali:xOQ1Hh5f0Ul0yTXG" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
[7:420] -A cali-tw-${iface} -m comment --comment "cali:2yLJmTQrOeImfBk3" -j MARK --set-xmark 0x0/0x30000
[7:420] -A cali-tw-${iface} -m comment --comment "cali:Dl5DeXIEQsKY3R8N" -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
[7:420] -A cali-tw-${iface} -m comment --comment "cali:c0A2ZJeDexhDt7YE" -m mark --mark 0x0/0x20000 -j ${pi}
[3:180] -A cali-tw-${iface} -m comment --comment "cali:9k4Ww8a5rF5qBl71" -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
[4:240] -A cali-tw-${iface} -m comment --comment "cali:jAbrq0BWH2sE3lGC" -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
[0:0] -A cali-tw-${iface} -m comment --comment "cali:Vw5MWlfKvqlDDhdL" -j cali-pri-kns.default
[0:0] -A cali-tw-${iface} -m comment --comment "cali:4eDaXxxkhqyoYj3P" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
[0:0] -A cali-tw-${iface} -m comment --comment "cali:LBS-9uUYqZJcQXKx" -m comment --comment "Drop if no profiles matched" -j DROP
[5:300] -A cali-fw-${iface} -m comment --comment "cali:aaaaaaaaaaaaaaaa" -j cali-pri-kns.default
[5:300] -A cali-fw-${iface} -m comment --comment "cali:bbbbbbbbbbbbbbbb" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
COMMIT
`;
}

/** Calico 3.26 layout: "Start of policies", the plain drop text, v1-name hashing, -j DROP inside the policy chain. */
export function calico326(): string {
  const pi = 'cali-pi-_dMXF9XERrXSkww4mw6F';
  const po = 'cali-po-ns/knp.default.foo';
  return `${header([pi, po, `cali-tw-${NGINX}`, `cali-fw-${NGINX}`])}[11:660] -A ${pi} -p tcp -m comment --comment "cali:r1r1r1r1r1r1r1r1" -m comment --comment "Policy default/knp.default.allow-nginx ingress" -m multiport --dports 80 -j MARK --set-xmark 0x10000/0x10000
[11:660] -A ${pi} -m comment --comment "cali:r2r2r2r2r2r2r2r2" -m mark --mark 0x10000/0x10000 -j RETURN
[2:120] -A ${pi} -p tcp -m comment --comment "cali:r3r3r3r3r3r3r3r3" -m multiport --dports 22 -j DROP
[9:540] -A ${po} -m comment --comment "cali:r4r4r4r4r4r4r4r4" -j MARK --set-xmark 0x10000/0x10000
[20:1200] -A cali-tw-${NGINX} -m comment --comment "cali:t1t1t1t1t1t1t1t1" -m comment --comment "Start of policies" -j MARK --set-xmark 0x0/0x20000
[20:1200] -A cali-tw-${NGINX} -m comment --comment "cali:t2t2t2t2t2t2t2t2" -m mark --mark 0x0/0x20000 -j ${pi}
[11:660] -A cali-tw-${NGINX} -m comment --comment "cali:t3t3t3t3t3t3t3t3" -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
[7:420] -A cali-tw-${NGINX} -m comment --comment "cali:t4t4t4t4t4t4t4t4" -m comment --comment "Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
[9:540] -A cali-fw-${NGINX} -m comment --comment "cali:f1f1f1f1f1f1f1f1" -m mark --mark 0x0/0x20000 -j ${po}
[9:540] -A cali-fw-${NGINX} -m comment --comment "cali:f2f2f2f2f2f2f2f2" -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
[1:60] -A cali-fw-${NGINX} -m comment --comment "cali:f3f3f3f3f3f3f3f3" -m comment --comment "Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
COMMIT
`;
}

/**
 * Calico 3.29, two tiers (security, then default), each with its own drop rule; a policy group
 * (two KNPs with one selector) shared by two pods; a 3.32-named policy; Reject as deny action.
 */
export function calico329Tiers(): string {
  const security = 'cali-pi-_sEcUrItY0000000000a';
  const gi = 'cali-gi-_gRoUp00000000000000';
  const a = 'cali-pi-_aaaaaaaaaaaaaaaaaaa';
  const b = 'cali-pi-_bbbbbbbbbbbbbbbbbbb';
  const modern = 'cali-pi-_JfeG2_w8PWOceh6XmuV';
  const endpoint = (iface: string, n: number): string => `[${10 * n}:${600 * n}] -A cali-tw-${iface} -m comment --comment "cali:s${n}s${n}s${n}s${n}s${n}s${n}s${n}s${n}" -m comment --comment "Start of tier security" -j MARK --set-xmark 0x0/0x20000
[${10 * n}:${600 * n}] -A cali-tw-${iface} -m comment --comment "cali:j${n}j${n}j${n}j${n}j${n}j${n}j${n}j${n}" -m mark --mark 0x0/0x20000 -j ${security}
[${n}:${60 * n}] -A cali-tw-${iface} -m comment --comment "cali:k${n}k${n}k${n}k${n}k${n}k${n}k${n}k${n}" -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
[${2 * n}:${120 * n}] -A cali-tw-${iface} -m comment --comment "cali:d${n}d${n}d${n}d${n}d${n}d${n}d${n}d${n}" -m comment --comment "Reject if no policies passed packet" -m mark --mark 0x0/0x20000 -j REJECT --reject-with icmp-port-unreachable
[${7 * n}:${420 * n}] -A cali-tw-${iface} -m comment --comment "cali:u${n}u${n}u${n}u${n}u${n}u${n}u${n}u${n}" -m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000
[${7 * n}:${420 * n}] -A cali-tw-${iface} -m comment --comment "cali:g${n}g${n}g${n}g${n}g${n}g${n}g${n}g${n}" -m mark --mark 0x0/0x20000 -j ${gi}
[${4 * n}:${240 * n}] -A cali-tw-${iface} -m comment --comment "cali:h${n}h${n}h${n}h${n}h${n}h${n}h${n}h${n}" -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
[${3 * n}:${180 * n}] -A cali-tw-${iface} -m comment --comment "cali:e${n}e${n}e${n}e${n}e${n}e${n}e${n}e${n}" -m comment --comment "Reject if no policies passed packet" -m mark --mark 0x0/0x20000 -j REJECT --reject-with icmp-port-unreachable
[1:60] -A cali-fw-${iface} -m comment --comment "cali:m${n}m${n}m${n}m${n}m${n}m${n}m${n}m${n}" -m mark --mark 0x0/0x20000 -j ${modern}
[1:60] -A cali-fw-${iface} -m comment --comment "cali:n${n}n${n}n${n}n${n}n${n}n${n}n${n}" -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
`;
  return `${header([security, gi, a, b, modern, `cali-tw-${NGINX}`, `cali-fw-${NGINX}`, `cali-tw-${WEB}`, `cali-fw-${WEB}`, 'cali-tw-cali00000000000'])}[0:0] -A ${security} -m comment --comment "cali:p1p1p1p1p1p1p1p1" -m comment --comment "Policy default.deny-ssh ingress"
[0:0] -A ${a} -m comment --comment "cali:p2p2p2p2p2p2p2p2" -m comment --comment "Policy default/knp.default.allow-a ingress" -j MARK --set-xmark 0x10000/0x10000
[0:0] -A ${b} -m comment --comment "cali:p3p3p3p3p3p3p3p3" -m comment --comment "Policy default/knp.default.allow-b ingress" -j MARK --set-xmark 0x10000/0x10000
[0:0] -A ${gi} -m comment --comment "cali:q1q1q1q1q1q1q1q1" -j ${b}
[0:0] -A ${gi} -m comment --comment "cali:q2q2q2q2q2q2q2q2" -j ${a}
[0:0] -A ${modern} -m comment --comment "cali:p4p4p4p4p4p4p4p4" -m comment --comment "KubernetesNetworkPolicy default/allow-egress egress" -j MARK --set-xmark 0x10000/0x10000
${endpoint(NGINX, 1)}${endpoint(WEB, 2)}[5:300] -A cali-tw-cali00000000000 -m comment --comment "cali:x1x1x1x1x1x1x1x1" -m comment --comment "Drop if no policies passed packet" -j DROP
COMMIT
`;
}

/** A dual-stack workload: the same accept and drop in both families, summed into one sample each. */
export function dualStack(family: 4 | 6, big = false): string {
  const pi = 'cali-pi-_dUaL000000000000000';
  const accepted = big ? '18446744073709551615:18446744073709551615' : family === 4 ? '6:360' : '4:320';
  return `${header([pi, `cali-tw-${DUAL}`])}[0:0] -A ${pi} -m comment --comment "cali:w1w1w1w1w1w1w1w1" -m comment --comment "Policy default/knp.default.allow-dual ingress" -j MARK --set-xmark 0x10000/0x10000
[10:600] -A cali-tw-${DUAL} -m comment --comment "cali:w2w2w2w2w2w2w2w2" -m mark --mark 0x0/0x20000 -j ${pi}
[${accepted}] -A cali-tw-${DUAL} -m comment --comment "cali:w3w3w3w3w3w3w3w3" -m comment --comment "Return if policy accepted" -m mark --mark 0x10000/0x10000 -j RETURN
[${family === 4 ? '1:60' : '2:160'}] -A cali-tw-${DUAL} -m comment --comment "cali:w4w4w4w4w4w4w4w4" -m comment --comment "End of tier default. Drop if no policies passed packet" -m mark --mark 0x0/0x20000 -j DROP
COMMIT
`;
}

/** Native nftables, Calico 3.30 shape: table ip calico, filter- prefixes, readable policy chain names. */
export function nativeNft330(): string {
  const pi = 'filter-cali-pi-default/default/knp.default.allow-nginx';
  const tw = `filter-cali-tw-${NGINX}`;
  return `table ip calico {
  chain ${pi} {
    tcp dport 80 counter packets 3 bytes 180 meta mark set mark or 0x00010000 comment "cali:Xp3c0VOsfWx0ZB8H; Policy default/knp.default.allow-nginx ingress"
  }
  chain ${tw} {
    ct state established,related counter packets 3 bytes 171 accept comment "cali:xOQ1Hh5f0Ul0yTXG"
    counter packets 7 bytes 420 meta mark set mark and 0xfffcffff comment "cali:2yLJmTQrOeImfBk3"
    counter packets 7 bytes 420 meta mark set mark and 0xfffdffff comment "cali:Dl5DeXIEQsKY3R8N; Start of tier default"
    meta mark & 0x00020000 == 0x00000000 counter packets 7 bytes 420 jump ${pi} comment "cali:c0A2ZJeDexhDt7YE"
    meta mark & 0x00010000 == 0x00010000 counter packets 3 bytes 180 return comment "cali:9k4Ww8a5rF5qBl71; Return if policy accepted"
    meta mark & 0x00020000 == 0x00000000 counter packets 4 bytes 240 drop comment "cali:jAbrq0BWH2sE3lGC; End of tier default. Drop if no policies passed packet"
  }
  map filter-cali-to-wl-dispatch {
    type ifname : verdict
    elements = { "${NGINX}" : goto ${tw} }
  }
}
`;
}
