/** `tanh`: hyperbolic tangent. */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'tanh',
  run: (ctx: OpContext): tf.Tensor4D => tf.tanh(ctx.inputs[0]!),
};
