
import { CertificateAuthority, writePrivateFile } from '../../src/demo/certs.js';
import { tempDir } from './temp.js';

// Real X.509 material, made in process (no openssl): a CA, a server certificate
// for localhost/127.0.0.1/::1, a client certificate from the same CA, and a
// client certificate from an unrelated CA (must be refused).

export interface CertSet {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly rogueCert: string;
  readonly rogueKey: string;
  /** Signed by the CA but valid only for elsewhere.example: clients dialing localhost must refuse it. */
  readonly wrongSanCert: string;
  readonly wrongSanKey: string;
}

export async function makeCerts(): Promise<CertSet> {
  const dir = tempDir('certs');
  const ca = await CertificateAuthority.create('ca', 2);
  const rogueCa = await CertificateAuthority.create('rogue-ca', 2);
  const server = await ca.issue({
    subject: 'CN=flowlens',
    usage: 'server',
    names: [
      { type: 'dns', value: 'localhost' },
      { type: 'dns', value: 'goldmane.calico-system.svc' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '::1' },
    ],
  });
  const client = await ca.issue({ subject: 'CN=prometheus', usage: 'client' });
  const rogue = await rogueCa.issue({ subject: 'CN=intruder', usage: 'client' });
  const wrongSan = await ca.issue({ subject: 'CN=elsewhere', usage: 'server', names: [{ type: 'dns', value: 'elsewhere.example' }] });
  const write = (name: string, text: string): string => writePrivateFile(dir, name, text);
  return {
    dir,
    caCert: write('ca.crt', ca.pem),
    serverCert: write('server.crt', server.cert),
    serverKey: write('server.key', server.key),
    clientCert: write('client.crt', client.cert),
    clientKey: write('client.key', client.key),
    rogueCert: write('rogue.crt', rogue.cert),
    rogueKey: write('rogue.key', rogue.key),
    wrongSanCert: write('wrong-san.crt', wrongSan.cert),
    wrongSanKey: write('wrong-san.key', wrongSan.key),
  };
}

