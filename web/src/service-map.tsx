import dagre from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import { bytes, count } from './format.js';
import { WindowPicker } from './policies.js';
import { useJson } from './use-json.js';
import { navigate } from './url-state.js';

// The service map: workloads as nodes grouped by namespace (dagre's compound
// graph lays them out), edges for traffic between them over the window,
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

const NODE_WIDTH = 150;
const NODE_HEIGHT = 34;

function layout(nodes: Node[], edges: Edge[]) {
  const graph = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 70, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  const namespaces = new Set(nodes.map((node) => node.namespace).filter((namespace) => namespace !== ''));
  for (const namespace of namespaces) graph.setNode(`ns:${namespace}`, { label: namespace, paddingTop: 24 });
  for (const node of nodes) {
    graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
    if (node.namespace !== '') graph.setParent(node.id, `ns:${node.namespace}`);
  }
  for (const edge of edges) if (edge.source !== edge.target) graph.setEdge(edge.source, edge.target);
  dagre.layout(graph);
  const size = graph.graph();
  return { graph, width: (size.width ?? 400) + 32, height: (size.height ?? 300) + 32, namespaces: [...namespaces] };
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
        <svg class="map" width={drawn.width} height={drawn.height} viewBox={`0 0 ${drawn.width} ${drawn.height}`} role="group" aria-label="Service map">
          {drawn.namespaces.map((namespace) => {
            const box = drawn.graph.node(`ns:${namespace}`);
            return (
              <g key={namespace} class="namespace">
                <rect x={box.x - box.width / 2} y={box.y - box.height / 2} width={box.width} height={box.height} rx={8} />
                <text x={box.x - box.width / 2 + 8} y={box.y - box.height / 2 + 16}>
                  {namespace}
                </text>
              </g>
            );
          })}
          {data.edges
            .filter((edge) => edge.source !== edge.target)
            .map((edge) => {
              const points: Array<{ x: number; y: number }> = drawn.graph.edge(edge.source, edge.target)?.points ?? [];
              const path = points.map((point, i) => `${i === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' ');
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
                  <path d={path} stroke-width={1.5 + 8 * (edge[by] / max)} />
                </a>
              );
            })}
          {data.nodes.map((node) => {
            const box = drawn.graph.node(node.id);
            return (
              <g key={node.id} class={`node kind-${node.kind}`}>
                <rect x={box.x - NODE_WIDTH / 2} y={box.y - NODE_HEIGHT / 2} width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} />
                <text x={box.x} y={box.y + 4} text-anchor="middle">
                  {node.name.length > 22 ? `${node.name.slice(0, 21)}…` : node.name}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </section>
  );
}
