/**
 * The receptive-field report (`netc rf`): per layer its shape, rf, stride, centre, effective
 * padding and parameters, the crops with their derived offsets, and the outputs. One data
 * structure, printed as an aligned text table or as the stable JSON of cli.md.
 */
import { compose, type AxisMap, type SpatialMap } from '../coordmap.js';
import type { Dim, Domain } from '../dims/index.js';
import { fixedValue } from '../ops/_geometry.js';
import type { Rational } from '../rational.js';
import type { TypedGraph, TypedNode } from '../check/types.js';

/** A JSON value for a dimension: an integer, or a formula such as `"H/32 + 6"`. */
export type DimJson = number | string;

export interface RfLayer {
  readonly name: string;
  readonly op: string;
  readonly shape: [DimJson, DimJson, number];
  readonly rf: [number, number];
  readonly stride: [number, number];
  readonly center: [number, number];
  readonly padding: [number, number];
  readonly params: number;
  /** Set for layers inside `offsets(f, L)`: their maps are for the shift (0, 0). */
  readonly within?: string;
}

export interface RfOutput {
  readonly name: string;
  readonly shape: [DimJson, DimJson, number];
  readonly rf: [number, number];
  readonly stride: [number, number];
  readonly center: [number, number];
  readonly padding: [number, number];
}

export interface RfReport {
  readonly network: string;
  readonly layers: RfLayer[];
  readonly crops: { name: string; offset: [number, number] }[];
  readonly outputs: RfOutput[];
  /** Learned plus fixed weights (batchnorm's moving statistics are state, not parameters). */
  readonly params: number;
}

/** Parameters of a node, counted as Caffe counts blobs (learned + fixed, not statistics). */
export function paramCount(t: TypedNode): number {
  return t.params.filter((p) => p.role !== 'state').reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}

export { fixedValue };

export function dimJson(d: Dim, domain: Domain): DimJson {
  const c = fixedValue(d, domain);
  return c !== undefined ? c : d.format(domain);
}


/** A rational as a JSON number (integers stay integers). */
export function ratJson(r: Rational): number {
  return r.toNumber();
}

/** The absolute map of a node (nodes inside `offsets` are relative to the body's input). */
export function absoluteMap(typed: TypedGraph, t: TypedNode): SpatialMap {
  if (t.owner === undefined) return t.type.map;
  const owner = typed.nodes.get(t.owner);
  const input = owner && typed.nodes.get(owner.node.inputs[0]!);
  if (!input) return t.type.map;
  const base = absoluteMap(typed, input);
  return [compose(base[0], t.type.map[0]), compose(base[1], t.type.map[1])];
}

function axisPair<T>(m: SpatialMap, f: (a: AxisMap) => T): [T, T] {
  return [f(m[0]), f(m[1])];
}

/** Every layer application in topological order (offsets bodies before their node). */
export function layerOrder(typed: TypedGraph): TypedNode[] {
  const out: TypedNode[] = [];
  const visit = (t: TypedNode) => {
    const body = t.node.body;
    if (body) {
      for (const n of body.nodes) {
        const bt = typed.nodes.get(n.id);
        if (bt && n.id !== body.input) visit(bt);
      }
    }
    if (t.node.op !== 'input') out.push(t);
  };
  typed.order.forEach(visit);
  return out;
}

export function rfReport(typed: TypedGraph): RfReport {
  const domain = typed.domain;
  // Layers share sizes (every activation has its input's): print each distinct one once.
  const printed = new Map<Dim, DimJson>();
  const dim = (d: Dim): DimJson => {
    let json = printed.get(d);
    if (json === undefined) {
      json = dimJson(d, domain);
      printed.set(d, json);
    }
    return json;
  };
  const order = layerOrder(typed);
  const layers: RfLayer[] = order.map((t) => {
    const map = absoluteMap(typed, t);
    const owner = t.owner !== undefined ? typed.nodes.get(t.owner)?.node.name : undefined;
    return {
      name: t.node.name,
      op: t.node.op,
      shape: [dim(t.type.shape[0]), dim(t.type.shape[1]), t.type.shape[2]],
      rf: axisPair(map, (a) => a.rf()),
      stride: axisPair(map, (a) => ratJson(a.stride)),
      center: axisPair(map, (a) => ratJson(a.center)),
      padding: axisPair(map, (a) => ratJson(a.padding())),
      params: paramCount(t),
      ...(owner !== undefined ? { within: owner } : {}),
    };
  });
  const crops = order
    .filter((t) => t.node.op === 'crop' && t.info['offset'])
    .map((t) => ({ name: t.node.name, offset: [...(t.info['offset'] as [number, number])] as [number, number] }));
  const outputs: RfOutput[] = typed.graph.outputs.map((o) => {
    const t = typed.nodes.get(o.node)!;
    const map = t.type.map;
    return {
      name: o.name,
      shape: [dimJson(t.type.shape[0], domain), dimJson(t.type.shape[1], domain), t.type.shape[2]],
      rf: axisPair(map, (a) => a.rf()),
      stride: axisPair(map, (a) => ratJson(a.stride)),
      center: axisPair(map, (a) => ratJson(a.center)),
      padding: axisPair(map, (a) => ratJson(a.padding())),
    };
  });
  const params = [...typed.nodes.values()].reduce((sum, t) => sum + paramCount(t), 0);
  return { network: typed.graph.network, layers, crops, outputs, params };
}

/** Thousands separators: 134,489,759. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function pairText(p: readonly (number | string)[]): string {
  return p[0] === p[1] ? String(p[0]) : `${p[0]}×${p[1]}`;
}

/** The aligned text table of `netc rf`. */
export function formatRfReport(report: RfReport): string {
  const header = ['layer', 'op', 'shape', 'rf', 'stride', 'centre', 'padding', 'params'];
  const rows = report.layers.map((l) => [
    l.name,
    l.op,
    `${l.shape[0]}×${l.shape[1]}×${l.shape[2]}`,
    pairText(l.rf),
    pairText(l.stride.map(formatNumber)),
    pairText(l.center.map(formatNumber)),
    pairText(l.padding.map(formatNumber)),
    l.params ? formatCount(l.params) : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([3, 4, 5, 6, 7]);
  const line = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [`network ${report.network}`, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (report.crops.length) {
    out.push('', 'crops (offsets derived from the coordinate maps):');
    for (const c of report.crops) out.push(`  ${c.name}: offset ${pairText(c.offset)}`);
  }
  out.push('', 'outputs:');
  for (const o of report.outputs) {
    out.push(
      `  ${o.name}: ${o.shape[0]}×${o.shape[1]}×${o.shape[2]}, rf ${pairText(o.rf)}, stride ${pairText(o.stride.map(formatNumber))}, centre ${pairText(o.center.map(formatNumber))}, padding ${pairText(o.padding.map(formatNumber))}`,
    );
  }
  out.push('', `parameters: ${formatCount(report.params)}`);
  return out.join('\n');
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1e6) / 1e6);
}
