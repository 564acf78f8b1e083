/** `a * 0.01`: multiplication by the constant `factor`. */
import * as tf from '@tensorflow/tfjs-core';
import { numberArg } from '../../compiler/ops/_geometry.js';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'scale',
  run(ctx: OpContext): tf.Tensor4D {
    const factor = numberArg(ctx.node.node.args, 'factor');
    if (factor === undefined) throw new Error(`netc: \`${ctx.node.node.name}\` has no factor`);
    return tf.mul(ctx.inputs[0]!, tf.scalar(factor));
  },
};
