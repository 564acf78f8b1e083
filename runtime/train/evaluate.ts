/**
 * Evaluation: the network in inference mode (moving batchnorm statistics, no dropout) over a
 * whole split, into one confusion matrix (runtime/metrics.ts), from which G, C, mIoU and the
 * per-class IoU are computed — never an average of per-batch numbers (SegNet Sec. 4, FCN's
 * `score.py`). Used by the training loop after every epoch and by `netc eval`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data/types.js';
import type { Program } from '../lower.js';
import { ConfusionMatrix } from '../metrics.js';
import { prepareLabels } from './loss.js';

export interface EvaluateOptions {
  /** The network output that holds class scores. */
  readonly output: string;
  readonly classes: number;
  /** Images per forward pass. */
  readonly batchSize: number;
  /** The spec's ignore label (mapped to 255 like in training); default 255. */
  readonly ignore?: number;
  /** Called after each batch with the images done so far. */
  readonly onBatch?: (done: number, total: number) => void;
  /** Stops early (the matrix then covers the batches done). */
  readonly signal?: AbortSignal;
}

/** Runs `program` over `split` and returns the confusion matrix of its argmax predictions. */
export async function evaluateSplit(program: Program, split: Split, options: EvaluateOptions): Promise<ConfusionMatrix> {
  const matrix = new ConfusionMatrix(options.classes);
  let done = 0;
  for await (const batch of split.batches({ batchSize: options.batchSize, shuffle: false, seed: 0, epoch: 0 })) {
    const predicted = predictClasses(program, batch.images, [batch.size, batch.height, batch.width, batch.channels], options.output);
    const classes = await predicted.data();
    predicted.dispose();
    const { labels } = prepareLabels(batch.labels, options.classes, options.ignore);
    matrix.add(labels, classes as Int32Array);
    done += batch.size;
    options.onBatch?.(done, split.size);
    if (options.signal?.aborted) break;
  }
  return matrix;
}

/**
 * The argmax class per position of `output` for NHWC images, as an int32 tensor ([N, H, W],
 * or [N, 1, 1] for a classifier). The caller owns (and disposes) it.
 */
export function predictClasses(program: Program, images: Float32Array, shape: [number, number, number, number], output: string): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.tensor4d(images, shape);
    const scores = program.forward(x, { outputs: [output] })[output]!;
    return tf.argMax(scores, -1);
  });
}

/** Class probabilities (softmax over the last axis) for NHWC images; the caller owns the tensor. */
export function predictProbabilities(program: Program, images: Float32Array, shape: [number, number, number, number], output: string): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.tensor4d(images, shape);
    const scores = program.forward(x, { outputs: [output] })[output]!;
    return tf.softmax(scores);
  });
}
