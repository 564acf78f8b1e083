/**
 * `unpool(p)`: SegNet's max-unpooling. Each value goes to the position its pooling window's
 * maximum came from (`p`'s `indices`), zeros elsewhere; the output has `p`'s input shape.
 * Where windows overlap and share a maximum, the values add up (the adjoint of the gather).
 *
 * The gradient is written here (a gather of dy at the same positions, by `gatherND`) rather
 * than left to `ScatterNd`'s: the indices are closed over, not an input, so the tape never
 * tries to differentiate through the integer index computation or the argmax.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nodeArg } from '../../compiler/ops/_geometry.js';
import type { OpContext, RuntimeOp } from './_op.js';

export const op: RuntimeOp = {
  name: 'unpool',
  run(ctx: OpContext): tf.Tensor4D {
    const pool = nodeArg(ctx.node.node.args, 'p');
    if (pool === undefined) throw new Error(`netc: \`${ctx.node.node.name}\` has no pooling link`);
    const indices = ctx.extras(pool)['indices'];
    if (!indices) throw new Error(`netc: \`${ctx.typed(pool).node.name}\` kept no indices for \`${ctx.node.node.name}\``);
    const y = ctx.inputs[0]!;
    const [h, w, c] = ctx.outputShape;
    const shape: [number, number, number, number] = [y.shape[0], h, w, c];
    const size = shape[0] * h * w * c;
    const scatter = tf.customGrad(((values: tf.Tensor, save: tf.GradSaveFunc) => {
      const column = tf.reshape(indices, [-1, 1]);
      save([column]);
      const value = tf.reshape(tf.scatterND(column, tf.reshape(values, [-1]), [size]), shape);
      return {
        value,
        // gatherND, not gather: the same values, but wasm's GatherV2 is ~15× slower here
        // (62 vs 4 ms for SegNet-Basic's first unpool at 4 × 128²; BENCHMARKS.md).
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.reshape(tf.gatherND(tf.reshape(dy, [-1]), saved[0]!), values.shape),
      };
    }) as Parameters<typeof tf.customGrad>[0]);
    return scatter(y) as tf.Tensor4D;
  },
};
