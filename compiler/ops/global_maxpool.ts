/** `global_maxpool`: maximum over all positions, [H, W, C] → [1, 1, C]. */
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, OpContract } from './contract.js';
import { wholeMapWindow } from './_whole.js';

export const contract: OpContract = {
  name: 'global_maxpool',
  summary: 'maximum over all positions: [H, W, C] → [1, 1, C]',
  inputs: ['x'],
  params: [],
  infer(ctx: InferContext): InferResult {
    const x = ctx.inputs[0]!;
    const { map, sizeDependent } = wholeMapWindow(x, ctx.domain);
    return { shape: [Dim.constant(1), Dim.constant(1), x.shape[2]], map, macs: Dim.constant(0), info: { sizeDependent } };
  },
};
