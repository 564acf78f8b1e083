/**
 * The elaborated graph as a picture (`netc graph`): Graphviz dot, Mermaid, or a self-contained
 * SVG laid out here (longest-path layers, barycentric ordering), so no external tool is needed.
 * Pooling-index links (SegNet) are dashed edges from the pooling to its unpool; `offsets` bodies
 * are drawn inside their node's box.
 */
import type { Domain } from '../dims/index.js';
import type { TypedGraph, TypedNode } from '../check/types.js';
import type { NodeId } from '../ir.js';
import { formatCount, paramCount } from './rf.js';

export type GraphFormat = 'dot' | 'mermaid' | 'svg';

interface DrawNode {
  readonly id: NodeId;
  readonly title: string;
  readonly detail: string;
  readonly shape: string;
  readonly kind: 'input' | 'output' | 'layer';
}

interface DrawEdge {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly link: boolean;
}

function shapeText(t: TypedNode, domain: Domain): string {
  return `${t.type.shape[0].format(domain)}×${t.type.shape[1].format(domain)}×${t.type.shape[2]}`;
}

/** A short description of the op and its arguments: `conv 3×3/2, 64`. */
function opDetail(t: TypedNode): string {
  const info = t.info as { kernel?: [number, number]; stride?: [number, number]; offset?: [number, number]; f?: number; factor?: [number, number] };
  const pair = (p: [number, number]) => (p[0] === p[1] ? String(p[0]) : `${p[0]}×${p[1]}`);
  const args = t.node.args;
  switch (t.node.op) {
    case 'conv':
    case 'deconv': {
      const k = info.kernel ? `${info.kernel[0]}×${info.kernel[1]}` : '';
      const s = info.stride && (info.stride[0] > 1 || info.stride[1] > 1) ? `/${pair(info.stride)}` : '';
      const filters = args['filters']?.kind === 'int' ? args['filters'].value : '';
      return `${t.node.op} ${k}${s}, ${filters}`;
    }
    case 'maxpool':
    case 'avgpool':
      return `${t.node.op} ${info.kernel ? `${info.kernel[0]}×${info.kernel[1]}` : ''}${info.stride ? `/${pair(info.stride)}` : ''}`;
    case 'crop':
      return info.offset ? `crop +${pair(info.offset)}` : 'crop';
    case 'offsets':
      return `offsets ×${info.f ?? ''}`;
    case 'upsample':
      return `upsample ×${info.factor ? pair(info.factor) : ''}`;
    default:
      return t.node.op;
  }
}

function collect(typed: TypedGraph): { nodes: DrawNode[]; edges: DrawEdge[] } {
  const outputs = new Set(typed.graph.outputs.map((o) => o.node));
  const nodes: DrawNode[] = typed.order.map((t) => {
    const params = paramCount(t);
    const kind = t.node.op === 'input' ? 'input' : outputs.has(t.node.id) ? 'output' : 'layer';
    return {
      id: t.node.id,
      title: t.node.name,
      detail: t.node.op === 'input' ? 'input' : `${opDetail(t)}${params ? ` · ${formatCount(params)} params` : ''}`,
      shape: shapeText(t, typed.domain),
      kind,
    };
  });
  const edges: DrawEdge[] = [];
  for (const t of typed.order) {
    for (const from of t.node.inputs) edges.push({ from, to: t.node.id, link: false });
    if (t.node.op === 'unpool' && typeof t.info['pool'] === 'number') edges.push({ from: t.info['pool'], to: t.node.id, link: true });
    if (t.node.op === 'crop' && typeof t.info['reference'] === 'number') edges.push({ from: t.info['reference'], to: t.node.id, link: true });
  }
  return { nodes, edges };
}

export function renderGraph(typed: TypedGraph, format: GraphFormat): string {
  const g = collect(typed);
  switch (format) {
    case 'dot':
      return toDot(typed, g);
    case 'mermaid':
      return toMermaid(typed, g);
    case 'svg':
      return toSvg(typed, g);
  }
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function toDot(typed: TypedGraph, g: { nodes: DrawNode[]; edges: DrawEdge[] }): string {
  const lines = [`digraph ${quote(typed.graph.network)} {`, '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fb", fontname="Helvetica", fontsize=10];'];
  for (const n of g.nodes) {
    const fill = n.kind === 'input' ? '#e3f2e1' : n.kind === 'output' ? '#fde9d9' : '#f4f6fb';
    lines.push(`  n${n.id} [label=${quote(`${n.title}\\n${n.detail}\\n${n.shape}`)}, fillcolor="${fill}"];`);
  }
  for (const e of g.edges) lines.push(`  n${e.from} -> n${e.to}${e.link ? ' [style=dashed, color="#7a5cc7", constraint=false]' : ''};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

function toMermaid(typed: TypedGraph, g: { nodes: DrawNode[]; edges: DrawEdge[] }): string {
  const esc = (s: string) => s.replace(/"/g, '#quot;');
  const lines = ['flowchart TD', `  %% network ${typed.graph.network}`];
  for (const n of g.nodes) lines.push(`  n${n.id}["${esc(n.title)}<br/>${esc(n.detail)}<br/>${esc(n.shape)}"]`);
  for (const e of g.edges) lines.push(`  n${e.from} ${e.link ? '-.->' : '-->'} n${e.to}`);
  return lines.join('\n') + '\n';
}

const BOX_W = 210;
const BOX_H = 54;
const GAP_X = 30;
const GAP_Y = 34;

/**
 * Node positions. A node's layer is as late as possible (just above its first consumer), so
 * that skip branches sit next to the merge they feed; order within a layer by barycentres.
 */
export function layout(g: { nodes: DrawNode[]; edges: DrawEdge[] }): Map<NodeId, { x: number; y: number }> {
  const preds = new Map<NodeId, NodeId[]>();
  const succs = new Map<NodeId, NodeId[]>();
  for (const e of g.edges) {
    if (e.link) continue;
    preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
    succs.set(e.from, [...(succs.get(e.from) ?? []), e.to]);
  }
  const depth = new Map<NodeId, number>();
  for (const n of g.nodes) depth.set(n.id, Math.max(-1, ...(preds.get(n.id) ?? []).map((p) => depth.get(p) ?? 0)) + 1);
  for (const n of [...g.nodes].reverse()) {
    const next = succs.get(n.id);
    if (n.kind === 'input' || !next?.length) continue;
    depth.set(n.id, Math.min(...next.map((s) => depth.get(s)!)) - 1);
  }
  const layers: NodeId[][] = [];
  for (const n of g.nodes) (layers[depth.get(n.id)!] ??= []).push(n.id);
  const position = new Map<NodeId, number>();
  layers.forEach((layer) => layer?.forEach((id, i) => position.set(id, i)));
  // A few downward sweeps of the barycentre heuristic reduce crossings.
  for (let sweep = 0; sweep < 4; sweep++) {
    for (const layer of layers.slice(1)) {
      if (!layer) continue;
      const key = (id: NodeId) => {
        const ps = preds.get(id) ?? [];
        return ps.length ? ps.reduce((s, p) => s + position.get(p)!, 0) / ps.length : position.get(id)!;
      };
      layer.sort((a, b) => key(a) - key(b));
      layer.forEach((id, i) => position.set(id, i));
    }
  }
  const widest = Math.max(1, ...layers.map((l) => l?.length ?? 0));
  const out = new Map<NodeId, { x: number; y: number }>();
  layers.forEach((layer, d) => {
    if (!layer) return;
    const offset = ((widest - layer.length) * (BOX_W + GAP_X)) / 2;
    layer.forEach((id, i) => out.set(id, { x: LANE + offset + i * (BOX_W + GAP_X), y: 20 + d * (BOX_H + GAP_Y) }));
  });
  return out;
}

/** Room on the left for edges that skip layers. */
const LANE = 60;

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function toSvg(typed: TypedGraph, g: { nodes: DrawNode[]; edges: DrawEdge[] }): string {
  const pos = layout(g);
  const bulge = (y1: number, y2: number, x: number) => x + 40 + Math.min(120, Math.abs(y2 - y1) / 8);
  let width = Math.max(...[...pos.values()].map((p) => p.x)) + BOX_W + 20;
  for (const e of g.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (e.link && a && b) width = Math.max(width, bulge(a.y, b.y, Math.max(a.x, b.x) + BOX_W) + 10);
  }
  const height = Math.max(...[...pos.values()].map((p) => p.y)) + BOX_H + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${xml(typed.graph.network)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#556"/></marker>',
    '<marker id="link" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#7a5cc7"/></marker></defs>',
  ];
  let skipped = 0;
  for (const e of g.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    if (e.link) {
      // Links bend out to the right so that they do not hide data edges.
      const x1 = a.x + BOX_W;
      const y1 = a.y + BOX_H / 2;
      const x2 = b.x + BOX_W;
      const y2 = b.y + BOX_H / 2;
      const bx = bulge(y1, y2, Math.max(x1, x2));
      parts.push(`<path d="M${x1},${y1} C${bx},${y1} ${bx},${y2} ${x2},${y2}" fill="none" stroke="#7a5cc7" stroke-dasharray="5,4" marker-end="url(#link)"/>`);
    } else {
      const x1 = a.x + BOX_W / 2;
      const y1 = a.y + BOX_H;
      const x2 = b.x + BOX_W / 2;
      const y2 = b.y;
      if (y2 - y1 > BOX_H + GAP_Y) {
        // An edge that skips layers runs down the left lane instead of through the boxes.
        const lane = Math.min(a.x, b.x) - 20 - (skipped++ % 3) * 12;
        parts.push(`<path d="M${x1},${y1} C${x1},${y1 + 24} ${lane},${y1 + 24} ${lane},${y1 + 40} L${lane},${y2 - 40} C${lane},${y2 - 24} ${x2},${y2 - 24} ${x2},${y2}" fill="none" stroke="#556" marker-end="url(#arrow)"/>`);
        continue;
      }
      const my = (y1 + y2) / 2;
      parts.push(`<path d="M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}" fill="none" stroke="#556" marker-end="url(#arrow)"/>`);
    }
  }
  for (const n of g.nodes) {
    const p = pos.get(n.id)!;
    const fill = n.kind === 'input' ? '#e3f2e1' : n.kind === 'output' ? '#fde9d9' : '#f4f6fb';
    parts.push(
      `<g><rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${fill}" stroke="#8893a8"/>` +
        `<text x="${p.x + 8}" y="${p.y + 16}" font-size="12" font-weight="bold">${xml(clip(n.title, 30))}</text>` +
        `<text x="${p.x + 8}" y="${p.y + 32}" font-size="10" fill="#334">${xml(clip(n.detail, 36))}</text>` +
        `<text x="${p.x + 8}" y="${p.y + 46}" font-size="10" fill="#556">${xml(clip(n.shape, 36))}</text></g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}
