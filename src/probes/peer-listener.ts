import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { ConfigError } from '../config/errors.js';
import { answerEchoes } from './udp-echo.js';

// What peers dial: a TCP listener that accepts and closes (the connect is the
// measurement) and a UDP echo responder, on the same address and port.

export class PeerListener {
  private tcp: Server | undefined;
  private udp: UdpSocket | undefined;
  failure: string | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly setting: string,
    private readonly onIncoming: (proto: 'tcp' | 'udp') => void,
  ) {}

  /** The bound port (the configured one, or the one the system picked for 0). */
  get boundPort(): number {
    const address = this.tcp?.address();
    return typeof address === 'object' && address !== null ? address.port : this.port;
  }

  async start(): Promise<void> {
    const tcp = createServer((socket) => {
      this.onIncoming('tcp');
      socket.on('error', () => {});
      socket.destroy();
    });
    this.tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', (error: NodeJS.ErrnoException) => reject(new ConfigError(`${this.setting}: cannot listen on TCP ${this.host || '*'}:${this.port}: ${error.code === 'EADDRINUSE' ? 'address already in use' : error.message}`)));
      tcp.listen({ port: this.port, ...(this.host !== '' ? { host: this.host } : {}) }, () => resolve());
    });
    tcp.on('error', (error) => (this.failure = `TCP listener: ${error.message}`));
    this.udp = await this.bindUdp(this.boundPort);
    answerEchoes(this.udp, () => this.onIncoming('udp'));
  }

  private async bindUdp(port: number): Promise<UdpSocket> {
    const bind = (type: 'udp4' | 'udp6', address: string | undefined): Promise<UdpSocket> =>
      new Promise((resolve, reject) => {
        const socket = createSocket({ type, ipv6Only: false });
        socket.once('error', (error) => {
          socket.close();
          reject(error);
        });
        socket.bind({ port, ...(address !== undefined ? { address } : {}) }, () => {
          socket.removeAllListeners('error');
          socket.on('error', (error) => (this.failure = `UDP echo: ${error.message}`));
          resolve(socket);
        });
      });
    try {
      if (this.host !== '') return await bind(this.host.includes(':') ? 'udp6' : 'udp4', this.host);
      try {
        return await bind('udp6', '::');
      } catch {
        return await bind('udp4', '0.0.0.0'); // no IPv6 on this host
      }
    } catch (error) {
      throw new ConfigError(`${this.setting}: cannot listen on UDP ${this.host || '*'}:${port}: ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.udp?.close();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }
}
