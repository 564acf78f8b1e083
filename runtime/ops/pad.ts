/** `pad(top, bottom, left, right)`: zero padding as a layer. */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';
import { infoPadding } from './_op.js';

export const op: RuntimeOp = {
  name: 'pad',
  run(ctx: OpContext): tf.Tensor4D {
    const p = infoPadding(ctx.node);
    return tf.pad(ctx.inputs[0]!, [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]]);
  },
};
