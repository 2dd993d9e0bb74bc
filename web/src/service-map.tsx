import { useMemo } from 'preact/hooks';
import { bytes, count } from './format.js';
import { WindowPicker } from './policies.js';
import { useJson } from './use-json.js';
import { navigate } from './url-state.js';
import { edgePath, layout, NODE_HEIGHT, NODE_WIDTH } from './map-layout.js';

// The service map: workloads as nodes grouped by namespace (map-layout.ts:
// dagre inside and between namespaces), edges for traffic between them over the window,
// denied edges red and dashed, width by bytes or flows. An edge is a link:
// Enter or a click opens the flow table filtered to it.

interface Node {
  id: string;
  namespace: string;
  name: string;
  kind: string;
}
interface Edge {
  source: string;
  target: string;
  flows: number;
  bytes: number;
  allowed: number;
  denied: number;
}

export function ServiceMap({ params }: { params: URLSearchParams }) {
  const window = params.get('window') ?? '5m';
  const by = params.get('by') === 'flows' ? 'flows' : 'bytes';
  const { data, error } = useJson<{ nodes: Node[]; edges: Edge[] }>(`/api/v1/graph?window=${encodeURIComponent(window)}`);
  const drawn = useMemo(() => (data === undefined ? undefined : layout(data.nodes, data.edges)), [data]);
  const max = Math.max(1, ...(data?.edges ?? []).map((edge) => edge[by]));
  const open = (edge: Edge, nodes: Node[]): void => {
    const source = nodes.find((node) => node.id === edge.source);
    const target = nodes.find((node) => node.id === edge.target);
    const next = new URLSearchParams();
    const namespaces = [...new Set([source?.namespace, target?.namespace].filter((value): value is string => value !== undefined && value !== ''))];
    if (namespaces.length > 0) next.set('namespace', namespaces.join(','));
    next.set('workload', [source?.name, target?.name].filter((value): value is string => value !== undefined && value !== '').join(','));
    navigate('flows', next);
  };
  return (
    <section aria-labelledby="map-title">
      <h2 id="map-title">Service map</h2>
      <WindowPicker params={params} />
      <label>
        Edge width by
        <select
          value={by}
          onChange={(event) => {
            const next = new URLSearchParams(params);
            next.set('by', (event.target as HTMLSelectElement).value);
            navigate('map', next);
          }}
        >
          <option value="bytes">bytes</option>
          <option value="flows">flows</option>
        </select>
      </label>
      <p class="legend">
        <span class="swatch allowed" /> allowed <span class="swatch denied" /> denied
      </p>
      {error !== undefined && <p role="alert">{error}</p>}
      {drawn !== undefined && data !== undefined && (
        <div class="mapview">
        <svg class="map" width={drawn.width} height={drawn.height} viewBox={`0 0 ${drawn.width} ${drawn.height}`} role="group" aria-label="Service map">
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
            </marker>
          </defs>
          {drawn.groups
            .filter((group) => group.namespace !== '')
            .map((group) => (
              <g key={group.namespace} class="namespace">
                <rect x={group.x} y={group.y} width={group.width} height={group.height} rx={8} />
                <text x={group.x + 8} y={group.y + 16}>
                  {group.namespace}
                </text>
              </g>
            ))}
          {data.edges
            .filter((edge) => edge.source !== edge.target && drawn.nodes.has(edge.source) && drawn.nodes.has(edge.target))
            .map((edge) => {
              const denied = edge.denied > 0;
              const label = `${edge.source} to ${edge.target}: ${count(edge.flows)} flows, ${bytes(edge.bytes)}${denied ? `, ${edge.denied} denied` : ''}`;
              return (
                <a
                  key={`${edge.source}>${edge.target}`}
                  href="#"
                  class={denied ? 'edge denied' : 'edge allowed'}
                  aria-label={label}
                  data-source={edge.source}
                  data-target={edge.target}
                  onClick={(event) => {
                    event.preventDefault();
                    open(edge, data.nodes);
                  }}
                >
                  <title>{label}</title>
                  <path d={edgePath(drawn.nodes.get(edge.source)!, drawn.nodes.get(edge.target)!)} stroke-width={1.5 + 8 * (edge[by] / max)} marker-end="url(#arrow)" />
                </a>
              );
            })}
          {data.nodes.map((node) => {
            const center = drawn.nodes.get(node.id)!;
            return (
              <g key={node.id} class={`node kind-${node.kind}`}>
                <rect x={center.x - NODE_WIDTH / 2} y={center.y - NODE_HEIGHT / 2} width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} />
                <text x={center.x} y={center.y + 4} text-anchor="middle">
                  {node.name.length > 22 ? `${node.name.slice(0, 21)}…` : node.name}
                </text>
              </g>
            );
          })}
        </svg>
        </div>
      )}
    </section>
  );
}
