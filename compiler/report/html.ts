/**
 * The receptive-field report as one self-contained HTML page (`netc rf --html FILE`): the
 * summary, the per-layer table, the graph, and a picture of the input with the receptive field
 * of a unit of the selected layer (click a row). No external scripts or styles.
 */
import type { TypedGraph } from '../check/types.js';
import { renderGraph } from './graph.js';
import { absoluteMap, layerOrder, rfReport } from './rf.js';
import { formatSummary, summarize } from './summary.js';

interface LayerView {
  name: string;
  op: string;
  shape: string;
  rf: [number, number];
  stride: [number, number];
  center: [number, number];
  /** Regions (unclipped) of unit 0 and of the middle unit, per axis: [lo, hi] or null. */
  units: { unit: [number, number]; y: [number, number] | null; x: [number, number] | null }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function rfHtml(typed: TypedGraph): string {
  const report = rfReport(typed);
  const summary = summarize(typed);
  const input = typed.nodes.get(typed.graph.inputs[0]!);
  const size = (axis: 0 | 1): number => {
    const d = input?.type.shape[axis];
    const c = d?.constantValue();
    if (c !== undefined) return c;
    const v = d?.variables()[0];
    const smallest = v ? typed.variables.find((r) => r.name === v)?.smallest : undefined;
    return Math.max(smallest ?? 0, 224);
  };
  const image: [number, number] = [size(0), size(1)];
  const sizeNote = input && (input.type.shape[0].constantValue() === undefined || input.type.shape[1].constantValue() === undefined)
    ? `The input size is symbolic; the picture uses ${image[0]}×${image[1]}.`
    : '';
  const views: LayerView[] = layerOrder(typed).map((t) => {
    const map = absoluteMap(typed, t);
    const units: LayerView['units'] = [];
    const region = (axis: 0 | 1, i: number): [number, number] | null => {
      const r = map[axis].region(i);
      return r.kind === 'interval' ? [r.lo, r.hi] : null;
    };
    const mid = (axis: 0 | 1): number => {
      const c = t.type.shape[axis].constantValue();
      if (c !== undefined) return Math.floor((c - 1) / 2);
      // Symbolic: the unit whose centre is nearest the middle of the pictured image.
      const m = map[axis];
      return Math.max(0, Math.round((image[axis] / 2 - m.center.toNumber()) / m.stride.toNumber()));
    };
    units.push({ unit: [0, 0], y: region(0, 0), x: region(1, 0) });
    const my = mid(0);
    const mx = mid(1);
    if (my > 0 || mx > 0) units.push({ unit: [my, mx], y: region(0, my), x: region(1, mx) });
    return {
      name: t.node.name,
      op: t.node.op,
      shape: `${t.type.shape[0].format(typed.domain)}×${t.type.shape[1].format(typed.domain)}×${t.type.shape[2]}`,
      rf: [map[0].rf(), map[1].rf()],
      stride: [map[0].stride.toNumber(), map[1].stride.toNumber()],
      center: [map[0].center.toNumber(), map[1].center.toNumber()],
      units,
    };
  });
  const rows = report.layers
    .map(
      (l, i) =>
        `<tr data-i="${i}"><td>${esc(l.name)}</td><td>${esc(l.op)}</td><td>${esc(l.shape.join('×'))}</td><td>${l.rf.join('×')}</td><td>${l.stride.join('×')}</td><td>${l.center.join(', ')}</td><td>${l.padding.join(', ')}</td><td>${l.params ? l.params.toLocaleString('en-US') : ''}</td></tr>`,
    )
    .join('\n');
  const crops = report.crops.map((c) => `<li><b>${esc(c.name)}</b>: offset ${c.offset.join(', ')}</li>`).join('');
  const graph = renderGraph(typed, 'svg');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>netc rf — ${esc(report.network)}</title>
<style>
body{font:14px/1.4 Helvetica,Arial,sans-serif;margin:24px;color:#223}
h1{font-size:20px} h2{font-size:16px;margin-top:28px}
pre{background:#f6f7fa;padding:10px;border-radius:6px}
table{border-collapse:collapse;font-size:12px} td,th{padding:3px 8px;border-bottom:1px solid #e3e6ee;text-align:right}
td:nth-child(-n+3),th:nth-child(-n+3){text-align:left} tr:hover{background:#eef3ff;cursor:pointer} tr.sel{background:#dce7ff}
#view{display:flex;gap:24px;align-items:flex-start} #graph{overflow:auto;max-height:80vh;border:1px solid #e3e6ee}
</style></head><body>
<h1>Receptive fields of <code>${esc(report.network)}</code></h1>
<pre>${esc(formatSummary(summary))}</pre>
${crops ? `<h2>Crops (offsets derived from coordinate maps)</h2><ul>${crops}</ul>` : ''}
<h2>Layers</h2>
<p>Click a layer to see, on the input, the region that its first unit and its middle unit depend on. ${esc(sizeNote)}</p>
<div id="view"><div><table><thead><tr><th>layer</th><th>op</th><th>shape</th><th>rf</th><th>stride</th><th>centre</th><th>padding</th><th>params</th></tr></thead><tbody>
${rows}
</tbody></table></div>
<div><svg id="rf" width="360" height="360"></svg><div id="caption"></div></div></div>
<h2>Graph</h2><div id="graph">${graph}</div>
<script>
const layers = ${JSON.stringify(views)};
const image = ${JSON.stringify(image)};
const svg = document.getElementById('rf'), caption = document.getElementById('caption');
function show(i) {
  document.querySelectorAll('tr.sel').forEach(r => r.classList.remove('sel'));
  document.querySelector('tr[data-i="' + i + '"]').classList.add('sel');
  const l = layers[i];
  let lo = [0, 0], hi = [image[0] - 1, image[1] - 1];
  for (const u of l.units) { if (u.y) { lo[0] = Math.min(lo[0], u.y[0]); hi[0] = Math.max(hi[0], u.y[1]); } if (u.x) { lo[1] = Math.min(lo[1], u.x[0]); hi[1] = Math.max(hi[1], u.x[1]); } }
  const span = Math.max(hi[0] - lo[0] + 1, hi[1] - lo[1] + 1), k = 340 / span, ox = 10 - lo[1] * k, oy = 10 - lo[0] * k;
  const rect = (y0, x0, h, w, style) => '<rect x="' + (ox + x0 * k) + '" y="' + (oy + y0 * k) + '" width="' + (w * k) + '" height="' + (h * k) + '" ' + style + '/>';
  let s = rect(0, 0, image[0], image[1], 'fill="#f1f3f8" stroke="#556"');
  const colours = ['#d9534f', '#2f7ed8'];
  l.units.forEach((u, j) => { if (u.y && u.x) s += rect(u.y[0], u.x[0], u.y[1] - u.y[0] + 1, u.x[1] - u.x[0] + 1, 'fill="' + colours[j] + '" fill-opacity="0.18" stroke="' + colours[j] + '"'); });
  svg.innerHTML = s;
  caption.innerHTML = '<b>' + l.name + '</b> (' + l.op + ', ' + l.shape + ')<br>rf ' + l.rf.join('×') + ', stride ' + l.stride.join('×') + ', centre of unit 0 at ' + l.center.join(', ') + '<br>' +
    l.units.map((u, j) => '<span style="color:' + colours[j] + '">unit (' + u.unit.join(', ') + '): rows ' + (u.y ? u.y.join('..') : '–') + ', columns ' + (u.x ? u.x.join('..') : '–') + '</span>').join('<br>') +
    '<br>grey: the ' + image[0] + '×' + image[1] + ' input';
}
document.querySelectorAll('tbody tr').forEach(r => r.addEventListener('click', () => show(Number(r.dataset.i))));
if (layers.length) show(layers.length - 1);
</script>
</body></html>
`;
}
