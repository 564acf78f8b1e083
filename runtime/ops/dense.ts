/** `dense(units)`: `[N, 1, 1, C]` · kernel `[C, units]` + bias, on a 1×1 map (the checker's rule). */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'dense',
  run(ctx: OpContext): tf.Tensor4D {
    const x = ctx.inputs[0]!;
    const kernel = ctx.params['kernel'] as tf.Tensor2D;
    const bias = ctx.params['bias'];
    const [n, , , c] = x.shape;
    let y: tf.Tensor2D = tf.matMul(tf.reshape(x, [n, c]), kernel);
    if (bias) y = tf.add(y, bias);
    return tf.reshape(y, [n, 1, 1, kernel.shape[1]]);
  },
};
