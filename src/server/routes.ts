import type { IncomingMessage, ServerResponse } from 'node:http';

// The HTTP server's extension point: components add routes (the reload
// endpoint; the web view).

/**
 * A route a component adds (the web view, the reload endpoint). TLS, client
 * certificates and basic auth apply to it as to /metrics.
 */
export interface Route {
  /** An exact path, or a prefix when it ends with "/" (the longest prefix wins). */
  readonly path: string;
  /** The `handler` label of the HTTP self-metrics (a fixed name, not the path). */
  readonly name: string;
  /** Listed on the index page (`/`) with this text (the web view). */
  readonly index?: string;
  /** Default GET and HEAD. */
  readonly methods?: readonly string[];
  /** Answers the request; resolves to the status code sent. */
  handle(request: IncomingMessage, response: ServerResponse): number | Promise<number>;
}

export interface RouteRegistry {
  /** Adds a route; returns its removal. A path already taken is a bug (throws). */
  addRoute(route: Route): () => void;
}
