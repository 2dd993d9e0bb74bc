import dagre from '@dagrejs/dagre';

// The service map's layout, in two levels so it stays readable at hundreds
// of workloads: each namespace's workloads are laid out on their own (dagre
// over the edges inside the namespace; a compact grid when there are none),
// then the namespaces, as boxes of that size, are laid out by dagre over the
// traffic between them. Edges are curves from the source's right side to the
// target's left side.

export const NODE_WIDTH = 150;
export const NODE_HEIGHT = 34;
const PAD = 12;
const LABEL = 22;

export interface LayoutNode {
  readonly id: string;
  readonly namespace: string;
}

export interface LayoutEdge {
  readonly source: string;
  readonly target: string;
}

export interface Placed {
  /** Node centers. */
  readonly nodes: ReadonlyMap<string, { x: number; y: number }>;
  readonly groups: ReadonlyArray<{ namespace: string; x: number; y: number; width: number; height: number }>;
  readonly width: number;
  readonly height: number;
}

function inner(members: readonly LayoutNode[], edges: readonly LayoutEdge[]): { positions: Map<string, { x: number; y: number }>; width: number; height: number } {
  const ids = new Set(members.map((node) => node.id));
  const internal = edges.filter((edge) => edge.source !== edge.target && ids.has(edge.source) && ids.has(edge.target));
  const positions = new Map<string, { x: number; y: number }>();
  if (internal.length === 0) {
    const columns = Math.max(1, Math.ceil(Math.sqrt(members.length / 2)));
    members.forEach((node, i) => {
      positions.set(node.id, { x: (i % columns) * (NODE_WIDTH + 16) + NODE_WIDTH / 2, y: Math.floor(i / columns) * (NODE_HEIGHT + 12) + NODE_HEIGHT / 2 });
    });
    const rows = Math.ceil(members.length / columns);
    return { positions, width: columns * (NODE_WIDTH + 16) - 16, height: rows * (NODE_HEIGHT + 12) - 12 };
  }
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 40, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of members) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of internal) graph.setEdge(edge.source, edge.target);
  dagre.layout(graph);
  for (const node of members) {
    const placed = graph.node(node.id);
    positions.set(node.id, { x: placed.x, y: placed.y });
  }
  const size = graph.graph();
  return { positions, width: size.width ?? NODE_WIDTH, height: size.height ?? NODE_HEIGHT };
}

export function layout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Placed {
  const byNamespace = new Map<string, LayoutNode[]>();
  for (const node of nodes) {
    const list = byNamespace.get(node.namespace);
    if (list === undefined) byNamespace.set(node.namespace, [node]);
    else list.push(node);
  }
  const boxes = new Map<string, ReturnType<typeof inner>>();
  for (const [namespace, members] of byNamespace) boxes.set(namespace, inner(members, edges));
  const namespaceOf = new Map(nodes.map((node) => [node.id, node.namespace]));

  const outer = new dagre.graphlib.Graph();
  outer.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 90, marginx: 16, marginy: 16 });
  outer.setDefaultEdgeLabel(() => ({}));
  // Group ids are prefixed: graphlib takes '' (nodes outside every namespace) for no id.
  for (const [namespace, box] of boxes) outer.setNode(`ns:${namespace}`, { width: box.width + 2 * PAD, height: box.height + 2 * PAD + LABEL });
  for (const edge of edges) {
    const from = namespaceOf.get(edge.source);
    const to = namespaceOf.get(edge.target);
    if (from !== undefined && to !== undefined && from !== to) outer.setEdge(`ns:${from}`, `ns:${to}`);
  }
  dagre.layout(outer);

  const placed = new Map<string, { x: number; y: number }>();
  const groups: Array<{ namespace: string; x: number; y: number; width: number; height: number }> = [];
  for (const [namespace, box] of boxes) {
    const center = outer.node(`ns:${namespace}`);
    const left = center.x - center.width / 2;
    const top = center.y - center.height / 2;
    groups.push({ namespace, x: left, y: top, width: center.width, height: center.height });
    for (const [id, position] of box.positions) placed.set(id, { x: left + PAD + position.x, y: top + PAD + LABEL + position.y });
  }
  const size = outer.graph();
  return { nodes: placed, groups, width: (size.width ?? 400) + 32, height: (size.height ?? 300) + 32 };
}

/** An edge as a curve from the right side of the source to the left side of the target. */
export function edgePath(from: { x: number; y: number }, to: { x: number; y: number }): string {
  const x1 = from.x + NODE_WIDTH / 2;
  const x2 = to.x - NODE_WIDTH / 2;
  const bend = Math.max(40, Math.abs(x2 - x1) / 2);
  return `M${x1.toFixed(1)},${from.y.toFixed(1)} C${(x1 + bend).toFixed(1)},${from.y.toFixed(1)} ${(x2 - bend).toFixed(1)},${to.y.toFixed(1)} ${x2.toFixed(1)},${to.y.toFixed(1)}`;
}
