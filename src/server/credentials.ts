import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { ConfigError, describeFsError } from '../config/errors.js';

// The files the HTTP server depends on (TLS key pair, client CA, basic-auth
// password), read at start and re-read when they change on disk, so a rotated
// Secret takes effect without a restart.

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCAFile?: string | undefined;
}

export interface BasicAuthSettings {
  readonly username: string;
  readonly passwordFile: string;
}

function readSetting(path: string, setting: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${setting}: cannot read "${path}": ${describeFsError(err)}`);
  }
}

export function loadTlsOptions(files: TlsFiles): SecureContextOptions {
  const options: SecureContextOptions = {
    cert: readSetting(files.certFile, 'server.tls.certFile'),
    key: readSetting(files.keyFile, 'server.tls.keyFile'),
    minVersion: 'TLSv1.2',
    ...(files.clientCAFile ? { ca: readSetting(files.clientCAFile, 'server.tls.clientCAFile') } : {}),
  };
  try {
    createSecureContext(options);
  } catch (err) {
    throw new ConfigError(`server.tls: cannot use the certificate, key or CA: ${(err as Error).message}`);
  }
  return options;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Basic-auth check with constant-time comparison of both user name and password. */
export class BasicAuth {
  private userDigest: Buffer;
  private passwordDigest: Buffer;

  constructor(private readonly settings: BasicAuthSettings) {
    this.userDigest = digest(settings.username);
    this.passwordDigest = this.readPassword();
  }

  private readPassword(): Buffer {
    const password = readSetting(this.settings.passwordFile, 'server.basicAuth.passwordFile')
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (password === '') throw new ConfigError(`server.basicAuth.passwordFile: "${this.settings.passwordFile}" is empty`);
    return digest(password);
  }

  reload(): void {
    this.passwordDigest = this.readPassword();
  }

  check(authorization: string | undefined): boolean {
    if (authorization === undefined) return false;
    const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (match === null) return false;
    const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both comparisons always run, so timing reveals neither which part was wrong.
    const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), this.userDigest);
    const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), this.passwordDigest);
    return userOk && passwordOk;
  }
}

/** Remembers files' modification times and says when any of them changed. */
export class FileChangeDetector {
  private stamps: string;

  constructor(private readonly paths: readonly string[]) {
    this.stamps = this.read();
  }

  private read(): string {
    return this.paths
      .map((path) => {
        try {
          const stat = statSync(path);
          return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
        } catch {
          return 'missing';
        }
      })
      .join('|');
  }

  changed(): boolean {
    const now = this.read();
    if (now === this.stamps) return false;
    this.stamps = now;
    return true;
  }
}
