import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Real X.509 material made with openssl: a CA, a server certificate for
// localhost/127.0.0.1/::1, a client certificate from the same CA, and a client
// certificate from an unrelated CA (must be refused).

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

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(dir: string, name: string, subject: string, ca: string, extensions: string): void {
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`], dir);
}

function authority(dir: string, name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
}

export function makeCerts(): CertSet {
  const dir = mkdtempSync(join(tmpdir(), 'flowlens-certs-'));
  authority(dir, 'ca');
  authority(dir, 'rogue-ca');
  issue(dir, 'server', '/CN=flowlens', 'ca',
    'subjectAltName=DNS:localhost,DNS:goldmane.calico-system.svc,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n');
  issue(dir, 'client', '/CN=prometheus', 'ca', 'extendedKeyUsage=clientAuth\n');
  issue(dir, 'rogue', '/CN=intruder', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
  issue(dir, 'wrong-san', '/CN=elsewhere', 'ca', 'subjectAltName=DNS:elsewhere.example\nextendedKeyUsage=serverAuth\n');
  const path = (file: string): string => join(dir, file);
  return {
    dir,
    caCert: path('ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
    rogueCert: path('rogue.crt'),
    rogueKey: path('rogue.key'),
    wrongSanCert: path('wrong-san.crt'),
    wrongSanKey: path('wrong-san.key'),
  };
}
