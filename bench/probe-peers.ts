import { PeerListener } from '../src/probes/peer-listener.js';
import { DelayProxy } from '../test/support/delay-proxy.js';
import { DnsTestServer } from '../test/support/dns-server.js';

// The probe benchmark's peers, in their own process (so their CPU is not the
// prober's): N peer listeners, a DNS server answering the bench names, and
// delaying proxies in front of one peer and the DNS server. Prints where they
// are as one JSON line, runs until stdin closes.

const peers = Number(process.argv[2] ?? 100);
const names = Number(process.argv[3] ?? 10);
const delayMs = Number(process.argv[4] ?? 20);

const listeners: PeerListener[] = [];
for (let i = 0; i < peers; i++) {
  const listener = new PeerListener('127.0.0.1', 0, 'bench', () => {});
  await listener.start();
  listeners.push(listener);
}
const dns = new DnsTestServer();
await dns.start();
for (let i = 0; i < names; i++) dns.behaviours.set(`name-${i}.bench.`, { answer: ['10.0.0.1'] });
const echoProxy = new DelayProxy({ host: '127.0.0.1', port: listeners[0]!.boundPort }, delayMs);
await echoProxy.start();
const dnsProxy = new DelayProxy({ host: '127.0.0.1', port: dns.port }, delayMs);
await dnsProxy.start();
process.stdout.write(`${JSON.stringify({ peers: listeners.map((listener) => listener.boundPort), dns: dns.port, echoProxy: echoProxy.port, dnsProxy: dnsProxy.port })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
