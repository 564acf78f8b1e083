/** `a + b`: elementwise sum; shapes and coordinate maps must agree (checked by the alignment rule). */
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, OpContract } from './contract.js';
import { mergedMap } from './_merge.js';

export const contract: OpContract = {
  name: 'add',
  summary: 'elementwise sum (written a + b; shapes and coordinate maps must match)',
  inputs: ['a', 'b'],
  params: [],
  infer(ctx: InferContext): InferResult {
    const [a] = ctx.inputs;
    return { shape: a!.shape, map: mergedMap(ctx.inputs.map((t) => t.map)), macs: Dim.constant(0) };
  },
};
