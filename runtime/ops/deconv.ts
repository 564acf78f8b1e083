/**
 * `deconv`: transposed convolution with Caffe's size rule `(n − 1)·s + k − 2p`. tfjs'
 * `conv2dTranspose` takes the output shape explicitly (the contract's), and the padding `p`
 * as the padding of the forward convolution it transposes, which crops `p` from each side.
 * Kernel layout `[kh, kw, cout, cin]`. `trainable: false` makes the kernel (and bias) a
 * fixed parameter: its variable is not trainable, so no gradient is taken for it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';
import { infoPadding, infoPair } from './_op.js';

export const op: RuntimeOp = {
  name: 'deconv',
  run(ctx: OpContext): tf.Tensor4D {
    const x = ctx.inputs[0]!;
    const kernel = ctx.params['kernel'] as tf.Tensor4D;
    const bias = ctx.params['bias'];
    const p = infoPadding(ctx.node);
    const stride = infoPair(ctx.node, 'stride');
    const [h, w, c] = ctx.outputShape;
    const pad = p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0 ? 'valid' : ([[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]] as tf.backend_util.ExplicitPadding);
    const y = tf.conv2dTranspose(x, kernel, [x.shape[0], h, w, c], stride, pad);
    return bias ? tf.add(y, bias) : y;
  },
};
