/**
 * `MaxPoolWithArgmax` as a composite of ordinary ops, for backends without the kernel: the
 * `tensorflow` backend of @tensorflow/tfjs-node(-gpu) lacks it (tfjs-runtime.md §3).
 * Any window geometry (overlap, padding). For each window offset (wy, wx) in row-major order,
 * the strided slice of the −∞-padded input at that offset is compared with the pooled
 * maximum; the first offset that matches gives the index, so ties go to the first maximum
 * (cpu, Caffe, PyTorch).
 *
 * Index convention (TensorFlow's): ((b·H + y)·W + x)·C + c, without the b term unless
 * `includeBatchInIndex`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, Tensor, Tensor4D, TensorInfo } from '@tensorflow/tfjs-core';
import { poolInfo } from './max-pool-first-max.js';

export function maxPoolWithArgmaxOps(
  x: Tensor4D,
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: 'valid' | 'same' | number,
  includeBatchInIndex: boolean,
): [Tensor4D, Tensor4D] {
  return tf.tidy(() => {
    const c = poolInfo(x.shape, { filterSize, strides, pad });
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch, outHeight: ho, outWidth: wo } = c;
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = c;
    const { top, left } = c.padInfo;
    const y = tf.maxPool(x, filterSize, strides, pad);
    // Enough −∞ rows/columns that every window lies inside the padded tensor.
    const bottom = Math.max(0, (ho - 1) * sh + kh - h - top);
    const right = Math.max(0, (wo - 1) * sw + kw - w - left);
    const padded = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], -Infinity);
    // Flat index of each window's top-left position (possibly inside the padding).
    // (JS numbers would make float32 scalars and upcast the indices.)
    const int = (v: number) => tf.scalar(v, 'int32');
    const steps = (count: number, step: number, start: number, scale: number, shape: number[]) =>
      tf.broadcastTo(tf.reshape(tf.mul(tf.add(tf.mul(tf.range(0, count, 1, 'int32'), int(step)), int(start)), int(scale)), shape), [n, ho, wo, ch]);
    const origin = tf.addN([
      steps(n, 1, 0, includeBatchInIndex ? h * w * ch : 0, [n, 1, 1, 1]),
      steps(ho, sh, -top, w * ch, [1, ho, 1, 1]),
      steps(wo, sw, -left, ch, [1, 1, wo, 1]),
      steps(ch, 1, 0, 1, [1, 1, 1, ch]),
    ]);
    let index: Tensor = tf.zeros([n, ho, wo, ch], 'int32');
    let found: Tensor = tf.zeros([n, ho, wo, ch], 'bool');
    for (let wy = 0; wy < kh; wy++) {
      for (let wx = 0; wx < kw; wx++) {
        const atOffset = tf.stridedSlice(
          padded,
          [0, wy, wx, 0],
          [n, wy + (ho - 1) * sh + 1, wx + (wo - 1) * sw + 1, ch],
          [1, sh, sw, 1],
        );
        const first = tf.logicalAnd(tf.equal(atOffset, y), tf.logicalNot(found));
        index = tf.where(first, tf.add(origin, int((wy * w + wx) * ch)), index);
        found = tf.logicalOr(found, first);
      }
    }
    return [y, index as Tensor4D];
  });
}

function asTensor(t: TensorInfo): { tensor: Tensor4D; owned: boolean } {
  if (t instanceof tf.Tensor) return { tensor: t as Tensor4D, owned: false };
  return { tensor: tf.engine().makeTensorFromTensorInfo(t) as Tensor4D, owned: true };
}

/** The composite as a kernel (for `tf.registerKernel`); it returns engine tensors. */
export const maxPoolWithArgmaxCompositeKernel: KernelFunc = ({ inputs, attrs = {} }) => {
  const { tensor: x, owned } = asTensor(inputs['x']!);
  try {
    return maxPoolWithArgmaxOps(
      x,
      attrs['filterSize'] as number | [number, number],
      attrs['strides'] as number | [number, number],
      attrs['pad'] as 'valid' | 'same' | number,
      attrs['includeBatchInIndex'] === true,
    );
  } finally {
    if (owned) x.dispose();
  }
};
