/**
 * `MaxPoolGrad` override for wasm: the native kernel gives windows whose values are all ≤ 0
 * no gradient at all (tfjs-runtime.md §1b: max-pooling before an activation, or on BN
 * output, silently stops learning there). dx = dy scattered to each window's first maximum
 * (max-pool-first-max.ts), summed where overlapping windows share a maximum.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { runOnCpu } from './cpu-handoff.js';
import { poolInfo, scanFirstMax } from './max-pool-first-max.js';
import { type Backend, f32 } from './wasm-util.js';

export const maxPoolGradKernel: KernelFunc = ({ inputs, attrs = {}, backend }) => {
  const be = backend as Backend;
  const dy = inputs['dy']!;
  const x = inputs['input']!;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return runOnCpu(be, 'MaxPoolGrad', inputs, attrs)[0]!;
  const c = poolInfo(x.shape, attrs);
  const positions = new Int32Array(dy.shape.reduce((a, b) => a * b, 1));
  const dx = be.makeOutput(x.shape, 'float32');
  scanFirstMax(f32(be, x), c, positions);
  const dxValues = f32(be, dx);
  const dyValues = f32(be, dy);
  dxValues.fill(0);
  for (let o = 0; o < positions.length; o++) {
    const p = positions[o]!;
    if (p >= 0) dxValues[p]! += dyValues[o]!;
  }
  return dx;
};
