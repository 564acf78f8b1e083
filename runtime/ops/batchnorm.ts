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

/** f(t), then t disposed: for a chain of activation-sized temporaries. */
function disposing<T extends tf.Tensor>(t: tf.Tensor, f: (t: tf.Tensor) => T): T {
  const out = f(t);
  t.dispose();
  return out;
}

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
    // The batch statistics, for the normalisation and the moving averages. They are computed
    // inside the customGrad's forward function, which the tape does not record (tfjs runs it
    // at kernel depth 1), so `tf.moments`' activation-sized x − mean and its square are freed
    // at once instead of being kept to the end of the backward pass; the gradient below
    // already includes the paths through the mean and the variance. Kept (`tf.keep`) for the
    // moving averages after the call, then disposed.
    let batchMean: tf.Tensor1D | undefined;
    let batchVariance: tf.Tensor1D | undefined;
    const normalise = tf.customGrad(((input: tf.Tensor4D, scale: tf.Tensor1D, shift: tf.Tensor1D, save: tf.GradSaveFunc) => {
      const { mean, variance } = tf.moments(input, AXES) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
      batchMean = tf.keep(mean);
      batchVariance = tf.keep(variance);
      save([input, scale, mean, variance]);
      // The value by tfjs' own batchNorm, so that inference, training and the emitted module
      // (compiler/emit) compute bit-identical outputs; only the gradient is ours.
      return {
        value: tf.batchNorm(input, mean, variance, shift, scale, eps),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, g, savedMean, savedVariance] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          // The engine calls this outside any tidy and keeps whatever it leaves until the
          // backward pass ends; so every activation-sized temporary is freed as soon as it is
          // used, and at most three exist at once.
          return tf.tidy(() => {
            const invStd = tf.rsqrt(tf.add(savedVariance, eps));
            const xhat = disposing(tf.sub(xs, savedMean), (centered) => tf.mul(centered, invStd));
            const dShift = tf.sum(dy, AXES);
            const dScale = disposing(tf.mul(dy, xhat), (product) => tf.sum(product, AXES));
            const xhatScaled = disposing(xhat, (normalised) => tf.mul(normalised, dScale));
            const shifted = disposing(tf.mul(dy, n), (scaled) => tf.sub(scaled, dShift));
            const inner = tf.sub(shifted, xhatScaled);
            tf.dispose([shifted, xhatScaled]);
            const dInput = disposing(inner, (sum) => tf.mul(sum, tf.div(tf.mul(g, invStd), n)));
            return [dInput, dScale, dShift];
          });
        },
      };
    }) as Parameters<typeof tf.customGrad>[0]);
    try {
      const y = normalise(x, gamma!, beta!) as tf.Tensor4D;
      const unbiased = tf.mul(batchVariance!, n / Math.max(n - 1, 1));
      ctx.update('moving_mean', tf.add(tf.mul(movingMean!, 1 - momentum), tf.mul(batchMean!, momentum)));
      ctx.update('moving_variance', tf.add(tf.mul(movingVariance!, 1 - momentum), tf.mul(unbiased, momentum)));
      return y;
    } finally {
      // Kept outside every tidy: freed here even when an op above throws.
      tf.dispose([batchMean, batchVariance].filter((t): t is tf.Tensor1D => t !== undefined));
    }
  },
};
