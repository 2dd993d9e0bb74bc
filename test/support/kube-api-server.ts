import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { makeCerts, type CertSet } from './certs.js';

// A Kubernetes API server for tests: HTTPS with a bearer token, list and watch
// as the real one serves them (resourceVersion, limit/continue pagination,
// bookmarks, watch timeouts, "too old resource version" as an ERROR event,
// metadata-only answers for the PartialObjectMetadata Accept header,
// fieldSelector spec.nodeName for pods). Tests mutate the cluster, cut
// watches, expire history (410 Gone) and take the server down and up on the
// same port. It writes a kubeconfig that @kubernetes/client-node loads.

export const KIND_PATHS = {
  pods: '/api/v1/pods',
  services: '/api/v1/services',
  nodes: '/api/v1/nodes',
  endpointslices: '/apis/discovery.k8s.io/v1/endpointslices',
  replicasets: '/apis/apps/v1/replicasets',
  jobs: '/apis/batch/v1/jobs',
  networkpolicies: '/apis/networking.k8s.io/v1/networkpolicies',
  adminnetworkpolicies: '/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies',
  baselineadminnetworkpolicies: '/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies',
} as const;

export type Kind = keyof typeof KIND_PATHS;

type Obj = { metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown }; [key: string]: unknown };

interface Event {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: Obj;
}

interface Watcher {
  readonly kind: Kind;
  readonly metadataOnly: boolean;
  readonly nodeName?: string;
  readonly response: import('node:http').ServerResponse;
  readonly bookmarks: boolean;
}

const KIND_NAMES: Record<Kind, { kind: string; apiVersion: string }> = {
  pods: { kind: 'Pod', apiVersion: 'v1' },
  services: { kind: 'Service', apiVersion: 'v1' },
  nodes: { kind: 'Node', apiVersion: 'v1' },
  endpointslices: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' },
  replicasets: { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  jobs: { kind: 'Job', apiVersion: 'batch/v1' },
  networkpolicies: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
  adminnetworkpolicies: { kind: 'AdminNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha1' },
  baselineadminnetworkpolicies: { kind: 'BaselineAdminNetworkPolicy', apiVersion: 'policy.networking.k8s.io/v1alpha1' },
};

export interface KubeApiServerOptions {
  readonly token?: string;
  /** Kinds answered with 403 Forbidden (RBAC the agent lacks). */
  readonly forbidden?: readonly Kind[];
  /** Kinds answered with 404 Not Found (a CRD that is not installed). */
  readonly notServed?: readonly Kind[];
  readonly certs?: CertSet;
  /** Plain HTTP without credentials, as `kubectl proxy` serves the API (the proxy adds them upstream). */
  readonly plain?: boolean;
}

export class KubeApiServer {
  readonly token: string;
  private certSet: CertSet | undefined;
  private server?: http.Server;
  private readonly plain: boolean;
  private port = 0;
  private rv = 100;
  private readonly objects = new Map<Kind, Map<string, Obj>>();
  private readonly history = new Map<Kind, Event[]>();
  /** Watches from a resourceVersion below this get 410 Gone. */
  private readonly compactedBelow = new Map<Kind, number>();
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private readonly forbidden: Set<Kind>;
  private readonly notServed: Set<Kind>;
  /** Requests served, for assertions: "list pods", "watch pods", "unauthorized /api/v1/pods", ... */
  readonly requests: string[] = [];
  /** Accept headers of list requests per kind. */
  readonly accepts = new Map<Kind, string>();
  /** Page size the server enforces when the client asks for more (or none). */
  pageSize = 1_000;

  constructor(options: KubeApiServerOptions = {}) {
    this.token = options.token ?? 'test-token-0123456789';
    this.certSet = options.certs;
    this.plain = options.plain ?? false;
    this.forbidden = new Set(options.forbidden ?? []);
    this.notServed = new Set(options.notServed ?? []);
    for (const kind of Object.keys(KIND_PATHS) as Kind[]) {
      this.objects.set(kind, new Map());
      this.history.set(kind, []);
      this.compactedBelow.set(kind, 0);
    }
  }

  /** The server's certificates (made at the first start unless given). */
  get certs(): CertSet {
    if (this.certSet === undefined) throw new Error('KubeApiServer: start() first');
    return this.certSet;
  }

  get url(): string {
    return `${this.plain ? 'http' : 'https'}://127.0.0.1:${this.port}`;
  }

  /** Writes a kubeconfig for this server (CA + token) and returns its path. */
  writeKubeconfig(dir = this.certs.dir): string {
    const file = join(dir, `kubeconfig-${this.port}.yaml`);
    // kubectl proxy's clients need neither a CA nor credentials.
    const ca = this.plain ? [] : [`    certificate-authority-data: ${readFileSync(this.certs.caCert).toString('base64')}`];
    const user = this.plain ? ['  user: {}'] : ['  user:', `    token: ${this.token}`];
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: test',
        '  cluster:',
        `    server: ${this.url}`,
        ...ca,
        'users:',
        '- name: agent',
        ...user,
        'contexts:',
        '- name: test',
        '  context: { cluster: test, user: agent }',
        'current-context: test',
        '',
      ].join('\n'),
    );
    return file;
  }

  async start(port = this.port): Promise<void> {
    this.certSet ??= await makeCerts();
    const handler = (request: http.IncomingMessage, response: http.ServerResponse): void => this.handle(request, response);
    const server = this.plain ? http.createServer(handler) : https.createServer({ cert: readFileSync(this.certs.serverCert), key: readFileSync(this.certs.serverKey) }, handler);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops answering: every connection is cut and the port closed. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const watcher of this.watchers) watcher.response.destroy();
    this.watchers.clear();
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- cluster state --------------------------------------------------------

  get resourceVersion(): number {
    return this.rv;
  }

  /** Creates or replaces an object; watchers see ADDED or MODIFIED. */
  apply(kind: Kind, object: Obj): void {
    const store = this.objects.get(kind)!;
    const key = keyOf(object);
    const type = store.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.rv);
    store.set(key, stored);
    this.record(kind, { rv: this.rv, type, object: stored });
  }

  delete(kind: Kind, namespace: string | undefined, name: string): void {
    const store = this.objects.get(kind)!;
    const key = namespace ? `${namespace}/${name}` : name;
    const old = store.get(key);
    if (!old) return;
    store.delete(key);
    const gone = structuredClone(old);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record(kind, { rv: this.rv, type: 'DELETED', object: gone });
  }

  private record(kind: Kind, event: Event): void {
    this.history.get(kind)!.push(event);
    for (const watcher of this.watchers) {
      if (watcher.kind === kind) this.send(watcher, event);
    }
  }

  /** Forgets the history of a kind: watches from an older resourceVersion get 410 Gone. */
  expire(kind: Kind): void {
    this.compactedBelow.set(kind, this.rv + 1);
    this.history.set(kind, []);
  }

  /** A BOOKMARK with the current resourceVersion to every watcher that asked for bookmarks. */
  bookmark(): void {
    for (const watcher of this.watchers) {
      if (watcher.bookmarks) watcher.response.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: KIND_NAMES[watcher.kind].kind, apiVersion: KIND_NAMES[watcher.kind].apiVersion, metadata: { resourceVersion: String(this.rv) } } })}\n`);
    }
  }

  /** Writes a raw line on every open watch of a kind (malformed events, as a broken proxy might send). */
  injectWatchLine(kind: Kind, line: string): void {
    for (const watcher of this.watchers) if (watcher.kind === kind) watcher.response.write(`${line}\n`);
  }

  /** Cuts every watch connection (as a load balancer or API server restart does). */
  dropWatches(): void {
    for (const watcher of this.watchers) watcher.response.socket?.destroy();
    this.watchers.clear();
  }

  /** Sends an ERROR event (410 Gone) on every open watch of a kind, then ends it, as the API server does. */
  goneOnWatches(kind: Kind): void {
    this.expire(kind);
    for (const watcher of [...this.watchers]) {
      if (watcher.kind !== kind) continue;
      watcher.response.end(`${JSON.stringify({ type: 'ERROR', object: gone() })}\n`);
      this.watchers.delete(watcher);
    }
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  // ---- HTTP -----------------------------------------------------------------

  private handle(request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse): void {
    const url = new URL(request.url ?? '/', 'https://api');
    const kind = (Object.keys(KIND_PATHS) as Kind[]).find((name) => KIND_PATHS[name] === url.pathname);
    if (!this.plain && request.headers.authorization !== `Bearer ${this.token}`) {
      this.requests.push(`unauthorized ${url.pathname}`);
      return status(response, 401, 'Unauthorized', 'Unauthorized');
    }
    if (kind === undefined || this.notServed.has(kind)) return status(response, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    if (this.forbidden.has(kind)) return status(response, 403, 'Forbidden', `${kind} is forbidden: User "system:serviceaccount:monitoring:flowlens" cannot list resource "${kind}" at the cluster scope`);
    const accept = request.headers.accept ?? '';
    const metadataOnly = accept.includes('as=PartialObjectMetadata');
    const fieldSelector = url.searchParams.get('fieldSelector') ?? '';
    const nodeName = /^spec\.nodeName=(.+)$/.exec(fieldSelector)?.[1];
    if (fieldSelector !== '' && (kind !== 'pods' || nodeName === undefined)) return status(response, 400, 'BadRequest', `field selector "${fieldSelector}" not supported`);
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') {
      this.requests.push(`watch ${kind}`);
      return this.watch(kind, url, response, metadataOnly, nodeName);
    }
    this.requests.push(`list ${kind}`);
    this.accepts.set(kind, accept);
    this.list(kind, url, response, metadataOnly, nodeName);
  }

  private list(kind: Kind, url: URL, response: import('node:http').ServerResponse, metadataOnly: boolean, nodeName: string | undefined): void {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? this.pageSize) || this.pageSize, this.pageSize);
    const token = url.searchParams.get('continue');
    let offset = 0;
    let rv = this.rv;
    if (token) {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString()) as { rv: number; offset: number };
      if (parsed.rv < this.compactedBelow.get(kind)!) return status(response, 410, 'Expired', 'The provided continue parameter is too old');
      offset = parsed.offset;
      rv = parsed.rv;
    }
    // Pages of one list are a snapshot at its first page's resourceVersion (sorted by key).
    const items = this.sorted(kind).filter((object) => nodeName === undefined || (object.spec as { nodeName?: string } | undefined)?.nodeName === nodeName);
    const page = items.slice(offset, offset + limit);
    const more = offset + limit < items.length;
    const names = KIND_NAMES[kind];
    const body = {
      kind: metadataOnly ? 'PartialObjectMetadataList' : `${names.kind}List`,
      apiVersion: metadataOnly ? 'meta.k8s.io/v1' : names.apiVersion,
      metadata: { resourceVersion: String(rv), ...(more ? { continue: Buffer.from(JSON.stringify({ rv, offset: offset + limit })).toString('base64') } : {}) },
      items: page.map((object) => (metadataOnly ? partial(object) : { kind: names.kind, apiVersion: names.apiVersion, ...object })),
    };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  private readonly sortedCache = new Map<Kind, { rv: number; items: Obj[] }>();

  /** The objects of a kind by key (kept until the next change, so paging a big list stays cheap). */
  private sorted(kind: Kind): Obj[] {
    const cached = this.sortedCache.get(kind);
    if (cached && cached.rv === this.rv) return cached.items;
    const items = [...this.objects.get(kind)!.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    this.sortedCache.set(kind, { rv: this.rv, items });
    return items;
  }

  private watch(kind: Kind, url: URL, response: import('node:http').ServerResponse, metadataOnly: boolean, nodeName: string | undefined): void {
    const from = Number(url.searchParams.get('resourceVersion') || this.rv);
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    response.flushHeaders(); // as the API server does: the client knows the watch is open before any event
    const watcher: Watcher = {
      kind,
      metadataOnly,
      response,
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      ...(nodeName !== undefined ? { nodeName } : {}),
    };
    if (from < this.compactedBelow.get(kind)! - 1) {
      // What the API server does for a resourceVersion it no longer holds.
      response.end(`${JSON.stringify({ type: 'ERROR', object: gone() })}\n`);
      return;
    }
    this.watchers.add(watcher);
    response.on('close', () => this.watchers.delete(watcher));
    for (const event of this.history.get(kind)!) {
      if (event.rv > from) this.send(watcher, event);
    }
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    if (timeout > 0) {
      const timer = setTimeout(() => {
        this.watchers.delete(watcher);
        response.end();
      }, timeout * 1_000);
      timer.unref();
      response.on('close', () => clearTimeout(timer));
    }
  }

  private send(watcher: Watcher, event: Event): void {
    const names = KIND_NAMES[watcher.kind];
    if (watcher.nodeName !== undefined && (event.object.spec as { nodeName?: string } | undefined)?.nodeName !== watcher.nodeName) return;
    const object = watcher.metadataOnly ? partial(event.object) : { kind: names.kind, apiVersion: names.apiVersion, ...event.object };
    watcher.response.write(`${JSON.stringify({ type: event.type, object })}\n`);
  }
}

function keyOf(object: Obj): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}

function partial(object: Obj): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata } as Obj;
}

function gone(): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 };
}

function status(response: import('node:http').ServerResponse, code: number, reason: string, message: string): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}
