import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Certificates for the demo's simulated Goldmane (mTLS, as the real one
// requires): a throw-away CA, a server certificate for localhost and
// 127.0.0.1, and a client certificate for flowlens, made in process (ECDSA
// P-256, valid one day) so the demo needs no openssl.

export interface DemoCerts {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

export async function makeDemoCerts(dir: string): Promise<DemoCerts> {
  await import('reflect-metadata'); // @peculiar/x509's dependency injection needs it
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const validity = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) };
  const keys = (): Promise<CryptoKeyPair> => webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
  const pemKey = async (key: CryptoKey): Promise<string> => x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');

  const caKeys = await keys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=flowlens demo CA',
    ...validity,
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const leaf = async (serial: string, subject: string, usage: string, names: { type: 'dns' | 'ip'; value: string }[]): Promise<{ cert: string; key: string }> => {
    const leafKeys = await keys();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial,
      subject,
      issuer: ca.subject,
      ...validity,
      signingKey: caKeys.privateKey,
      publicKey: leafKeys.publicKey,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      ],
    });
    return { cert: cert.toString('pem'), key: await pemKey(leafKeys.privateKey) };
  };
  const server = await leaf('02', 'CN=goldmane', x509.ExtendedKeyUsage.serverAuth, [
    { type: 'dns', value: 'localhost' },
    { type: 'dns', value: 'goldmane.calico-system.svc' },
    { type: 'ip', value: '127.0.0.1' },
  ]);
  const client = await leaf('03', 'CN=flowlens', x509.ExtendedKeyUsage.clientAuth, []);
  mkdirSync(dir, { recursive: true });
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  return {
    caFile: write('ca.crt', ca.toString('pem')),
    serverCertFile: write('goldmane.crt', server.cert),
    serverKeyFile: write('goldmane.key', server.key),
    clientCertFile: write('flowlens.crt', client.cert),
    clientKeyFile: write('flowlens.key', client.key),
  };
}
