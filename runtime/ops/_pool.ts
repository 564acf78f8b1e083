/**
 * What `maxpool` and `avgpool` share: turning the contract's window geometry (kernel, stride,
 * padding before/after, output size: floor, Caffe ceil with its clip, or TensorFlow `same`)
 * into one VALID pooling over an input that has been padded or cropped to exactly the rows the
 * windows span, `(out − 1)·s + k`. tfjs' own `dimRoundingMode: 'ceil'` is not used: the
 * gradients of `maxPool`/`avgPool` ignore it (test/fixtures/torch/README.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext, Padding } from './_op.js';
import { infoPadding, infoPair } from './_op.js';

export interface PoolGeometry {
  readonly k: [number, number];
  readonly s: [number, number];
  readonly pad: Padding;
  /** Input `[height, width]`. */
  readonly input: [number, number];
  /** Output `[height, width]` (the contract's). */
  readonly out: [number, number];
  /**
   * Rows (columns) to add after the input (positive) or to drop from its end (negative) so
   * that the windows cover it exactly: `(out − 1)·s + k − before − n`. Caffe's ceil overhang
   * makes it larger than the declared padding; floor mode can make it negative.
   */
  readonly tail: [number, number];
}

export function poolGeometry(ctx: OpContext): PoolGeometry {
  const x = ctx.inputs[0]!;
  const k = infoPair(ctx.node, 'kernel');
  const s = infoPair(ctx.node, 'stride');
  const pad = infoPadding(ctx.node);
  const input: [number, number] = [x.shape[1], x.shape[2]];
  const out: [number, number] = [ctx.outputShape[0], ctx.outputShape[1]];
  const before = [pad.top, pad.left];
  const tail = [0, 1].map((a) => (out[a]! - 1) * s[a]! + k[a]! - before[a]! - input[a]!) as [number, number];
  return { k, s, pad, input, out, tail };
}

/** `x` padded with `fill` (top/left: the declared padding; bottom/right: `tail`) or cropped. */
export function fitWindows(x: tf.Tensor4D, g: PoolGeometry, fill: number): tf.Tensor4D {
  let fitted = x;
  const [th, tw] = g.tail;
  if (th < 0 || tw < 0) {
    fitted = tf.slice(fitted, [0, 0, 0, 0], [-1, g.input[0] + Math.min(th, 0), g.input[1] + Math.min(tw, 0), -1]);
  }
  const padding: [number, number][] = [
    [0, 0],
    [g.pad.top, Math.max(th, 0)],
    [g.pad.left, Math.max(tw, 0)],
    [0, 0],
  ];
  if (padding.some(([a, b]) => a !== 0 || b !== 0)) fitted = tf.pad(fitted, padding, fill);
  return fitted;
}

/**
 * Caffe's average-pooling divisor per output position, as a factor `k_h·k_w / count` that
 * corrects tfjs' VALID average over the fitted input: a window counts the declared zero
 * padding but not the ceil-mode overhang, i.e. it is clipped to `[−before, n + after)`.
 * Undefined when every window is whole.
 */
export function averageCorrection(g: PoolGeometry): Float32Array | undefined {
  const counts = [0, 1].map((a) => {
    const before = a === 0 ? g.pad.top : g.pad.left;
    const after = a === 0 ? g.pad.bottom : g.pad.right;
    return Array.from({ length: g.out[a]! }, (_, i) => {
      const start = i * g.s[a]! - before;
      return Math.min(start + g.k[a]!, g.input[a]! + after) - Math.max(start, -before);
    });
  });
  const [cy, cx] = counts as [number[], number[]];
  const whole = g.k[0] * g.k[1];
  if (cy.every((c) => c === g.k[0]) && cx.every((c) => c === g.k[1])) return undefined;
  const out = new Float32Array(cy.length * cx.length);
  for (let i = 0; i < cy.length; i++) for (let j = 0; j < cx.length; j++) out[i * cx.length + j] = whole / (cy[i]! * cx[j]!);
  return out;
}
