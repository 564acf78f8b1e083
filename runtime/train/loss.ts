/**
 * Losses (paper-architectures.md §1.4 "Loss semantics", §5.10):
 *
 * - per-pixel softmax cross-entropy with class weights, caffe-segnet's `SoftmaxWithLoss`
 *   (`weight_by_label_freqs`, `ignore_label`, `normalize: true`):
 *       loss = Σ_{p not ignored} w[label_p] · (−log softmax(z_p)[label_p]) / #{p not ignored}
 *   i.e. divided by the NUMBER of non-ignored pixels, not by the sum of their weights;
 * - classification cross-entropy for [N, 1, 1, C] outputs: the same formula with one "pixel"
 *   per image (labels [N]).
 *
 * log p comes from `tf.logSoftmax` (max-subtracted log-sum-exp), so large logits never
 * overflow. Labels are prepared on the host (`prepareLabels`): the spec's ignore label is
 * mapped to 255, every other value must be a class, and the non-ignored pixels are counted
 * there, so the device only sees a valid-pixel mask and a constant divisor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_LABEL } from '../data/types.js';

/** Labels ready for the loss and the confusion matrix. */
export interface PreparedLabels {
  /** Class indices; ignored pixels are 255 (IGNORE_LABEL). */
  readonly labels: Int32Array;
  /** How many entries are not ignored (the divisor of the loss). */
  readonly counted: number;
}

/** A label that is neither a class nor ignored (the data module validates files; this guards the rest). */
export class LabelError extends Error {
  constructor(
    readonly value: number,
    readonly index: number,
    readonly classes: number,
  ) {
    super(`label value ${value} (at position ${index} of the batch) is not a class: there are ${classes} classes (0..${classes - 1}) and ${IGNORE_LABEL} means ignore`);
    this.name = 'LabelError';
  }
}

/**
 * Maps the spec's `ignore` label to 255, checks that every other value is a class, and counts
 * the labelled entries. Returns a new array when a value changes, else the input.
 */
export function prepareLabels(labels: Int32Array, classes: number, ignore: number = IGNORE_LABEL): PreparedLabels {
  let out = labels;
  let counted = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v === IGNORE_LABEL) continue;
    if (v === ignore) {
      if (out === labels) out = Int32Array.from(labels);
      out[i] = IGNORE_LABEL;
      continue;
    }
    if (!(v >= 0 && v < classes)) throw new LabelError(v, i, classes);
    counted++;
  }
  return { labels: out, counted };
}

export interface CrossEntropyOptions {
  /** One weight per class (median frequency, or the spec's list); undefined = all 1. */
  readonly classWeights?: Float32Array | readonly number[];
  /** Non-ignored entries of `labels` (from `prepareLabels`); recomputed when absent. */
  readonly counted?: number;
}

/**
 * Weighted softmax cross-entropy, normalised by the number of non-ignored entries.
 * `logits`: [N, H, W, C] (or [N, 1, 1, C] for a classifier); `labels`: N·H·W int32 class
 * indices with 255 = ignore ([N, H, W] or [N]). A batch without any labelled entry gives 0.
 */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: Int32Array, options: CrossEntropyOptions = {}): tf.Scalar {
  const classes = logits.shape[logits.shape.length - 1]!;
  const entries = logits.size / classes;
  if (labels.length !== entries) {
    throw new RangeError(`softmaxCrossEntropy: ${labels.length} labels for logits [${logits.shape.join(', ')}] (${entries} positions)`);
  }
  const weights = options.classWeights;
  if (weights && weights.length !== classes) throw new RangeError(`softmaxCrossEntropy: ${weights.length} class weights for ${classes} classes`);
  let counted = options.counted;
  if (counted === undefined) {
    counted = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] !== IGNORE_LABEL) counted++;
  }
  // Per-entry weights on the host: w[label] for labelled entries, 0 for ignored ones (whose
  // label is then replaced by class 0 so that oneHot stays in range for any class count).
  const safe = new Int32Array(labels.length);
  const entryWeights = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v === IGNORE_LABEL) continue;
    if (!(v >= 0 && v < classes)) throw new LabelError(v, i, classes);
    safe[i] = v;
    entryWeights[i] = weights ? weights[v]! : 1;
  }
  return tf.tidy(() => {
    const logp = tf.logSoftmax(tf.reshape(logits, [entries, classes]));
    const picked = tf.sum(tf.mul(tf.oneHot(tf.tensor1d(safe, 'int32'), classes), logp), -1);
    const weighted = tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(entryWeights, 'float32'))));
    return tf.div(weighted, Math.max(counted!, 1)) as tf.Scalar;
  });
}

/** Whether an output shape is a classifier's ([N, 1, 1, C]) rather than a segmentation map. */
export function isClassifierOutput(shape: readonly number[]): boolean {
  return shape.length === 4 && shape[1] === 1 && shape[2] === 1;
}
