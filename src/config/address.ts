import { isIP } from 'node:net';

// Listen addresses in Go's form, because the seed tools took them that way:
// ":9090" (every interface), "0.0.0.0:9090", "[::1]:9090", "localhost:9090".
// A bare port ("9090") is accepted too.

export interface ListenAddress {
  /** Empty string means every interface (dual-stack where the host allows it). */
  readonly host: string;
  readonly port: number;
}

export class AddressError extends Error {}

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;

export function parseListenAddress(input: string): ListenAddress {
  const text = input.trim();
  if (/^\d+$/.test(text)) return { host: '', port: parsePort(text, input) };
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') {
      throw new AddressError(`unparsable address "${input}": expected [IPv6]:port`);
    }
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) throw new AddressError(`unparsable address "${input}": "${host}" is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw new AddressError(`unparsable address "${input}": expected host:port or :port`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) {
      throw new AddressError(`unparsable address "${input}": write IPv6 addresses in brackets, e.g. [::1]:9090`);
    }
    if (host !== '' && isIP(host) === 0 && !HOSTNAME.test(host)) {
      throw new AddressError(`unparsable address "${input}": "${host}" is not a valid host name or IP address`);
    }
  }
  return { host, port: parsePort(portText, input) };
}

function parsePort(text: string, input: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new AddressError(`unparsable address "${input}": port "${text}" is not a number`);
  const port = Number(text);
  if (port > 65_535) throw new AddressError(`unparsable address "${input}": port ${port} is out of range (0-65535)`);
  return port;
}

/** Renders an address for URLs and logs: "[::1]:9090", "127.0.0.1:9090", ":9090". */
export function formatAddress(address: ListenAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}
