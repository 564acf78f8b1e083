/**
 * `upsample(factor, mode)` by integer factors, with gradients that are right on every backend:
 *
 * - `nearest`: broadcasts, `[N, H, 1, W·C] → [N, H, fh, W·C]` then the same for columns, and
 *   reshapes
 *   (not `resizeNearestNeighbor`, whose cpu gradient is wrong for batch > 1,
 *   tfjs-runtime.md §1b).
 * - `bilinear` with half-pixel centres (PyTorch `align_corners=False`, tfjs
 *   `halfPixelCenters: true`), separably per axis. Output row `o = i·f + r` samples input
 *   coordinate `i + δ_r`, `δ_r = (r + ½)/f − ½`, between rows `i` and `i ± 1` (edges
 *   replicated, as both frameworks clamp). Each phase r is two shifted slices times constant
 *   weights; the f phases are stacked and interleaved by a reshape. (tfjs'
 *   `ResizeBilinearGrad` fails on non-square maps on cpu: test/fixtures/torch/README.md.)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, RuntimeOp } from './_op.js';
import { infoPair } from './_op.js';

export const op: RuntimeOp = {
  name: 'upsample',
  run(ctx: OpContext): tf.Tensor4D {
    const x = ctx.inputs[0]!;
    const [fh, fw] = infoPair(ctx.node, 'factor');
    const mode = (ctx.node.info['mode'] as string | undefined) ?? 'nearest';
    if (mode === 'nearest') return nearest(x, fh, fw);
    return bilinearAxis(bilinearAxis(x, fh, 1), fw, 2);
  },
};

function nearest(x: tf.Tensor4D, fh: number, fw: number): tf.Tensor4D {
  // Rank-4 broadcasts, one axis at a time: tfjs' Tile gradient stops at rank 4.
  const [n, h, w, c] = x.shape;
  const rows: tf.Tensor4D = fh === 1 ? x : tf.reshape(tf.broadcastTo(tf.reshape(x, [n, h, 1, w * c]), [n, h, fh, w * c]), [n, h * fh, w, c]);
  if (fw === 1) return rows;
  return tf.reshape(tf.broadcastTo(tf.reshape(rows, [n * h * fh, w, 1, c]), [n * h * fh, w, fw, c]), [n, h * fh, w * fw, c]);
}

/** Bilinear upsampling by `f` along `axis` (1 = rows, 2 = columns). */
function bilinearAxis(x: tf.Tensor4D, f: number, axis: 1 | 2): tf.Tensor4D {
  if (f === 1) return x;
  const n = x.shape[axis];
  const along = (t: tf.Tensor4D, start: number, length: number) => {
    const begin = [0, 0, 0, 0];
    const size = [-1, -1, -1, -1];
    begin[axis] = start;
    size[axis] = length;
    return tf.slice(t, begin, size);
  };
  const padded = tf.concat([along(x, 0, 1), x, along(x, n - 1, 1)], axis); // row i of x is row i + 1 here
  const rows = (start: number) => along(padded, start, n);
  const phases: tf.Tensor4D[] = [];
  for (let r = 0; r < f; r++) {
    const delta = (r + 0.5) / f - 0.5;
    // δ < 0: between i − 1 (weight −δ) and i; δ ≥ 0: between i and i + 1 (weight δ).
    phases.push(delta < 0 ? tf.add(tf.mul(rows(0), -delta), tf.mul(rows(1), 1 + delta)) : tf.add(tf.mul(rows(1), 1 - delta), tf.mul(rows(2), delta)));
  }
  const stacked = tf.stack(phases, axis + 1); // [.., n, f, ..]
  const shape: [number, number, number, number] = [...x.shape];
  shape[axis] = n * f;
  return tf.reshape(stacked, shape);
}
