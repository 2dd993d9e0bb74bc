// Each view's state lives in the URL (/ui/<view>?<parameters>), so a link
// can be shared; the flow filters use the API's parameter names.

export type View = 'flows' | 'map' | 'policies' | 'probes';
export const VIEWS: ReadonlyArray<{ readonly id: View; readonly title: string }> = [
  { id: 'flows', title: 'Flows' },
  { id: 'map', title: 'Service map' },
  { id: 'policies', title: 'Policies' },
  { id: 'probes', title: 'Probes' },
];

export const FILTERS = ['namespace', 'workload', 'action', 'policy', 'protocol', 'port'] as const;
export type Filter = (typeof FILTERS)[number];

export interface Location {
  readonly view: View;
  readonly params: URLSearchParams;
}

export function readLocation(): Location {
  const name = window.location.pathname.replace(/^\/ui\/?/, '').split('/')[0] ?? '';
  const view = (VIEWS.find((entry) => entry.id === name)?.id ?? 'flows') as View;
  return { view, params: new URLSearchParams(window.location.search) };
}

export function href(view: View, params: URLSearchParams = new URLSearchParams()): string {
  const query = params.toString();
  return `/ui/${view}${query === '' ? '' : `?${query}`}`;
}

/** Goes to a view (a history entry), and tells the app. */
export function navigate(view: View, params: URLSearchParams = new URLSearchParams()): void {
  window.history.pushState(null, '', href(view, params));
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** Changes the current view's parameters without a history entry per keystroke. */
export function replaceParams(params: URLSearchParams): void {
  const { view } = readLocation();
  window.history.replaceState(null, '', href(view, params));
  window.dispatchEvent(new PopStateEvent('popstate'));
}
