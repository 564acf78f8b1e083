/**
 * `avgpool`: Caffe semantics. A window's divisor counts the declared zero padding but not the
 * ceil-mode overhang (PyTorch `count_include_pad=True`); tfjs divides by the in-image count
 * instead, so the input is zero-padded to exactly the rows the windows span, averaged with
 * VALID windows (all divisors k_h·k_w), then corrected per position by `k_h·k_w / count`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';
import { averageCorrection, fitWindows, poolGeometry } from './_pool.js';

export const op: RuntimeOp = {
  name: 'avgpool',
  run(ctx: OpContext): tf.Tensor4D {
    const g = poolGeometry(ctx);
    const mean = tf.avgPool(fitWindows(ctx.inputs[0]!, g, 0), g.k, g.s, 'valid');
    const correction = averageCorrection(g);
    return correction ? tf.mul(mean, tf.tensor4d(correction, [1, g.out[0], g.out[1], 1])) : mean;
  },
};
