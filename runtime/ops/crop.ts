/**
 * `crop`: a slice at the contract's offset (`info.offset`: derived from the coordinate maps
 * for `crop(x, to: b)`, as Caffe's crop layer, or given explicitly) with the contract's size.
 * The reference `b` contributes only its static size, so its tensor is not read.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';
import { infoPair } from './_op.js';

export const op: RuntimeOp = {
  name: 'crop',
  run(ctx: OpContext): tf.Tensor4D {
    const [oy, ox] = infoPair(ctx.node, 'offset');
    const [h, w] = ctx.outputShape;
    return tf.slice(ctx.inputs[0]!, [0, oy, ox, 0], [-1, h, w, -1]);
  },
};
