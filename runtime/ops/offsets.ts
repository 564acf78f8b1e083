/**
 * `offsets(f, L)`: OverFeat's offset pooling / shift-and-stitch. With `t = stride(L)/f` per
 * axis (the contract's `info.shift`, an integer), the input is shifted by `dy·t, dx·t` for
 * `dy, dx` in `[0, f)`, every shifted input cropped to the common size `n − (f−1)·t`, and the
 * f² crops stacked along the batch axis, so `L` runs once on `f²·N` images with one set of
 * parameters. The outputs are interleaved by a reshape and a transpose:
 * `out[i·f + dy, j·f + dx] = L(shift dy, dx)[i, j]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';
import { infoPair } from './_op.js';

export const op: RuntimeOp = {
  name: 'offsets',
  run(ctx: OpContext): tf.Tensor4D {
    const x = ctx.inputs[0]!;
    const f = ctx.node.info['f'] as number;
    const [ty, tx] = infoPair(ctx.node, 'shift');
    const [n, h, w, c] = x.shape;
    const hs = h - (f - 1) * ty;
    const ws = w - (f - 1) * tx;
    const shifted: tf.Tensor4D[] = [];
    for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) shifted.push(tf.slice(x, [0, dy * ty, dx * tx, 0], [n, hs, ws, c]));
    const y = ctx.runBody(tf.concat(shifted, 0)); // [(dy, dx, N), h', w', C']
    const [, ho, wo, co] = y.shape;
    const grid = tf.reshape(y, [f, f, n, ho, wo, co]);
    return tf.reshape(tf.transpose(grid, [2, 3, 0, 4, 1, 5]), [n, ho * f, wo * f, co]);
  },
};
