import { createHash } from 'node:crypto';

// Felix's chain names for policies whose name is too long (projectcalico/calico
// GetLengthLimitedID in felix/hashutils/id.go, libcalico-go/lib/hash in 3.32;
// the same algorithm from 3.26 to 3.32): over the limit
// (28 for iptables), the name is the prefix, "_" and the start of the
// base64url SHA-256 of the suffix. The accountant reads names from the chains'
// comments; this is the fallback for a hashed chain without one: the chain
// names every known Kubernetes NetworkPolicy would get, in every version's
// scheme, matched against the dump.

export const IPTABLES_MAX = 28;
/** knftables' NameLengthMax, Felix's limit in nftables mode from 3.30. */
export const NFT_MAX = 256;

export function lengthLimitedId(prefix: string, suffix: string, max = IPTABLES_MAX): string {
  const length = prefix.length + suffix.length;
  if (length > max || (length === max && suffix.startsWith('_'))) {
    return `${prefix}_${createHash('sha256').update(suffix).digest('base64url').slice(0, max - 1 - prefix.length)}`;
  }
  return prefix + suffix;
}

/** The policy chains a Kubernetes NetworkPolicy gets in Calico 3.26-3.32 (iptables and nftables limits), with the seed's name for it. */
export function knpChains(namespace: string, name: string): Map<string, string> {
  const v1 = `${namespace}/knp.default.${name}`;
  const suffixes = [v1, `default/${v1}`, `knp/${namespace}/${name}`]; // 3.26-3.28, 3.29-3.31 (tier first), 3.32
  const out = new Map<string, string>();
  for (const prefix of ['cali-pi-', 'cali-po-']) {
    for (const suffix of suffixes) {
      out.set(lengthLimitedId(prefix, suffix), v1);
      out.set(lengthLimitedId(prefix, suffix, NFT_MAX), v1);
    }
  }
  return out;
}

/** The policy chains an AdminNetworkPolicy (or BaselineAdminNetworkPolicy) gets in Calico 3.28-3.31, with the seed's name for it. */
export function adminChains(kind: 'admin' | 'baseline', name: string): Map<string, string> {
  const tier = kind === 'admin' ? 'adminnetworkpolicy' : 'baselineadminnetworkpolicy';
  const v1 = `${kind === 'admin' ? 'kanp' : 'kbanp'}.${tier}.${name}`;
  const out = new Map<string, string>();
  for (const prefix of ['cali-pi-', 'cali-po-']) {
    for (const suffix of [v1, `${tier}/${v1}`]) {
      out.set(lengthLimitedId(prefix, suffix), v1);
      out.set(lengthLimitedId(prefix, suffix, NFT_MAX), v1);
    }
  }
  return out;
}
