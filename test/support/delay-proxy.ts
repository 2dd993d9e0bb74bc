import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

// A proxy that adds a fixed delay to every chunk (TCP) or datagram (UDP) in
// both directions, on one loopback port: injected latency for probe tests
// (tc netem is not available on these machines).

export class DelayProxy {
  private tcp: Server | undefined;
  private udp: UdpSocket | undefined;
  private readonly upstreams = new Map<string, UdpSocket>();
  port = 0;

  constructor(
    private readonly target: { host: string; port: number },
    public delayMs: number,
    readonly host = '127.0.0.1',
  ) {}

  async start(): Promise<void> {
    const tcp = createServer((client) => {
      const upstream = new Socket();
      const relay = (from: Socket, to: Socket): void => {
        from.on('data', (chunk) => setTimeout(() => !to.destroyed && to.write(chunk), this.delayMs));
        from.on('end', () => setTimeout(() => to.end(), this.delayMs));
        from.on('error', () => to.destroy());
      };
      relay(client, upstream);
      relay(upstream, client);
      upstream.connect(this.target.port, this.target.host);
    });
    await new Promise<void>((resolve) => tcp.listen({ host: this.host, port: 0 }, () => resolve()));
    this.tcp = tcp;
    this.port = (tcp.address() as AddressInfo).port;
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind({ address: this.host, port: this.port }, () => resolve()));
    udp.on('message', (message, client) => setTimeout(() => this.upstream(client).send(message, this.target.port, this.target.host), this.delayMs));
    this.udp = udp;
  }

  /** One upstream socket per client, so answers find their way back. */
  private upstream(client: RemoteInfo): UdpSocket {
    const key = `${client.address}:${client.port}`;
    let socket = this.upstreams.get(key);
    if (socket === undefined) {
      socket = createSocket('udp4');
      socket.on('message', (answer) => setTimeout(() => this.udp?.send(answer, client.port, client.address), this.delayMs));
      socket.on('error', () => {});
      this.upstreams.set(key, socket);
    }
    return socket;
  }

  async stop(): Promise<void> {
    for (const socket of this.upstreams.values()) socket.close();
    this.udp?.close();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }
}
