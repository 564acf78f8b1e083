/**
 * `conv`: cross-correlation with the contract's explicit, possibly asymmetric padding
 * (`info.padding`, which already resolves `same`), stride, dilation and groups.
 *
 * - Groups: tfjs has no `groups`; the input channels and the kernel's last axis are split into
 *   `groups` equal blocks, block i of the output reads block i of the input (Caffe, PyTorch),
 *   and the results are concatenated.
 * - Stride and dilation both > 1: tfjs refuses the combination (and has no gradient for it),
 *   so the stride-1 dilated output is computed and every s-th row and column kept.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';
import { infoPadding, infoPair } from './_op.js';

export const op: RuntimeOp = {
  name: 'conv',
  run(ctx: OpContext): tf.Tensor4D {
    const x = ctx.inputs[0]!;
    const kernel = ctx.params['kernel'] as tf.Tensor4D;
    const bias = ctx.params['bias'];
    const p = infoPadding(ctx.node);
    const stride = infoPair(ctx.node, 'stride');
    const dilation = infoPair(ctx.node, 'dilation');
    const groups = (ctx.node.info['groups'] as number | undefined) ?? 1;
    const padding: tf.backend_util.ExplicitPadding = [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
    const both = (stride[0] > 1 || stride[1] > 1) && (dilation[0] > 1 || dilation[1] > 1);
    const convStride: [number, number] = both ? [1, 1] : stride;
    const one = (input: tf.Tensor4D, filter: tf.Tensor4D) => tf.conv2d(input, filter, convStride, padding, 'NHWC', dilation);
    let y: tf.Tensor4D;
    if (groups === 1) {
      y = one(x, kernel);
    } else {
      const inputs = tf.split(x, groups, 3) as tf.Tensor4D[];
      const filters = tf.split(kernel, groups, 3);
      y = tf.concat(inputs.map((input, g) => one(input, filters[g] as tf.Tensor4D)), 3);
    }
    if (both) y = subsample(y, stride, [ctx.outputShape[0], ctx.outputShape[1]]);
    return bias ? tf.add(y, bias) : y;
  },
};

/** Rows 0, s, 2s, ... (and columns): a pad to a multiple of s, a reshape and a slice, all with gradients. */
export function subsample(y: tf.Tensor4D, s: [number, number], out: [number, number]): tf.Tensor4D {
  const [n, h, w, c] = y.shape;
  const rows = out[0] * s[0];
  const cols = out[1] * s[1];
  const padded = tf.pad(y, [[0, 0], [0, Math.max(rows - h, 0)], [0, Math.max(cols - w, 0)], [0, 0]]);
  const cut = tf.slice(padded, [0, 0, 0, 0], [n, rows, cols, c]);
  const split = tf.reshape(cut, [n, out[0], s[0], out[1], s[1], c]);
  return tf.reshape(tf.slice(split, [0, 0, 0, 0, 0, 0], [n, out[0], 1, out[1], 1, c]), [n, out[0], out[1], c]);
}
