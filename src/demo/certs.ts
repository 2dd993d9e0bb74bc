import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type X509 = typeof import('@peculiar/x509');

// X.509 material made in process (ECDSA P-256, SHA-256), so neither the demo
// nor the test suite needs openssl: a throw-away certificate authority that
// issues server and client certificates. The demo's simulated Goldmane
// requires mTLS as the real one does.

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface SubjectName {
  readonly type: 'dns' | 'ip';
  readonly value: string;
}

export interface IssueOptions {
  /** Distinguished name, e.g. "CN=goldmane". */
  readonly subject: string;
  readonly usage: 'server' | 'client';
  readonly names?: readonly SubjectName[];
}

/** A certificate and its private key, PEM-encoded. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

/** @peculiar/x509 on Node's WebCrypto (modules load once; setting the provider again is idempotent). */
async function x509(): Promise<X509> {
  await import('reflect-metadata'); // @peculiar/x509's dependency injection needs it
  const lib = await import('@peculiar/x509');
  lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
  return lib;
}

const generateKeys = (): Promise<CryptoKeyPair> => webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;

async function pemKey(lib: X509, key: CryptoKey): Promise<string> {
  return lib.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export class CertificateAuthority {
  private serial = 1;

  private constructor(
    private readonly lib: X509,
    private readonly keys: CryptoKeyPair,
    private readonly certificate: InstanceType<X509['X509Certificate']>,
    private readonly validity: { readonly notBefore: Date; readonly notAfter: Date },
  ) {}

  /** A self-signed CA valid from a minute ago for `days`. */
  static async create(commonName: string, days = 1): Promise<CertificateAuthority> {
    const lib = await x509();
    const keys = await generateKeys();
    const validity = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + days * 86_400_000) };
    const certificate = await lib.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: `CN=${commonName}`,
      ...validity,
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [new lib.BasicConstraintsExtension(true, undefined, true), new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true)],
    });
    return new CertificateAuthority(lib, keys, certificate, validity);
  }

  /** The CA certificate, PEM. */
  get pem(): string {
    return this.certificate.toString('pem');
  }

  async issue(options: IssueOptions): Promise<PemPair> {
    const { lib } = this;
    const keys = await generateKeys();
    const usage = options.usage === 'server' ? lib.ExtendedKeyUsage.serverAuth : lib.ExtendedKeyUsage.clientAuth;
    const names = options.names ?? [];
    const cert = await lib.X509CertificateGenerator.create({
      serialNumber: (++this.serial).toString(16).padStart(2, '0'),
      subject: options.subject,
      issuer: this.certificate.subject,
      ...this.validity,
      signingKey: this.keys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new lib.BasicConstraintsExtension(false, undefined, true),
        new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
        new lib.ExtendedKeyUsageExtension([usage]),
        ...(names.length > 0 ? [new lib.SubjectAlternativeNameExtension(names.map((name) => ({ ...name })))] : []),
      ],
    });
    return { cert: cert.toString('pem'), key: await pemKey(lib, keys.privateKey) };
  }
}

/** Writes `text` to dir/name, readable by the owner only; returns the path. */
export function writePrivateFile(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

export interface DemoCerts {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/** The demo's Goldmane server certificate (localhost, 127.0.0.1) and flowlens' client certificate, from one CA. */
export async function makeDemoCerts(dir: string): Promise<DemoCerts> {
  const ca = await CertificateAuthority.create('flowlens demo CA');
  const server = await ca.issue({
    subject: 'CN=goldmane',
    usage: 'server',
    names: [
      { type: 'dns', value: 'localhost' },
      { type: 'dns', value: 'goldmane.calico-system.svc' },
      { type: 'ip', value: '127.0.0.1' },
    ],
  });
  const client = await ca.issue({ subject: 'CN=flowlens', usage: 'client' });
  return {
    caFile: writePrivateFile(dir, 'ca.crt', ca.pem),
    serverCertFile: writePrivateFile(dir, 'goldmane.crt', server.cert),
    serverKeyFile: writePrivateFile(dir, 'goldmane.key', server.key),
    clientCertFile: writePrivateFile(dir, 'flowlens.crt', client.cert),
    clientKeyFile: writePrivateFile(dir, 'flowlens.key', client.key),
  };
}
