/** Ops that keep the shape and the coordinate map (activations, dropout, normalisation). */
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult } from './contract.js';

export function inferSameShape(ctx: InferContext): InferResult {
  const x = ctx.inputs[0]!;
  return { shape: x.shape, map: x.map, macs: Dim.constant(0) };
}
