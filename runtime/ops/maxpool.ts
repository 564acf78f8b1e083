/**
 * `maxpool`: Caffe semantics (−∞ padding, ceil mode with its clip rule) as one VALID max
 * pooling over the input padded with −∞ to exactly the rows the windows span (`_pool.ts`).
 *
 * When a later `unpool` links to this node, it also returns `indices`: for every pooled
 * value, the flat position (batch included) of its window's first maximum in this node's
 * *input* `[N, H, W, C]`. The pooled values still come from `tf.maxPool`, whose gradient
 * tfjs has; the indices come from `maxPoolWithArgmax` (netc's wasm override keeps the first
 * maximum, like Caffe and PyTorch) and never lie on a gradient path.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, OpResult, RuntimeOp } from './_op.js';
import { fitWindows, poolGeometry } from './_pool.js';

export const op: RuntimeOp = {
  name: 'maxpool',
  run(ctx: OpContext): OpResult {
    const x = ctx.inputs[0]!;
    const g = poolGeometry(ctx);
    const fitted = fitWindows(x, g, -Infinity);
    const output = tf.maxPool(fitted, g.k, g.s, 'valid');
    if (!ctx.linked) return { output };
    const { indexes } = tf.maxPoolWithArgmax(fitted, g.k, g.s, 'valid', true);
    const indices = fitted === x ? indexes : positionsInInput(indexes, fitted.shape, x.shape, g.pad.top, g.pad.left);
    return { output, extras: { indices } };
  },
};

/**
 * Flat positions in the fitted tensor `[N, Hf, Wf, C]` (padded by `top`/`left`, maybe longer
 * or shorter at the end) → flat positions in the original `[N, H, W, C]`. A maximum never
 * lies in the padding: every window holds at least one input element (the contract refuses
 * padding ≥ the window, and Caffe's clip drops windows that start past the input).
 */
function positionsInInput(idx: tf.Tensor, fitted: readonly number[], original: readonly number[], top: number, left: number): tf.Tensor {
  const [, hf, wf, c] = fitted as [number, number, number, number];
  const [, h, w] = original as [number, number, number, number];
  const int = (v: number) => tf.scalar(v, 'int32');
  const pixel = tf.floorDiv(idx, int(c)); // (b·Hf + y)·Wf + x
  const channel = tf.sub(idx, tf.mul(pixel, int(c)));
  const row = tf.floorDiv(pixel, int(wf)); // b·Hf + y
  const col = tf.sub(pixel, tf.mul(row, int(wf)));
  const image = tf.floorDiv(row, int(hf));
  const y = tf.sub(tf.sub(row, tf.mul(image, int(hf))), int(top));
  const xcol = tf.sub(col, int(left));
  const flatPixel = tf.add(tf.mul(tf.add(tf.mul(image, int(h)), y), int(w)), xcol);
  return tf.add(tf.mul(flatPixel, int(c)), channel);
}
