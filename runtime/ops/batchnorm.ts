/**
 * `batchnorm(eps, momentum)` (PyTorch's rule, architecture.md): in training, normalise with
 * the batch statistics over N, H, W (biased variance) and update the moving averages,
 * `moving = (1 − m)·moving + m·batch`, the variance unbiased by n/(n − 1), n = N·H·W; in
 * inference, normalise with the moving averages. The gradient flows through the batch
 * statistics (tfjs' `moments` and `batchNorm` gradients).
 */
import * as tf from '@tensorflow/tfjs-core';
import { numberArg } from '../../compiler/ops/_geometry.js';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'batchnorm',
  run(ctx: OpContext): tf.Tensor4D {
    const x = ctx.inputs[0]!;
    const args = ctx.node.node.args;
    const eps = numberArg(args, 'eps') ?? 1e-5;
    const momentum = numberArg(args, 'momentum') ?? 0.1;
    const { gamma, beta, moving_mean: movingMean, moving_variance: movingVariance } = ctx.params as Record<string, tf.Tensor1D>;
    if (!ctx.training) return tf.batchNorm(x, movingMean!, movingVariance!, beta, gamma, eps);
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
    ctx.update('moving_mean', tf.add(tf.mul(movingMean!, 1 - momentum), tf.mul(mean, momentum)));
    ctx.update('moving_variance', tf.add(tf.mul(movingVariance!, 1 - momentum), tf.mul(unbiased, momentum)));
    return tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, eps);
  },
};
