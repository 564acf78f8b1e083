/** `concat(a, b, ...)`: concatenation along the channel axis, in argument order. */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'concat',
  run: (ctx: OpContext): tf.Tensor4D => tf.concat([...ctx.inputs], 3),
};
