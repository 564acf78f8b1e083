/**
 * `lrn(size, alpha, beta, k)` with Caffe's meaning, `b = a / (k + alpha/size · Σ a²)^beta`
 * over `size` channels centred on each channel. tfjs' `localResponseNormalization` sums over
 * ±depthRadius with `alpha` not divided, so: depthRadius (size − 1)/2, bias k, alpha α/size
 * (paper-architectures.md §5.6).
 */
import * as tf from '@tensorflow/tfjs-core';
import { intArg, numberArg } from '../../compiler/ops/_geometry.js';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'lrn',
  run(ctx: OpContext): tf.Tensor4D {
    const args = ctx.node.node.args;
    const size = intArg(args, 'size') ?? 5;
    const alpha = numberArg(args, 'alpha') ?? 1e-4;
    const beta = numberArg(args, 'beta') ?? 0.75;
    const k = numberArg(args, 'k') ?? 1;
    return tf.localResponseNormalization(ctx.inputs[0]!, (size - 1) / 2, k, alpha / size, beta);
  },
};
