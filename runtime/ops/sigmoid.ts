/** `sigmoid`: logistic sigmoid 1 / (1 + e^−x). */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'sigmoid',
  run: (ctx: OpContext): tf.Tensor4D => tf.sigmoid(ctx.inputs[0]!),
};
