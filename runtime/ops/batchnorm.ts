/**
 * `batchnorm(eps, momentum)` (PyTorch's rule, architecture.md): in training, normalise with
 * the batch statistics over N, H, W (biased variance) and update the moving averages,
 * `moving = (1 − m)·moving + m·batch`, the variance unbiased by n/(n − 1), n = N·H·W; in
 * inference, normalise with the moving averages.
 *
 * The training gradient is the closed form (Ioffe & Szegedy 2015, §3), through the batch
 * statistics:
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/(σ·n) · (n·dy − dβ − x̂·dγ),  σ = √(var + eps)
 * rather than tfjs' `moments` + `batchNorm` gradients: FusedBatchNorm's gradient tiles the
 * statistics to the input's full shape, which took ~18% of a SegNet-Basic training step on
 * wasm (166 of 908 ms at 12 × 32²; bench/kernels.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { numberArg } from '../../compiler/ops/_geometry.js';
import type { OpContext, RuntimeOp } from './_op.js';

const AXES = [0, 1, 2];

export const op: RuntimeOp = {
  name: 'batchnorm',
  run(ctx: OpContext): tf.Tensor4D {
    const x = ctx.inputs[0]!;
    const args = ctx.node.node.args;
    const eps = numberArg(args, 'eps') ?? 1e-5;
    const momentum = numberArg(args, 'momentum') ?? 0.1;
    const { gamma, beta, moving_mean: movingMean, moving_variance: movingVariance } = ctx.params as Record<string, tf.Tensor1D>;
    if (!ctx.training) return tf.batchNorm(x, movingMean!, movingVariance!, beta, gamma, eps);
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    // The batch statistics, shared by the normalisation and the moving averages. They are
    // closed over rather than passed in, so the tape sees x only through `normalise`, whose
    // gradient already includes the paths through the mean and the variance; the backward
    // pass reads them through `save` (the executor disposes an op's temporaries).
    const { mean, variance } = tf.moments(x, AXES);
    const normalise = tf.customGrad(((input: tf.Tensor4D, scale: tf.Tensor1D, shift: tf.Tensor1D, save: tf.GradSaveFunc) => {
      // The value by tfjs' own batchNorm, so that inference, training and the emitted module
      // (compiler/emit) compute bit-identical outputs; only the gradient is ours.
      save([input, scale, mean, variance]);
      return {
        value: tf.batchNorm(input, mean as tf.Tensor1D, variance as tf.Tensor1D, shift, scale, eps),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, g, batchMean, batchVariance] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          const invStd = tf.rsqrt(tf.add(batchVariance, eps));
          const xhat = tf.mul(tf.sub(xs, batchMean), invStd);
          const dShift = tf.sum(dy, AXES);
          const dScale = tf.sum(tf.mul(dy, xhat), AXES);
          const inner = tf.sub(tf.sub(tf.mul(dy, n), dShift), tf.mul(xhat, dScale));
          const dInput = tf.mul(inner, tf.div(tf.mul(g, invStd), n));
          return [dInput, dScale, dShift];
        },
      };
    }) as Parameters<typeof tf.customGrad>[0]);
    const y = normalise(x, gamma!, beta!) as tf.Tensor4D;
    const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
    ctx.update('moving_mean', tf.add(tf.mul(movingMean!, 1 - momentum), tf.mul(mean, momentum)));
    ctx.update('moving_variance', tf.add(tf.mul(movingVariance!, 1 - momentum), tf.mul(unbiased, momentum)));
    return y;
  },
};
