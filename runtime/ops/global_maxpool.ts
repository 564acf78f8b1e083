/** `global_maxpool`: the maximum over all positions, `[H, W, C]` → `[1, 1, C]`. */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'global_maxpool',
  run: (ctx: OpContext): tf.Tensor4D => tf.max(ctx.inputs[0]!, [1, 2], true),
};
