/**
 * `MaxPoolWithArgmax` override for wasm. The native kernel returns the value 1.18e-38 and
 * index 0 for every window whose values are all ≤ 0 (after ReLU: every all-zero window), and
 * lets the last of tied maxima win (tfjs-runtime.md §1b); a SegNet unpool would pile values
 * onto element 0. Values and indexes come from one scan (max-pool-first-max.ts).
 * Index convention (TensorFlow's): ((b·H + y)·W + x)·C + c, without the b term unless
 * `includeBatchInIndex`.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { runOnCpu } from './cpu-handoff.js';
import { poolInfo, scanFirstMax } from './max-pool-first-max.js';
import { type Backend, f32, i32 } from './wasm-util.js';

export const maxPoolWithArgmaxKernel: KernelFunc = ({ inputs, attrs = {}, backend }) => {
  const be = backend as Backend;
  const x = inputs['x']!;
  if (x.shape.length !== 4) throw new Error(`netc: maxPoolWithArgmax needs a rank-4 input, got rank ${x.shape.length}`);
  if (x.dtype !== 'float32') return runOnCpu(be, 'MaxPoolWithArgmax', inputs, attrs);
  const c = poolInfo(x.shape, attrs);
  const pooled = be.makeOutput(c.outShape, 'float32');
  const indexes = be.makeOutput(c.outShape, 'int32');
  const positions = i32(be, indexes);
  scanFirstMax(f32(be, x), c, positions, f32(be, pooled));
  if (attrs['includeBatchInIndex'] !== true) {
    const perImageIn = c.inHeight * c.inWidth * c.inChannels;
    const perImageOut = c.outHeight * c.outWidth * c.outChannels;
    for (let o = perImageOut; o < positions.length; o++) {
      if (positions[o]! >= 0) positions[o]! -= Math.floor(o / perImageOut) * perImageIn;
    }
  }
  return [pooled, indexes];
};
