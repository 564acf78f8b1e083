/** `relu`: rectified linear unit max(x, 0). */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'relu',
  run: (ctx: OpContext): tf.Tensor4D => tf.relu(ctx.inputs[0]!),
};
