/** `concat(a, b, ...)`: concatenation along channels; spatial shapes and coordinate maps must agree. */
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, OpContract } from './contract.js';
import { mergedMap } from './_merge.js';

export const contract: OpContract = {
  name: 'concat',
  summary: 'concatenate along channels (spatial shapes and coordinate maps must match)',
  inputs: ['a', 'b'],
  variadicInputs: true,
  params: [],
  infer(ctx: InferContext): InferResult {
    const [a] = ctx.inputs;
    const channels = ctx.inputs.reduce((sum, t) => sum + t.shape[2], 0);
    return { shape: [a!.shape[0], a!.shape[1], channels], map: mergedMap(ctx.inputs.map((t) => t.map)), macs: Dim.constant(0) };
  },
};
