/**
 * `dropout(rate)`: inverted dropout in training (each unit kept with probability 1 − rate and
 * scaled by 1/(1 − rate)), the identity in inference. The mask comes from the node's seeded
 * stream, drawn on the host, so it is the same on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { numberArg } from '../../compiler/ops/_geometry.js';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'dropout',
  run(ctx: OpContext): tf.Tensor4D {
    const x = ctx.inputs[0]!;
    const rate = numberArg(ctx.node.node.args, 'rate') ?? 0;
    if (!ctx.training || rate === 0) return tf.clone(x);
    const keep = 1 / (1 - rate);
    const mask = ctx.random().uniforms(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = mask[i]! >= rate ? keep : 0;
    return tf.mul(x, tf.tensor(mask, x.shape));
  },
};
