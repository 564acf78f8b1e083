/** `flatten`: `[H, W, C]` → `[1, 1, H·W·C]`, features in H, W, C order (NHWC memory order). */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'flatten',
  run(ctx: OpContext): tf.Tensor4D {
    const x = ctx.inputs[0]!;
    return tf.reshape(x, [x.shape[0], 1, 1, ctx.outputShape[2]]);
  },
};
