import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { send } from '../server/http-server.js';

// The page's files, as `npm run build` writes them (web/ -> dist/ui/): read
// once into memory (a few hundred kilobytes), served with their content
// types, long caching for the hashed assets, none for index.html, and a
// strict Content-Security-Policy (nothing but this agent's own scripts,
// styles and API). Any other path under /ui/ is the page (its views live in
// the path and the query).

/** Where the built page is: dist/ui beside dist/src. */
export const DEFAULT_ROOT = fileURLToPath(new URL('../../ui/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface File {
  readonly body: Buffer;
  readonly type: string;
  readonly immutable: boolean;
}

export class StaticFiles {
  private readonly files = new Map<string, File>();

  constructor(readonly root: string = DEFAULT_ROOT) {
    let names: string[] = [];
    try {
      names = readdirSync(root, { recursive: true }) as string[];
    } catch {
      // not built: every request says so
    }
    for (const name of names) {
      const path = join(root, name);
      if (!statSync(path).isFile()) continue;
      const url = relative(root, path).split(sep).join('/');
      // Vite puts content-hashed files under assets/: they never change.
      this.files.set(url, { body: readFileSync(path), type: TYPES[extname(name)] ?? 'application/octet-stream', immutable: url.startsWith('assets/') });
    }
  }

  get built(): boolean {
    return this.files.has('index.html');
  }

  serve(request: IncomingMessage, response: ServerResponse): number {
    const path = new URL(request.url ?? '/', 'http://flowlens.invalid').pathname;
    if (path === '/ui') return send(response, 308, 'text/plain; charset=utf-8', '', { location: '/ui/', ...SECURITY_HEADERS });
    const index = this.files.get('index.html');
    if (index === undefined) return send(response, 503, 'text/plain; charset=utf-8', 'the web view was not built: run npm run build\n', SECURITY_HEADERS);
    const name = decodeURIComponent(path.slice('/ui/'.length));
    const file = this.files.get(name);
    // An asset that is not there is a 404 (a stale page asking for an old hash); any other path is the page.
    if (file === undefined && (name.startsWith('assets/') || extname(name) !== '')) return send(response, 404, 'text/plain; charset=utf-8', 'not found\n', SECURITY_HEADERS);
    const served = file ?? index;
    return send(response, 200, served.type, served.body, { 'cache-control': served.immutable ? 'public, max-age=31536000, immutable' : 'no-cache', ...SECURITY_HEADERS });
  }
}
