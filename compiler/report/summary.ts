/** The one-screen summary `netc check` prints for a network that checks. */
import type { TypedGraph } from '../check/types.js';
import { absoluteMap, dimJson, fixedValue, formatCount, layerOrder } from './rf.js';

export interface Summary {
  readonly network: string;
  readonly file: string;
  readonly inputs: { name: string; shape: (number | string)[]; valid: string }[];
  readonly outputs: { name: string; shape: (number | string)[]; stride: [number, number]; rf: [number, number] }[];
  readonly params: { total: number; learned: number; fixed: number; state: number };
  /** The largest stride of any layer (the bottleneck), and where. */
  readonly coarsest: { stride: number; layer: string };
  /** Multiply-adds per image, when the input size is fixed. */
  readonly macs?: number;
  readonly layers: number;
  readonly warnings: number;
}

export function summarize(typed: TypedGraph): Summary {
  const domain = typed.domain;
  const inputs = typed.graph.inputs.map((id) => {
    const t = typed.nodes.get(id)!;
    const vars = [...new Set([...t.type.shape[0].variables(), ...t.type.shape[1].variables()])];
    return {
      name: t.node.name,
      shape: [dimJson(t.type.shape[0], domain), dimJson(t.type.shape[1], domain), t.type.shape[2]],
      valid: vars.map((v) => typed.variables.find((r) => r.name === v)?.valid ?? v).join(', '),
    };
  });
  const outputs = typed.graph.outputs.map((o) => {
    const t = typed.nodes.get(o.node)!;
    return {
      name: o.name,
      shape: [dimJson(t.type.shape[0], domain), dimJson(t.type.shape[1], domain), t.type.shape[2]],
      stride: [t.type.map[0].stride.toNumber(), t.type.map[1].stride.toNumber()] as [number, number],
      rf: [t.type.map[0].rf(), t.type.map[1].rf()] as [number, number],
    };
  });
  let learned = 0;
  let fixed = 0;
  let state = 0;
  for (const t of typed.nodes.values()) {
    for (const p of t.params) {
      const n = p.shape.reduce((a, b) => a * b, 1);
      if (p.role === 'learned') learned += n;
      else if (p.role === 'fixed') fixed += n;
      else state += n;
    }
  }
  let coarsest = { stride: 1, layer: '' };
  const allLayers = layerOrder(typed);
  const layers = allLayers.filter((t) => t.owner === undefined);
  // Layers inside `offsets` count too (OverFeat's pool6 works at stride 36 before the interleave).
  for (const t of allLayers) {
    const map = absoluteMap(typed, t);
    const s = Math.max(map[0].stride.toNumber(), map[1].stride.toNumber());
    if (s > coarsest.stride) coarsest = { stride: s, layer: t.node.name };
  }
  let macs: number | undefined = 0;
  for (const t of layers) {
    const c = fixedValue(t.macs, domain);
    if (c === undefined) {
      macs = undefined;
      break;
    }
    macs += c;
  }
  return {
    network: typed.graph.network,
    file: typed.graph.file,
    inputs,
    outputs,
    params: { total: learned + fixed, learned, fixed, state },
    coarsest,
    ...(macs !== undefined ? { macs } : {}),
    layers: allLayers.length,
    warnings: typed.warnings.length,
  };
}

export function formatSummary(s: Summary): string {
  const shape = (x: (number | string)[]) => `[${x.join(', ')}]`;
  const pair = (p: [number, number]) => (p[0] === p[1] ? String(p[0]) : `${p[0]}×${p[1]}`);
  const lines = [`network ${s.network} (${s.file}): ${s.layers} layers, no errors${s.warnings ? `, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}` : ''}`];
  for (const i of s.inputs) lines.push(`  input   ${i.name} ${shape(i.shape)}${i.valid ? `  valid for ${i.valid}` : ''}`);
  for (const o of s.outputs) lines.push(`  output  ${o.name} ${shape(o.shape)}  stride ${pair(o.stride)}, rf ${pair(o.rf)}`);
  const p = s.params;
  const parts = [`${formatCount(p.learned)} learned`];
  if (p.fixed) parts.push(`${formatCount(p.fixed)} fixed`);
  lines.push(`  parameters ${formatCount(p.total)} (${parts.join(', ')}${p.state ? `; plus ${formatCount(p.state)} batchnorm statistics` : ''})`);
  if (s.coarsest.layer) lines.push(`  coarsest stride ${s.coarsest.stride} (at ${s.coarsest.layer})`);
  if (s.macs !== undefined) lines.push(`  multiply-adds ${formatCount(s.macs)} per image`);
  return lines.join('\n');
}
