import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

// The two API calls the cache makes beyond client-node's Watch: a paginated
// list and the Accept header that asks for metadata only. Authentication,
// TLS and the server address all come from client-node's KubeConfig
// (applyToHTTPSOptions: tokens, exec plugins, client certificates, CA), so
// in-cluster and kubeconfig setups work exactly as with client-node.

/** Accept headers for metadata-only reads (PartialObjectMetadata, as client-go's metadata informers use). */
export const METADATA_ACCEPT = {
  list: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
  watch: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
} as const;

/** A failed API call; statusCode is the HTTP status (410: the resourceVersion or continue token expired). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
  /** client-node's ListWatch reads `code` for 410 as well. */
  get code(): number | undefined {
    return this.statusCode;
  }
}

export interface ListOptions {
  readonly fieldSelector?: string;
  readonly accept?: string;
  /** Items per page. */
  readonly limit?: number;
  readonly timeoutMs?: number;
}

export interface ListResult<T> {
  readonly resourceVersion: string;
  readonly items: T[];
}

const MAX_PAGES = 100_000;

/**
 * Lists `path` page by page (limit/continue), turning each item into T as
 * soon as its page arrives, so the full objects of only one page are ever in
 * memory. A continue token that expired (410) restarts the list.
 */
export async function listAll<T>(config: KubeConfig, path: string, toItem: (raw: unknown) => T, options: ListOptions = {}): Promise<ListResult<T>> {
  for (let attempt = 0; ; attempt++) {
    const items: T[] = [];
    let token = '';
    let resourceVersion = '';
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const query: Record<string, string> = { limit: String(options.limit ?? 500) };
        if (token !== '') query.continue = token;
        if (options.fieldSelector) query.fieldSelector = options.fieldSelector;
        const body = object(await getJson(config, path, query, options));
        for (const item of Array.isArray(body.items) ? body.items : []) items.push(toItem(item));
        const metadata = object(body.metadata);
        resourceVersion = typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : '';
        token = typeof metadata.continue === 'string' ? metadata.continue : '';
        if (token === '') return { resourceVersion, items };
      }
      throw new ApiError(`listing ${path} did not end after ${MAX_PAGES} pages`);
    } catch (error) {
      // An expired continue token: start over once, as client-go's pager does.
      if (error instanceof ApiError && error.statusCode === 410 && token !== '' && attempt === 0) continue;
      throw error;
    }
  }
}

function object(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** One GET through the KubeConfig's credentials; the body parsed as JSON. */
export async function getJson(config: KubeConfig, path: string, query: Record<string, string>, options: { accept?: string; timeoutMs?: number } = {}): Promise<unknown> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new ApiError('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const request: https.RequestOptions = { method: 'GET', headers: { Accept: options.accept ?? 'application/json' } };
  await config.applyToHTTPSOptions(request);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { ...request, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          let message = text.slice(0, 200);
          try {
            message = String(object(JSON.parse(text)).message ?? message);
          } catch {
            // not a Status object
          }
          reject(new ApiError(`GET ${url.pathname}: HTTP ${status}: ${message}`, status));
          return;
        }
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(new ApiError(`GET ${url.pathname}: the answer is not JSON: ${(error as Error).message}`));
        }
      });
    });
    req.on('error', (error) => reject(new ApiError(`GET ${url.pathname}: ${error.message}`)));
    req.end();
  });
}
