// goflow2's listen URLs (`-listen`): scheme netflow (v9 and IPFIX, and v5 as
// goflow2 v2 accepts it), nfl (v5), sflow, flow (any); query count (sockets
// sharing the port) and rcvbuf (receive buffer bytes). goflow2's workers,
// blocking and queue_size are accepted and have no effect here.

export type ListenScheme = 'netflow' | 'nfl' | 'sflow' | 'flow';

export interface Listener {
  readonly url: string;
  readonly scheme: ListenScheme;
  /** '' for every address (IPv6 and IPv4). */
  readonly host: string;
  readonly port: number;
  readonly count: number;
  readonly rcvbuf?: number;
}

const SCHEMES: ReadonlySet<string> = new Set(['netflow', 'nfl', 'sflow', 'flow']);
const KNOWN = new Set(['count', 'rcvbuf', 'workers', 'blocking', 'queue_size']);

export function parseListenUrl(text: string): Listener {
  let url: URL;
  // WHATWG URLs of non-special schemes refuse an empty host with a port ("netflow://:2055"): a placeholder stands in.
  const anyHost = /^[a-z]+:\/\/:/i.test(text);
  try {
    url = new URL(anyHost ? text.replace('://:', '://any.invalid:') : text);
  } catch {
    throw new Error(`"${text}" is not a listen URL (like netflow://:2055)`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!SCHEMES.has(scheme)) throw new Error(`"${text}": scheme ${scheme} is not one of netflow, nfl, sflow, flow`);
  // new URL() leaves an empty host for "netflow://:2055"; brackets stay around IPv6 literals.
  const host = anyHost ? '' : url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port);
  if (url.port === '' || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"${text}": a port is needed (1-65535)`);
  for (const key of url.searchParams.keys()) if (!KNOWN.has(key)) throw new Error(`"${text}": unknown parameter ${key} (count, rcvbuf)`);
  const count = url.searchParams.has('count') ? Number(url.searchParams.get('count')) : 1;
  if (!Number.isInteger(count) || count < 0 || count > 64) throw new Error(`"${text}": count must be 1-64`);
  const rcvbuf = url.searchParams.has('rcvbuf') ? Number(url.searchParams.get('rcvbuf')) : undefined;
  if (rcvbuf !== undefined && (!Number.isInteger(rcvbuf) || rcvbuf < 1)) throw new Error(`"${text}": rcvbuf must be a number of bytes`);
  return { url: text, scheme: scheme as ListenScheme, host, port, count: Math.max(count, 1), ...(rcvbuf !== undefined ? { rcvbuf } : {}) };
}
