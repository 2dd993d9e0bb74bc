import net from 'node:net';

// IP addresses as index keys: one spelling per address, so "fd00:0:0::1",
// "FD00::1" and "fd00::1" find the same pod, and an IPv4-mapped IPv6 address
// (::ffff:10.0.0.1, as some exporters send IPv4) finds the IPv4 entry.

/** The canonical text of an IP address (RFC 5952 for IPv6), or undefined if it is none. */
export function canonicalIp(text: string): string | undefined {
  const kind = net.isIP(text);
  if (kind === 4) return text.includes('.0') ? text.split('.').map(Number).join('.') : text;
  if (kind !== 6) return undefined;
  const groups = ipv6Groups(text);
  if (groups === undefined) return undefined;
  // ::ffff:a.b.c.d
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  return formatIpv6(groups);
}

/** The eight 16-bit groups of an IPv6 address (a zone and an embedded IPv4 tail allowed), undefined when it is none. */
export function ipv6Groups(text: string): number[] | undefined {
  let address = text;
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hex groups.
  const lastColon = address.lastIndexOf(':');
  if (address.indexOf('.', lastColon) > lastColon) {
    const parts = address.slice(lastColon + 1).split('.').map(Number);
    address = `${address.slice(0, lastColon + 1)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, rest] = address.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const before = parse(head);
  const after = rest === undefined ? [] : parse(rest);
  const missing = 8 - before.length - after.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined;
  return [...before, ...new Array<number>(missing).fill(0), ...after];
}

/** Eight 16-bit groups as RFC 5952 text (what Go's net and netip print too), without the IPv4-mapped form. */
export function formatIpv6(groups: readonly number[]): string {
  // The longest run of two or more zero groups becomes "::" (the first such run on a tie).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
