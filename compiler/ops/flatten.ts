/** `flatten`: [H, W, C] → [1, 1, H·W·C] in H, W, C order, so that `dense` can follow. */
import { Dim } from '../dims/index.js';
import type { InferContext, InferResult, OpContract } from './contract.js';
import { fixedValue } from './_geometry.js';
import { wholeMapWindow } from './_whole.js';

export const contract: OpContract = {
  name: 'flatten',
  summary: '[H, W, C] → [1, 1, H·W·C] (H, W, C order), for dense layers',
  inputs: ['x'],
  params: [],
  infer(ctx: InferContext): InferResult | undefined {
    const x = ctx.inputs[0]!;
    // Fixed by the input shape or by --size.
    const h = fixedValue(x.shape[0], ctx.domain);
    const w = fixedValue(x.shape[1], ctx.domain);
    if (h === undefined || w === undefined) {
      ctx.error(`\`flatten\` needs a fixed spatial size, but this map is ${x.shape[0].format(ctx.domain)}×${x.shape[1].format(ctx.domain)}`, {
        help: 'fix the input size (`input image: [224, 224, 3]` or --size H=224,W=224), or use `global_avgpool`, or a convolution as in fully convolutional nets',
      });
      return undefined;
    }
    const { map } = wholeMapWindow(x, ctx.domain);
    return { shape: [Dim.constant(1), Dim.constant(1), h * w * x.shape[2]], map, macs: Dim.constant(0) };
  },
};
