/**
 * Optimiser updates computed on the stored floats, in place, for wasm. A functional update
 * allocates a tensor per intermediate (`v ← μv + lr·g` and `w ← w − v` are five ops, each the
 * size of the parameter), and the 4 GiB wasm heap cannot hold those for FCN-VGG16's 392 MiB
 * fc6 filter next to the parameters, the gradients and the momentum; even one fresh tensor
 * per parameter fragmented the heap enough to grow it by 384 MiB after a few steps.
 *
 * XNNPACK caches every filter packed, keyed by the filter's id in the C++ registry, and
 * frees that copy when the id is disposed. After writing a parameter in place, its id is
 * disposed and registered again at the same memory, so the next conv repacks the new values
 * instead of using stale ones (test/runtime/kernels/in-place.test.ts shows both).
 *
 * Only on wasm (the data is a range of the heap); elsewhere, or when a tensor's data is
 * shared with another tensor (writing would change that one too), the caller uses tensor ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Backend } from './wasm-util.js';
import { dropCachedCopies, f32 } from './wasm-util.js';

export interface HeapViews {
  /** The parameter's floats, read and then overwritten. */
  readonly parameter: Float32Array;
  /** The slots' floats (momentum, Adam's moments), updated in place. */
  readonly slots: Float32Array[];
  /** The gradient's floats. */
  readonly gradient: Float32Array;
}

/**
 * Calls `update` with views of the stored floats and returns true; or returns false, without
 * calling it, when this backend or these tensors do not allow writing in place. The views
 * are valid only during the call (`update` must not allocate tensors).
 */
export function updateInPlace(parameter: tf.Tensor, slots: readonly tf.Tensor[], gradient: tf.Tensor, update: (views: HeapViews) => void): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  const be = tf.backend() as Backend;
  const all = [parameter, gradient, ...slots];
  if (all.some((t) => t.dtype !== 'float32' || t.isDisposed || !sameShape(t.shape, parameter.shape))) return false;
  const written = [parameter, ...slots];
  const writtenData = new Set(written.map((t) => t.dataId));
  if (writtenData.size !== written.length || writtenData.has(gradient.dataId)) return false;
  if (written.some((t) => be.refCount(t.dataId) !== 1)) return false;
  update({ parameter: f32(be, parameter), slots: slots.map((t) => f32(be, t)), gradient: f32(be, gradient) });
  dropCachedCopies(be, parameter);
  return true;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
