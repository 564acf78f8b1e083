/** `a + b`: elementwise sum (the checker proved equal shapes and aligned coordinate maps). */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'add',
  run: (ctx: OpContext): tf.Tensor4D => (ctx.inputs.length === 2 ? tf.add(ctx.inputs[0]!, ctx.inputs[1]!) : tf.addN([...ctx.inputs])),
};
