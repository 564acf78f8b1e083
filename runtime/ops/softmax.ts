/** `softmax`: softmax over the channel axis (the last, in NHWC). */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'softmax',
  run: (ctx: OpContext): tf.Tensor4D => tf.softmax(ctx.inputs[0]!),
};
