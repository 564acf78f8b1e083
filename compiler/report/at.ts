/**
 * `netc rf --at NAME:y,x`: the input region one unit of a layer depends on, unclipped (it may
 * reach into the padding) and clipped to the image.
 */
import { error, type Diagnostic } from '../../grammar/diagnostics.js';
import { didYouMean } from '../../grammar/suggest.js';
import type { Region } from '../coordmap.js';
import type { TypedGraph } from '../check/types.js';
import { absoluteMap, fixedValue, layerOrder } from './rf.js';

export interface UnitRegion {
  readonly layer: string;
  readonly unit: [number, number];
  /** Centre of the unit in input coordinates (y, x). */
  readonly center: [number, number];
  /** Unclipped input pixel ranges [lo, hi] per axis (y, x); `undefined` when the unit reads nothing. */
  readonly region: [[number, number] | undefined, [number, number] | undefined];
  /** Clipped to the input image, when its size is known; `undefined` for an axis with no overlap. */
  readonly clipped?: [[number, number] | undefined, [number, number] | undefined];
  readonly imageSize?: [number, number];
}

/** Parses `NAME:y,x`. */
export function parseAt(spec: string): { name: string; y: number; x: number } | string {
  const m = /^(.+):\s*(-?\d+)\s*,\s*(-?\d+)$/.exec(spec.trim());
  if (!m) return `--at expects NAME:y,x (e.g. --at pool5:3,4), got '${spec}'`;
  return { name: m[1]!.trim(), y: Number(m[2]), x: Number(m[3]) };
}

export function unitRegion(typed: TypedGraph, name: string, y: number, x: number): UnitRegion | Diagnostic {
  const layers = layerOrder(typed);
  const t = layers.find((l) => l.node.name === name) ?? [...typed.nodes.values()].find((l) => l.node.name === name);
  if (!t) {
    return error('usage', `--at: there is no layer \`${name}\``, {
      help: didYouMean(name, layers.map((l) => l.node.name)) || 'run `netc rf SPEC` to list the layer names',
    });
  }
  const [h, w] = [fixedValue(t.type.shape[0], typed.domain), fixedValue(t.type.shape[1], typed.domain)];
  for (const [i, n, axis] of [[y, h, 'row'], [x, w, 'column']] as const) {
    if (i < 0 || (n !== undefined && i >= n)) {
      return error('usage', `--at: ${axis} ${i} is outside \`${name}\`, which is ${t.type.shape[0].format(typed.domain)}×${t.type.shape[1].format(typed.domain)}`);
    }
  }
  const map = absoluteMap(typed, t);
  const toRange = (r: Region): [number, number] | undefined => (r.kind === 'interval' ? [r.lo, r.hi] : undefined);
  const region: UnitRegion['region'] = [toRange(map[0].region(y)), toRange(map[1].region(x))];
  const input = typed.nodes.get(typed.graph.inputs[0]!);
  const size = input ? [fixedValue(input.type.shape[0], typed.domain), fixedValue(input.type.shape[1], typed.domain)] : [undefined, undefined];
  const result: UnitRegion = {
    layer: name,
    unit: [y, x],
    center: [map[0].centerOf(y).toNumber(), map[1].centerOf(x).toNumber()],
    region,
  };
  if (size[0] === undefined || size[1] === undefined) return result;
  const clip = (r: [number, number] | undefined, n: number): [number, number] | undefined => {
    if (!r) return undefined;
    const lo = Math.max(0, r[0]);
    const hi = Math.min(n - 1, r[1]);
    return lo <= hi ? [lo, hi] : undefined;
  };
  return { ...result, clipped: [clip(region[0], size[0]), clip(region[1], size[1])], imageSize: [size[0], size[1]] };
}

export function formatUnitRegion(u: UnitRegion): string {
  const range = (r: [number, number] | undefined) => (r ? `${r[0]}..${r[1]} (${r[1] - r[0] + 1} px)` : 'nothing');
  const lines = [
    `unit (${u.unit[0]}, ${u.unit[1]}) of ${u.layer}: centre at input (${u.center[0]}, ${u.center[1]})`,
    `  rows    ${range(u.region[0])}`,
    `  columns ${range(u.region[1])}`,
  ];
  if (u.clipped && u.imageSize) {
    lines.push(`clipped to the ${u.imageSize[0]}×${u.imageSize[1]} image:`, `  rows    ${range(u.clipped[0])}`, `  columns ${range(u.clipped[1])}`);
  } else {
    lines.push('(the input size is symbolic: fix it with --size to clip the region to the image)');
  }
  return lines.join('\n');
}
